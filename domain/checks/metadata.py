"""The store's identity: merchant name and address words, and the receipt metadata checked against the receipt.

Names are compared after normalizing what varies between a receipt and a places listing: case, punctuation, `&` and
`and`, common abbreviations, legal forms and location suffixes (`#1234`, `STORE 12`, `- DOWNTOWN`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from domain.checks.contacts import phone_digits
from domain.model import Answer, Evidence

if TYPE_CHECKING:
    from domain.checks.facts import ReceiptFacts
    from domain.model import ReceiptWord

_ABBREVIATIONS = {
    "MKT": "MARKET",
    "MKTS": "MARKETS",
    "CO": "COMPANY",
    "CTR": "CENTER",
    "CENTRE": "CENTER",
    "INTL": "INTERNATIONAL",
    "SUPERMKT": "SUPERMARKET",
    "PHARM": "PHARMACY",
    "RESTAURANT": "RESTAURANT",
    "REST": "RESTAURANT",
    "SVC": "SERVICE",
    "SVCS": "SERVICES",
    "BROS": "BROTHERS",
    "DEPT": "DEPARTMENT",
    "WHSE": "WAREHOUSE",
    "WHOLESALE": "WHOLESALE",
}
_LEGAL = {"INC", "LLC", "LTD", "CORP", "CORPORATION", "CO", "COMPANY", "THE", "PLC", "GMBH", "SDN", "BHD"}
_STREET = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "LANE": "LN",
    "HIGHWAY": "HWY",
    "PARKWAY": "PKWY",
    "COURT": "CT",
    "PLACE": "PL",
    "SQUARE": "SQ",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
    "PLAZA": "PLZ",
    "SUITE": "STE",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "TRAIL": "TRL",
    "ROUTE": "RTE",
    "CENTER": "CTR",
}
STREET_SUFFIX = (
    r"(?:ST|STREET|AVE|AVENUE|AV|RD|ROAD|BLVD|BOULEVARD|DR|DRIVE|LN|LANE|WAY|HWY|HIGHWAY|PKWY|PARKWAY"
    r"|CT|COURT|PL|PLACE|SQ|SQUARE|TER|TERRACE|CIR|CIRCLE|PLZ|PLAZA|STE|SUITE|TRL|TRAIL|PIKE|RTE|ROUTE|ALLEY|ROW)"
)
_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "ON",
    "QC",
    "BC",
    "AB",
    "MB",
    "SK",
    "NS",
    "NB",
    "NL",
    "PE",
]
ADDRESS_PATTERN = re.compile(
    rf"\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][A-Z0-9.'\-]*\s+){{0,4}}{STREET_SUFFIX}\b\.?"
    rf"|\b(?:{'|'.join(_STATES)})\.?,?\s+\d{{5}}(?:-\d{{4}})?\b"
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
    r"|\bP\.?\s?O\.?\s+BOX\s+\d+"
    rf"|\b(?:STE|SUITE|UNIT|APT)\.?\s*#?\s*\d+\b|\b[A-Z][A-Za-z.\-]+,\s*(?:{'|'.join(_STATES)})\b",
    re.IGNORECASE,
)
_LOCATION_SUFFIX = re.compile(r"\s*(?:#\s*\d+|\bSTORE\s*#?\s*\d+|\bNO\.?\s*\d+|\s-\s+.*)$", re.IGNORECASE)


def normalize_name(name: str) -> str:
    """`Trader Joe's #123 - Downtown` -> `TRADER JOES`; `Ben & Jerry's Inc.` -> `BEN AND JERRYS`."""
    s = _LOCATION_SUFFIX.sub("", name.strip())
    s = s.upper().replace("&", " AND ").replace("'", "").replace("’", "")
    words = re.sub(r"[^A-Z0-9]+", " ", s).split()
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    kept = [w for w in words if w not in _LEGAL]
    return " ".join(kept or words)


def name_tokens(name: str) -> set[str]:
    return set(normalize_name(name).split())


def word_token(text: str) -> str:
    """One OCR word as a comparable token."""
    w = re.sub(r"[^A-Z0-9&]+", "", text.upper().replace("'", "").replace("’", ""))
    return "AND" if w == "&" else _ABBREVIATIONS.get(w, w)


def address_token(text: str) -> str:
    w = re.sub(r"[^A-Z0-9]+", "", text.upper())
    return _STREET.get(w, w)


def address_tokens(address: str) -> set[str]:
    return {address_token(t) for t in re.split(r"[\s,]+", address) if address_token(t)}


def _ev(question: str, answer: Answer, detail: str, check: str, decisive: bool = False) -> Evidence:
    return Evidence(question=question, answer=answer, detail=detail, source=f"rule:metadata.{check}", decisive=decisive)


def merchant_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """Is the word part of the store's name: against the metadata, and where it sits."""
    key = (word.line_id, word.word_id)
    row = facts.row_of(key)
    token = word_token(word.text)
    identity = facts.identity(word.text)
    q = "Is the word part of the merchant's name?"
    if identity and identity != "a web address":
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is {identity}", "merchant", decisive=True)]
    in_name_row = row is not None and row.index in facts.merchant_rows
    other = facts.structures(key) & {"date", "time", "phone", "hours", "payment line", "date/time line"}
    if other and not in_name_row:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is on a {'/'.join(sorted(other))}", "merchant", decisive=True)]
    if row is not None and facts.in_items_block(row.index) and not in_name_row:
        return [_ev(q, Answer.REFUTES, "among the item lines, not in the header", "position", decisive=True)]
    out: list[Evidence] = []
    if row is not None and (facts.is_item_row(row.index) or row.roles - {"COUNT"}):
        kind = "an item" if facts.is_item_row(row.index) else "/".join(sorted(row.roles))
        in_name = bool(facts.merchant_tokens) and token in facts.merchant_tokens
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is on {kind} line", "position", decisive=not in_name)]
    if facts.merchant_tokens:
        mq = "Does the word appear in the store's name from the metadata?"
        if token and (token in facts.merchant_tokens or (len(token) > 3 and token in facts.merchant_joined)):
            out.append(_ev(mq, Answer.SUPPORTS, f"{word.text!r} in {facts.merchant_name!r}", "merchant", True))
        elif row is not None and row.index in facts.merchant_rows:
            out.append(_ev(mq, Answer.SUPPORTS, f"on the line that carries {facts.merchant_name!r}", "merchant"))
        elif facts.merchant_rows:
            decisive = row is not None and (row.index in facts.address_rows or key in facts.phones)
            detail = f"{word.text!r} is not in {facts.merchant_name!r}, which is printed elsewhere"
            out.append(_ev(mq, Answer.REFUTES, detail, "merchant", decisive=decisive))
    if row is not None and row.index < facts.regions.header_end:
        out.append(_ev("Is the word in the receipt's header?", Answer.SUPPORTS, f"row {row.index}", "position"))
    return out


