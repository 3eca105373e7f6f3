"""The decision policy: evidence in, one verdict out.

1. The rules decide first (`rules_decision`); an uncontested decisive code refutation is INVALID whatever else is
   said. Decisive code answers that contradict each other give NEEDS_REVIEW (with an LLM on) or stay PENDING.
2. With LLM answers: a code refutation is never outvoted (at best INVALID when the LLM agrees, else NEEDS_REVIEW);
   code support stands unless the LLM refutes it with high confidence (then NEEDS_REVIEW); LLM answers alone decide
   only when they all agree with high confidence, else NEEDS_REVIEW.
3. Without LLM answers, what the rules leave undecided stays PENDING: no evidence, no verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from domain.model import Answer, Evidence, ReceiptWordLabel, ValidationStatus, Verdict

RulesDecision = Callable[[ReceiptWordLabel, list[Evidence]], tuple[ValidationStatus, str, str] | None]
UNDECIDED_BY = "none"


def _summary(evidence: Sequence[Evidence]) -> str:
    parts = []
    for e in evidence:
        conf = f" ({e.confidence:.2f})" if e.source.startswith("cove:") else ""
        parts.append(f"{e.question}: {e.answer.value}{' - ' + e.detail if e.detail else ''}{conf}")
    return "; ".join(parts)


def pending(label: ReceiptWordLabel, reason: str, evidence: Sequence[Evidence] = ()) -> Verdict:
    """A non-decision: nothing is written for it."""
    return Verdict(
        label=label,
        status=ValidationStatus.PENDING,
        reasoning=reason,
        validated_by=UNDECIDED_BY,
        evidence=list(evidence),
    )


def by_rules(label: ReceiptWordLabel, code: list[Evidence], rules_decision: RulesDecision) -> Verdict | None:
    """The verdict of code alone, or None when code cannot decide."""
    decided = rules_decision(label, code)
    if decided is not None:
        status, reasoning, validated_by = decided
        return Verdict(label=label, status=status, reasoning=reasoning, validated_by=validated_by, evidence=code)
    # The policy's invariant holds even where the rules table has no entry: an uncontested decisive refutation is
    # final. Decisive answers that contradict each other decide nothing here (see `conflicting`).
    decisive = [e for e in code if e.decisive and e.answer is Answer.REFUTES]
    if decisive and not conflicting(code):
        return Verdict(
            label=label,
            status=ValidationStatus.INVALID,
            reasoning=_summary(decisive),
            validated_by=decisive[0].source,
            evidence=code,
        )
    return None


def conflicting(code: list[Evidence]) -> bool:
    """Decisive code answers on both sides: code contradicts itself, so a person must look."""
    decisive = {e.answer for e in code if e.decisive}
    return Answer.SUPPORTS in decisive and Answer.REFUTES in decisive


def code_conflict(label: ReceiptWordLabel, code: list[Evidence]) -> Verdict:
    """NEEDS_REVIEW for self-contradicting code evidence (only when an LLM is on: rules alone leave it PENDING)."""
    return Verdict(
        label=label,
        status=ValidationStatus.NEEDS_REVIEW,
        reasoning=f"decisive code answers conflict: {_summary(code)}",
        validated_by="rule:conflict",
        evidence=code,
    )


def with_llm(
    label: ReceiptWordLabel,
    code: list[Evidence],
    llm: list[Evidence],
    *,
    model: str,
    threshold: float,
) -> Verdict:
    """Combines code evidence (not decisive on its own) with the LLM's independent answers."""

    def strong(e: Evidence) -> bool:
        return e.confidence >= threshold

    code_refutes = any(e.answer is Answer.REFUTES for e in code)
    code_supports = any(e.answer is Answer.SUPPORTS for e in code)
    all_support = bool(llm) and all(e.answer is Answer.SUPPORTS and strong(e) for e in llm)
    all_refute = bool(llm) and all(e.answer is Answer.REFUTES and strong(e) for e in llm)
    strong_refute = any(e.answer is Answer.REFUTES and strong(e) for e in llm)

    if code_refutes:
        status = ValidationStatus.INVALID if all_refute else ValidationStatus.NEEDS_REVIEW
        why = "code refutes and the LLM agrees" if all_refute else "code refutes; the LLM does not confirm"
    elif code_supports:
        status = ValidationStatus.NEEDS_REVIEW if strong_refute else ValidationStatus.VALID
        why = "code supports; the LLM refutes" if strong_refute else "code supports; the LLM does not refute"
    elif all_support:
        status, why = ValidationStatus.VALID, "independent LLM answers agree with the label"
    elif all_refute:
        status, why = ValidationStatus.INVALID, "independent LLM answers agree against the label"
    else:
        status, why = ValidationStatus.NEEDS_REVIEW, "LLM answers conflict or are not confident"
    evidence = [*code, *llm]
    return Verdict(
        label=label,
        status=status,
        reasoning=f"{why}: {_summary(evidence)}",
        validated_by=f"cove:{model}",
        evidence=evidence,
    )
