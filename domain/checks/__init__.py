"""Deterministic verification: the CoVe questions that code can answer, one module per family.

`evaluate` answers the questions about one claim ("word 19/5 is the GRAND_TOTAL") from the receipt itself; the
receipt is analysed once (`analyze`) and the facts are reused for all its claims. Nothing here reads a label's
status or trusts other labels, and no OCR text is ever interpreted as an instruction: words are only matched.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.checks import amounts, contacts, dates_times, layout, metadata
from domain.checks.facts import ReceiptFacts, analyze
from domain.labels import AMOUNT_LABELS, UnknownLabelError, canonical_label
from domain.model import Answer, Evidence, ReceiptContext, ReceiptWord, ReceiptWordLabel

__all__ = ["ReceiptFacts", "analyze", "evaluate", "evaluate_metadata"]

_Check = Callable[[ReceiptFacts, str, ReceiptWord], list[Evidence]]


def _without_label(fn: Callable[[ReceiptFacts, ReceiptWord], list[Evidence]]) -> _Check:
    return lambda facts, _label, word: fn(facts, word)


_CHECKS: dict[str, _Check] = {
    **{name: amounts.amount_evidence for name in AMOUNT_LABELS},
    "QUANTITY": _without_label(amounts.quantity_evidence),
    "DATE": dates_times.date_time_evidence,
    "TIME": dates_times.date_time_evidence,
    "PHONE_NUMBER": _without_label(contacts.phone_evidence),
    "WEBSITE": _without_label(contacts.web_evidence),
    "STORE_HOURS": _without_label(contacts.hours_evidence),
    "LOYALTY_ID": _without_label(contacts.loyalty_evidence),
    "PAYMENT_METHOD": _without_label(contacts.payment_evidence),
    "MERCHANT_NAME": _without_label(metadata.merchant_evidence),
    "ADDRESS_LINE": _without_label(metadata.address_evidence),
    "PRODUCT_NAME": _without_label(layout.product_evidence),
}


def evaluate(context: ReceiptContext, label: ReceiptWordLabel) -> list[Evidence]:
    """Code-answered verification questions about one claim, each answered relative to the claim."""
    try:
        name = canonical_label(label.label)
    except UnknownLabelError:
        return []
    facts = analyze(context)
    word = facts.words.get(label.word_key)
    if word is None:
        return [
            Evidence(
                question="Is the labelled word on the receipt?",
                answer=Answer.UNKNOWN,
                detail=f"word {label.line_id}/{label.word_id} not loaded",
                source="rule:layout.word",
            )
        ]
    check = _CHECKS.get(name)
    return check(facts, name, word) if check else []


def evaluate_metadata(context: ReceiptContext) -> dict[str, list[Evidence]]:
    """Evidence for the receipt metadata fields (merchant_name, phone_number, address) from the receipt's text."""
    return metadata.metadata_field_evidence(analyze(context))
