"""Stub deterministic checks, injected into the verifier in place of `domain.checks` (no monkeypatching)."""

from __future__ import annotations

from domain.cove.settings import LLMSettings
from domain.cove.verifier import Verifier, build_verifier
from domain.model import (
    Answer,
    Evidence,
    EvidenceKind,
    ReceiptContext,
    ReceiptWordLabel,
    Strength,
    ValidationStatus,
)


class StubChecks:
    """Code evidence scripted per claim id (`line/word/LABEL`), and a rules policy: strong evidence decides."""

    def __init__(self, evidence: dict[str, list[Evidence]] | None = None) -> None:
        self.evidence = evidence or {}
        self.evaluated: list[str] = []

    def evaluate(self, context: ReceiptContext, claims: list[ReceiptWordLabel]) -> dict[str, list[Evidence]]:
        self.evaluated += [c.claim_id for c in claims]
        return {c.claim_id: list(self.evidence.get(c.claim_id, [])) for c in claims}

    @staticmethod
    def rules_decision(label: ReceiptWordLabel, evidence: list[Evidence]) -> tuple[ValidationStatus, str, str] | None:
        refute = [e for e in evidence if e.strong and e.answer is Answer.REFUTES]
        if refute and any(e.strong and e.answer is Answer.SUPPORTS for e in evidence):
            return None  # strong answers in conflict decide nothing (as domain.decision)
        if refute:
            return ValidationStatus.INVALID, refute[0].detail, refute[0].source
        support = [e for e in evidence if e.strong and e.answer is Answer.SUPPORTS]
        if support and not any(e.answer is Answer.REFUTES for e in evidence):
            return ValidationStatus.VALID, support[0].detail, support[0].source
        return None


def code(
    answer: Answer, *, decisive: bool = False, check: str = "amounts", kind: EvidenceKind = EvidenceKind.FORM
) -> Evidence:
    """One piece of code evidence as a check module would give it (`decisive` = strong enough to decide here)."""
    return Evidence(
        question=f"{check} check",
        answer=answer,
        detail=f"{check} says {answer.value}",
        source=f"rule:{check}",
        kind=kind,
        strength=Strength.STRONG if decisive else Strength.WEAK,
    )


def rules_only_verifier(checks: StubChecks | None = None) -> Verifier:
    checks = checks or StubChecks()
    return build_verifier(LLMSettings(provider="none"), evaluate=checks.evaluate, rules_decision=checks.rules_decision)
