"""The one decision policy: evidence with kinds and strengths in, one verdict out.

1. Code decides alone only on evidence of a kind measured right >= 99% of the time (`MEASURED`, from
   `bench/calibration.py`), and never on a kind that real receipts proved unreliable (`OUTSIDE`): a strong answer
   of an allowed kind, or two strong answers of different kinds that agree where that pairing was measured. Code that
   contradicts itself decides nothing.
2. What code leaves open goes to the LLM with the code answers as context. A code refutation is never outvoted (at
   best INVALID when the LLM agrees, else NEEDS_REVIEW); weak code support becomes VALID only when the LLM's answers
   agree; code that contradicts itself is asked too (NEEDS_REVIEW at best, INVALID if the LLM refutes). Only answers
   that say something count: an empty, unreadable or low-confidence answer is no evidence, so when nothing counted
   the label stays PENDING and no model is named.
3. Rules only, what code leaves open stays PENDING: no evidence, no verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.labels import UnknownLabelError, canonical_label
from domain.measured import MEASURED
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWordLabel, ValidationStatus, Verdict

RulesDecision = Callable[[ReceiptWordLabel, list[Evidence]], tuple[ValidationStatus, str, str] | None]
UNDECIDED_BY = "none"
MIN_CASES = 20  # a label's own figure counts from this many cases
BAR = 0.99  # a basis decides alone only when measured right at least this often
OUTSIDE_BAR = 0.97  # ... and, where real receipts measured it, at least this often there

F, P, A, K, S_, M = (
    EvidenceKind.FORM,
    EvidenceKind.POSITION,
    EvidenceKind.ARITHMETIC,
    EvidenceKind.KEYWORD,
    EvidenceKind.STYLE,
    EvidenceKind.METADATA,
)
Basis = frozenset[EvidenceKind]


def canonical(name: str) -> str:
    try:
        return canonical_label(name)
    except UnknownLabelError:
        return name


def basis_name(basis: Basis) -> str:
    return "+".join(sorted(k.value for k in basis))


# Measured outside the project on real receipts (../shared/realworld/README.md, rules at main 2427ccf): how often a
# refutation of each kind was right when it decided alone. Arithmetic's 0.53 was single relations, which are weak
# now; keyword 0.39 and amount style 0.43 were wrong about as often as right. A kind below OUTSIDE_BAR never decides
# alone, however well it does on our own samples; it may still corroborate a kind that is reliable there.
OUTSIDE: dict[EvidenceKind, float] = {F: 0.988, P: 0.92, K: 0.39, S_: 0.43}
# Kinds trustworthy enough on real receipts to be corroborated by a second, independent kind.
_CORROBORABLE = frozenset(k for k in EvidenceKind if OUTSIDE.get(k, 1.0) >= 0.9)


def basis_of(name: str) -> Basis:
    return frozenset(EvidenceKind(k) for k in name.split("+"))


def measured(label: str, answer: Answer, basis: Basis) -> float | None:
    """The recorded precision of deciding `label` on `basis`: the label's own figure where it was seen often
    enough, else the figure over all labels (lowered by any miss the label's few cases showed)."""
    key = f"{'refutes' if answer is Answer.REFUTES else 'supports'}:{basis_name(basis)}"
    overall = MEASURED["*"].get(key)
    if overall is None:
        return None  # never measured: never decides
    own = MEASURED.get(label, {}).get(key)
    if own is None:
        return overall[1]
    n, precision = own
    return precision if n >= MIN_CASES else min(overall[1], precision)


def allowed(label: str, answer: Answer, basis: Basis) -> bool:
    """True when code may decide `label` on this basis alone: measured >= BAR on our receipts, and not shown
    unreliable on real ones (a kind below OUTSIDE_BAR decides only corroborated by a kind that held up there)."""
    if not basis:
        return False
    precision = measured(label, answer, basis)
    if precision is None or precision < BAR:
        return False
    if answer is Answer.SUPPORTS:
        return True
    if len(basis) == 1:
        (kind,) = basis
        return OUTSIDE.get(kind, 1.0) >= OUTSIDE_BAR
    return bool(basis & _CORROBORABLE)


@dataclass(frozen=True)
class Candidate:
    """What code evidence would decide, and on what basis, before the policy asks whether that basis may decide."""

    status: ValidationStatus
    basis: Basis
    evidence: list[Evidence]


def candidates(evidence: Sequence[Evidence]) -> list[Candidate]:
    """Every basis code could decide on, most specific first: each strong kind alone, then the kinds together.

    INVALID rests on a strong refutation, alone or corroborated by refutations of other kinds; VALID on strong
    support, or on supports of two or more kinds. Any strong answer against a side rules that side out (code
    contradicting itself decides nothing), and any refutation at all rules VALID out.
    """
    code = [e for e in evidence if e.by_code]
    refutes = [e for e in code if e.answer is Answer.REFUTES]
    supports = [e for e in code if e.answer is Answer.SUPPORTS]
    strong_refutes = [e for e in refutes if e.strong]
    strong_supports = [e for e in supports if e.strong]
    out: list[Candidate] = []
    if strong_refutes and not strong_supports:
        kinds = frozenset(e.kind for e in strong_refutes)
        for kind in sorted(kinds, key=lambda k: k.value):
            picked = [e for e in strong_refutes if e.kind is kind]
            out.append(Candidate(ValidationStatus.INVALID, frozenset({kind}), picked))
        # Corroboration: a strong refutation of a kind that held up on real receipts, and another kind's refutation
        # (of any strength) that agrees.
        every = frozenset(e.kind for e in refutes)
        if len(every) > 1 and kinds & _CORROBORABLE:
            out.append(
                Candidate(ValidationStatus.INVALID, every, strong_refutes + [e for e in refutes if not e.strong])
            )
    if supports and not refutes:
        kinds = frozenset(e.kind for e in strong_supports)
        for kind in sorted(kinds, key=lambda k: k.value):
            picked = [e for e in strong_supports if e.kind is kind]
            out.append(Candidate(ValidationStatus.VALID, frozenset({kind}), picked))
        every = frozenset(e.kind for e in supports)
        if len(every) > 1:
            out.append(Candidate(ValidationStatus.VALID, every, supports))
    return out


def rules_decision(label: ReceiptWordLabel, evidence: list[Evidence]) -> tuple[ValidationStatus, str, str] | None:
    """(status, reasoning, validated_by) when code evidence decides alone, else None."""
    for c in candidates(evidence):
        answer = Answer.REFUTES if c.status is ValidationStatus.INVALID else Answer.SUPPORTS
        if allowed(canonical(label.label), answer, c.basis):
            negation = "not" if c.status is ValidationStatus.INVALID else ""
            return c.status, _reasoning(label, negation, c), c.evidence[0].source
    return None


def _reasoning(label: ReceiptWordLabel, negation: str, c: Candidate) -> str:
    seen: list[str] = []
    for e in c.evidence:
        line = f"{e.question} {e.answer.value}: {e.detail}".strip()
        if line not in seen:
            seen.append(line)
    verdict = f"Word {label.line_id}/{label.word_id} is {negation + ' ' if negation else ''}a {label.label}"
    return f"{verdict} (rules: {basis_name(c.basis)}). " + " ".join(f"[{s}]" for s in seen[:4])


def _summary(evidence: Sequence[Evidence]) -> str:
    parts = []
    for e in evidence:
        conf = f" ({e.confidence:.2f})" if e.kind is EvidenceKind.LLM else f" [{e.kind.value}, {e.strength.value}]"
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


def by_rules(label: ReceiptWordLabel, code: list[Evidence], decide: RulesDecision = rules_decision) -> Verdict | None:
    """The verdict of code alone, or None when code cannot decide."""
    decided = decide(label, code)
    if decided is None:
        return None
    status, reasoning, validated_by = decided
    return Verdict(label=label, status=status, reasoning=reasoning, validated_by=validated_by, evidence=code)


def counts(e: Evidence, threshold: float) -> bool:
    """An LLM answer counts only when it says something: supports or refutes, with confidence at the threshold."""
    return e.answer is not Answer.UNKNOWN and e.confidence >= threshold


def with_llm(
    label: ReceiptWordLabel,
    code: list[Evidence],
    llm: list[Evidence],
    *,
    model: str,
    threshold: float,
) -> Verdict:
    """Combines code evidence that did not decide with the LLM's independent answers (those that say something)."""
    heard = [e for e in llm if counts(e, threshold)]
    evidence = [*code, *llm]
    if not heard:
        return pending(label, f"no decision: no usable LLM answer: {_summary(evidence)}", evidence)
    code_refutes = any(e.answer is Answer.REFUTES for e in code)
    code_supports = any(e.answer is Answer.SUPPORTS for e in code)
    all_support = all(e.answer is Answer.SUPPORTS for e in heard)
    all_refute = all(e.answer is Answer.REFUTES for e in heard)
    complete = len(heard) == len(llm)

    if code_refutes:
        status = ValidationStatus.INVALID if all_refute else ValidationStatus.NEEDS_REVIEW
        why = "code refutes and the LLM agrees" if all_refute else "code refutes; the LLM does not confirm"
    elif code_supports:
        status = ValidationStatus.VALID if all_support else ValidationStatus.NEEDS_REVIEW
        why = "code supports and the LLM agrees" if all_support else "code supports; the LLM refutes"
    elif all_support and complete:
        status, why = ValidationStatus.VALID, "independent LLM answers agree with the label"
    elif all_refute and complete:
        status, why = ValidationStatus.INVALID, "independent LLM answers agree against the label"
    else:
        status, why = ValidationStatus.NEEDS_REVIEW, "LLM answers conflict or some say nothing"
    return Verdict(
        label=label,
        status=status,
        reasoning=f"{why}: {_summary(evidence)}",
        validated_by=f"cove:{model}",
        evidence=evidence,
    )
