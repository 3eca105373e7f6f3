"""The one way judging states a piece of evidence: the question, the answer, what it rests on and how strong it is."""

from __future__ import annotations

from domain.model import Answer, Evidence, EvidenceKind, Strength


def ev(
    check: str,
    question: str,
    answer: Answer,
    detail: str,
    kind: EvidenceKind,
    *,
    strong: bool = False,
) -> Evidence:
    """Evidence from the check `family.name` (stored as `rule:family.name`, the `validated_by` of a rules verdict)."""
    return Evidence(
        question=question,
        answer=answer,
        detail=detail,
        source=f"rule:{check}",
        kind=kind,
        strength=Strength.STRONG if strong else Strength.WEAK,
    )
