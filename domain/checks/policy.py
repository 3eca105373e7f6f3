"""When code evidence alone decides a label, and when it must be left to the LLM (or stay PENDING)."""

from __future__ import annotations

from domain.model import Answer, Evidence, ReceiptWordLabel, ValidationStatus

# Independent non-decisive supports needed to call a label VALID without the LLM.
AGREEING_SUPPORTS = 2


def rules_decision(label: ReceiptWordLabel, evidence: list[Evidence]) -> tuple[ValidationStatus, str, str] | None:
    """(status, reasoning, validated_by) when code evidence decides, else None.

    A decisive refutation makes the label INVALID; decisive support, or several agreeing supports from different
    checks, with no refutation at all makes it VALID. Decisive answers that conflict decide nothing: the caller
    turns that into NEEDS_REVIEW when an LLM is on, and leaves the label PENDING otherwise.
    """
    code = [e for e in evidence if e.source.startswith("rule:")]
    refutes = [e for e in code if e.answer is Answer.REFUTES]
    supports = [e for e in code if e.answer is Answer.SUPPORTS]
    decisive_refutes = [e for e in refutes if e.decisive]
    decisive_supports = [e for e in supports if e.decisive]
    if decisive_refutes and decisive_supports:
        return None
    if decisive_refutes:
        first = decisive_refutes[0]
        return ValidationStatus.INVALID, _reasoning(label, "not", decisive_refutes + refutes), first.source
    if refutes:
        return None
    if decisive_supports or len({e.source for e in supports}) >= AGREEING_SUPPORTS:
        first = (decisive_supports or supports)[0]
        return ValidationStatus.VALID, _reasoning(label, "", decisive_supports + supports), first.source
    return None


def _reasoning(label: ReceiptWordLabel, negation: str, evidence: list[Evidence]) -> str:
    seen: list[str] = []
    for e in evidence:
        line = f"{e.question} {e.answer.value}: {e.detail}".strip()
        if line not in seen:
            seen.append(line)
    verdict = f"Word {label.line_id}/{label.word_id} is {negation + ' ' if negation else ''}a {label.label}"
    return f"{verdict} (rules). " + " ".join(f"[{s}]" for s in seen[:4])
