"""The receipt metadata (merchant name, phone, address), field by field, against what the receipt itself prints."""

from __future__ import annotations

from domain.checks.facts import ReceiptFacts
from domain.checks.judging.evidence import ev
from domain.checks.reading.contacts import phone_digits
from domain.model import Answer, Evidence, EvidenceKind

S, R, U = Answer.SUPPORTS, Answer.REFUTES, Answer.UNKNOWN
METADATA = EvidenceKind.METADATA


def metadata_field_evidence(facts: ReceiptFacts) -> dict[str, list[Evidence]]:
    """The receipt metadata, field by field, against what the receipt itself prints."""
    out: dict[str, list[Evidence]] = {"merchant_name": [], "phone_number": [], "address": []}
    meta = facts.metadata
    if meta is None:
        return out
    if meta.merchant_name:
        tokens = facts.merchant_tokens
        q = f"Is the merchant name {meta.merchant_name!r} printed on the receipt?"
        best = max((len(tokens & r.tokens) / len(tokens) for r in facts.rows), default=0.0) if tokens else 0.0
        joined = facts.merchant_joined
        glued = bool(joined) and any(joined in "".join(sorted(r.tokens)) or joined in r.glued for r in facts.rows)
        if best >= 0.99 or glued:
            out["merchant_name"].append(ev("metadata.name", q, S, "all name words on one line", METADATA, strong=True))
        elif best >= 0.5:
            out["merchant_name"].append(
                ev("metadata.name", q, S, f"{best:.0%} of the name words on one line", METADATA)
            )
        else:
            out["merchant_name"].append(ev("metadata.name", q, R, f"at most {best:.0%} of the name words", METADATA))
    if meta.phone_number:
        digits = phone_digits(meta.phone_number)
        q = f"Is the phone number {meta.phone_number!r} printed on the receipt?"
        found = {phone_digits(m) for m in facts.phones.values()}
        if len(digits) < 7:
            # `n/a`, `-`, a bare extension: nothing to compare, so nothing matches (every text ends with "").
            detail = "the metadata phone has no number to compare"
            out["phone_number"].append(ev("metadata.phone", q, U, detail, METADATA))
        elif any(d.endswith(digits[-10:]) or digits.endswith(d[-10:]) for d in found if len(d) >= 7):
            out["phone_number"].append(ev("metadata.phone", q, S, "same digits", METADATA, strong=True))
        elif found:
            detail = f"receipt prints {sorted(found)}"
            out["phone_number"].append(ev("metadata.phone", q, R, detail, METADATA, strong=True))
        else:
            out["phone_number"].append(ev("metadata.phone", q, U, "no phone number on the receipt", METADATA))
    if meta.address:
        tokens = facts.address_meta_tokens
        q = f"Is the address {meta.address!r} printed on the receipt?"
        seen = set().union(*(r.address_tokens for r in facts.rows)) if facts.rows else set()
        share = len(tokens & seen) / len(tokens) if tokens else 0.0
        numbers = {t for t in tokens if t.isdigit()}
        numbers_ok = numbers <= seen
        if share >= 0.7 and numbers_ok:
            out["address"].append(
                ev("metadata.address", q, S, f"{share:.0%} of the address words", METADATA, strong=True)
            )
        elif share >= 0.4:
            out["address"].append(ev("metadata.address", q, U, f"{share:.0%} of the address words", METADATA))
        else:
            out["address"].append(ev("metadata.address", q, R, f"{share:.0%} of the address words", METADATA))
    return out
