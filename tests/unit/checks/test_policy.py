"""rules_decision: when code evidence decides, and when it leaves the label to the LLM."""

from __future__ import annotations

import pytest

from domain.checks.policy import rules_decision
from domain.model import Answer, Evidence, ReceiptWordLabel, ValidationStatus

LABEL = ReceiptWordLabel(image_id="img", receipt_id=1, line_id=3, word_id=2, label="GRAND_TOTAL")
S, R, U = Answer.SUPPORTS, Answer.REFUTES, Answer.UNKNOWN


def ev(answer: Answer, decisive: bool = False, check: str = "amounts.sum", source: str = "rule") -> Evidence:
    return Evidence(question="q?", answer=answer, detail="d", source=f"{source}:{check}", decisive=decisive)


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        ([], None),
        ([ev(U)], None),
        ([ev(R, True)], ValidationStatus.INVALID),
        ([ev(S, True)], ValidationStatus.VALID),
        ([ev(S, True), ev(S, False, "amounts.keyword")], ValidationStatus.VALID),
        ([ev(S, False, "a.x"), ev(S, False, "a.y")], ValidationStatus.VALID),  # several agreeing
        ([ev(S, False, "a.x"), ev(S, False, "a.x")], None),  # one check twice is not agreement
        ([ev(S, False)], None),  # a single weak support
        ([ev(S, True), ev(R, True, "amounts.keyword")], None),  # conflicting decisive answers
        ([ev(S, True), ev(R, False, "amounts.keyword")], None),  # any refutation blocks VALID
        ([ev(R, True), ev(S, False, "amounts.keyword")], ValidationStatus.INVALID),
        ([ev(R, False), ev(R, False, "a.y")], None),  # weak refutations leave it to the LLM
        ([ev(S, True, source="cove")], None),  # only code evidence decides here
    ],
)
def test_rules_decision(evidence: list[Evidence], expected: ValidationStatus | None) -> None:
    decision = rules_decision(LABEL, evidence)
    assert (decision[0] if decision else None) == expected


def test_decision_names_the_deciding_check_and_explains() -> None:
    decision = rules_decision(LABEL, [ev(R, True, "amounts.keyword")])
    assert decision is not None
    status, reasoning, validated_by = decision
    assert status is ValidationStatus.INVALID
    assert validated_by == "rule:amounts.keyword"
    assert "GRAND_TOTAL" in reasoning and "refutes" in reasoning
