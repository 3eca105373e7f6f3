"""Deterministic verification: the CoVe questions that code can answer.

reading (pure parsers) -> facts (once per receipt) -> judging (evidence, one module per family). `evaluate_claims`
reads a receipt once and answers the questions about each of its claims ("word 19/5 is the GRAND_TOTAL"); each answer
says what it rests on and how strong it is, and `domain.decision` decides. Nothing here reads a label's status or
trusts other labels, and no OCR text is ever interpreted as an instruction: words are only matched.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.checks.facts import ReceiptFacts, build_facts
from domain.checks.judging import amounts, contacts, dates, identity, metadata, products
from domain.labels import AMOUNT_LABELS, UnknownLabelError, canonical_label
from domain.model import Answer, Evidence, EvidenceKind, ReceiptContext, ReceiptWord, ReceiptWordLabel

__all__ = ["ReceiptFacts", "build_facts", "evaluate", "evaluate_claims", "evaluate_metadata"]

Judge = Callable[[ReceiptFacts, str, ReceiptWord], list[Evidence]]


def _without_label(fn: Callable[[ReceiptFacts, ReceiptWord], list[Evidence]]) -> Judge:
    return lambda facts, _label, word: fn(facts, word)


# One judge per label.
JUDGES: dict[str, Judge] = {
    **{name: amounts.amount_evidence for name in AMOUNT_LABELS},
    "QUANTITY": _without_label(amounts.quantity_evidence),
    "DATE": dates.date_time_evidence,
    "TIME": dates.date_time_evidence,
    "PHONE_NUMBER": _without_label(contacts.phone_evidence),
    "WEBSITE": _without_label(contacts.web_evidence),
    "STORE_HOURS": _without_label(contacts.hours_evidence),
    "LOYALTY_ID": _without_label(contacts.loyalty_evidence),
    "PAYMENT_METHOD": _without_label(contacts.payment_evidence),
    "MERCHANT_NAME": _without_label(identity.merchant_evidence),
    "ADDRESS_LINE": _without_label(identity.address_evidence),
    "PRODUCT_NAME": _without_label(products.product_evidence),
}


def judge(facts: ReceiptFacts, label: ReceiptWordLabel) -> list[Evidence]:
    """Code-answered verification questions about one claim, from the receipt's facts."""
    try:
        name = canonical_label(label.label)
    except UnknownLabelError:
        return []
    word = facts.words.get(label.word_key)
    if word is None:
        return [
            Evidence(
                question="Is the labelled word on the receipt?",
                answer=Answer.UNKNOWN,
                detail=f"word {label.line_id}/{label.word_id} not loaded",
                source="rule:layout.word",
                kind=EvidenceKind.POSITION,
            )
        ]
    fn = JUDGES.get(name)
    return fn(facts, name, word) if fn else []


def evaluate_claims(context: ReceiptContext, claims: list[ReceiptWordLabel]) -> dict[str, list[Evidence]]:
    """Evidence per claim id; the receipt is read once for all its claims."""
    facts = build_facts(context)
    return {claim.claim_id: judge(facts, claim) for claim in claims}


def evaluate(context: ReceiptContext, label: ReceiptWordLabel) -> list[Evidence]:
    """Evidence about one claim (reads the receipt; to check many claims of one receipt use `evaluate_claims`)."""
    return judge(build_facts(context), label)


def evaluate_metadata(context: ReceiptContext) -> dict[str, list[Evidence]]:
    """Evidence for the receipt metadata fields (merchant_name, phone_number, address) from the receipt's text."""
    return metadata.metadata_field_evidence(build_facts(context))