def address_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """Is the word part of the store's address: an address-shaped line, or the metadata address."""
    key = (word.line_id, word.word_id)
    row = facts.row_of(key)
    q = "Is the word part of the store's address?"
    identity = facts.identity(word.text)
    if identity and identity not in {"a money amount"}:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is {identity}", "address", decisive=True)]
    if identity or key in facts.phones:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is a money amount or a phone", "address", decisive=True)]
    if row is not None and (facts.is_item_row(row.index) or row.roles - {"COUNT"}):
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is on an item or totals line", "position", decisive=True)]
    other = facts.structures(key) & {"date", "time", "hours", "web", "payment line", "date/time line"}
    if other and not (row is not None and row.index in facts.address_rows):
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is on a {'/'.join(sorted(other))}", "address", decisive=True)]
    if row is not None and facts.in_items_block(row.index) and row.index not in facts.address_rows:
        return [_ev(q, Answer.REFUTES, "among the item lines, not in the header", "position", decisive=True)]
    out: list[Evidence] = []
    token = address_token(word.text)
    if row is not None and row.index in facts.address_rows:
        out.append(_ev(q, Answer.SUPPORTS, f"{row.text!r} reads as an address", "address", decisive=True))
    if facts.address_meta_tokens and token:
        mq = "Does the word appear in the store's address from the metadata?"
        if token in facts.address_meta_tokens:
            out.append(_ev(mq, Answer.SUPPORTS, f"{word.text!r} in the metadata address", "metadata"))
        elif facts.merchant_tokens and word_token(word.text) in facts.merchant_tokens:
            detail = f"{word.text!r} belongs to the merchant name {facts.merchant_name!r}"
            decisive = row is not None and row.index in facts.merchant_rows
            out.append(_ev(mq, Answer.REFUTES, detail, "metadata", decisive=decisive))
    return out


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
            out["merchant_name"].append(_ev(q, Answer.SUPPORTS, "all name words on one line", "name", True))
        elif best >= 0.5:
            out["merchant_name"].append(_ev(q, Answer.SUPPORTS, f"{best:.0%} of the name words on one line", "name"))
        else:
            out["merchant_name"].append(_ev(q, Answer.REFUTES, f"at most {best:.0%} of the name words", "name"))
    if meta.phone_number:
        digits = phone_digits(meta.phone_number)
        q = f"Is the phone number {meta.phone_number!r} printed on the receipt?"
        found = {phone_digits(m) for m in facts.phones.values()}
        if any(d and (d.endswith(digits[-10:]) or digits.endswith(d[-10:])) for d in found if len(d) >= 7):
            out["phone_number"].append(_ev(q, Answer.SUPPORTS, "same digits", "phone", True))
        elif found:
            out["phone_number"].append(_ev(q, Answer.REFUTES, f"receipt prints {sorted(found)}", "phone", True))
        else:
            out["phone_number"].append(_ev(q, Answer.UNKNOWN, "no phone number on the receipt", "phone"))
    if meta.address:
        tokens = facts.address_meta_tokens
        q = f"Is the address {meta.address!r} printed on the receipt?"
        seen = set().union(*(r.address_tokens for r in facts.rows)) if facts.rows else set()
        share = len(tokens & seen) / len(tokens) if tokens else 0.0
        numbers = {t for t in tokens if t.isdigit()}
        numbers_ok = numbers <= seen
        if share >= 0.7 and numbers_ok:
            out["address"].append(_ev(q, Answer.SUPPORTS, f"{share:.0%} of the address words", "address", True))
        elif share >= 0.4:
            out["address"].append(_ev(q, Answer.UNKNOWN, f"{share:.0%} of the address words", "address"))
        else:
            out["address"].append(_ev(q, Answer.REFUTES, f"{share:.0%} of the address words", "address"))
    return out
