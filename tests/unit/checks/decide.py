"""Runs one claim through evaluate + rules_decision, as the service does without an LLM."""

from __future__ import annotations

from domain.checks import evaluate
from domain.decision import rules_decision
from domain.model import ReceiptContext
from tests.fakes.receipts import label_on


def decide(context: ReceiptContext, text: str, label: str, occurrence: int = 0) -> str | None:
    """'VALID', 'INVALID' or None (undecided) for the claim `label` on the word `text`."""
    claim = label_on(context, text, label, occurrence)
    decision = rules_decision(claim, evaluate(context, claim))
    return decision[0].value if decision else None
