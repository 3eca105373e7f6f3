"""Graph decisions: rules first, LLM answers compared by code, code refutation never outvoted."""

from __future__ import annotations

import re

import pytest

from domain.model import Answer, ValidationStatus
from tests.fakes.checks import StubChecks, code, rules_only_verifier
from tests.fakes.ollama_server import ChatRequest, FakeOllama, asked_words, truth_responder
from tests.fakes.receipts import GROCERY_TRUTH, grocery
from tests.unit.conftest import MakeVerifier

V, INV, R, P = (
    ValidationStatus.VALID,
    ValidationStatus.INVALID,
    ValidationStatus.NEEDS_REVIEW,
    ValidationStatus.PENDING,
)


def statuses(result) -> dict[str, ValidationStatus]:
    return {v.label.claim_id: v.status for v in result.verdicts}


def test_rules_only_decides_what_code_can_and_leaves_the_rest_pending() -> None:
    checks = StubChecks(
        {
            "9/2/GRAND_TOTAL": [code(Answer.SUPPORTS, decisive=True)],
            "7/2/GRAND_TOTAL": [code(Answer.REFUTES, decisive=True)],
            "8/2/TAX": [code(Answer.SUPPORTS)],  # support that is not decisive does not decide alone
        }
    )
    ctx = grocery(wrong={(7, 2): "GRAND_TOTAL"})
    result = rules_only_verifier(checks).verify(ctx, ctx.labels)
    got = statuses(result)
    assert got["9/2/GRAND_TOTAL"] is V
    assert got["7/2/GRAND_TOTAL"] is INV
    assert {s for cid, s in got.items() if cid not in ("9/2/GRAND_TOTAL", "7/2/GRAND_TOTAL")} == {P}
    assert R not in got.values()
    assert result.llm_calls == 0 and result.errors == []
    by = {v.label.claim_id: v.validated_by for v in result.verdicts}
    assert by["9/2/GRAND_TOTAL"] == "rule:amounts"


def test_llm_agreeing_answers_decide(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    ctx = grocery(wrong={(7, 2): "GRAND_TOTAL", (9, 1): "TAX"})
    result = make_verifier().verify(ctx, ctx.labels)
    got = statuses(result)
    assert got.pop("7/2/GRAND_TOTAL") is INV
    assert got.pop("9/1/TAX") is INV
    assert set(got.values()) == {V}
    assert all(v.validated_by == "cove:fake-model" for v in result.verdicts)
    assert all(v.reasoning for v in result.verdicts)
    assert result.llm_calls == fake_ollama.calls == 2


def test_low_confidence_answers_are_no_evidence(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH, confidence=0.5)
    ctx = grocery()
    result = make_verifier().verify(ctx, ctx.labels)
    assert set(statuses(result).values()) == {P}
    assert {v.validated_by for v in result.verdicts} == {"none"}


def _says_nothing(kind: str):
    """A fake model whose answers say nothing: empty lists, or roles that are no label at all."""

    def respond(req: ChatRequest) -> dict:
        if kind == "unreadable" and req.schema_title == "RoleAnswers":
            rows = asked_words(req.prompt)
            return {"answers": [{"word": f"{k[0]}/{k[1]}", "role": "banana", "confidence": 0.99} for k in rows]}
        if kind == "unreadable" and req.schema_title == "LocateAnswers":
            return {"answers": [{"question": "nonsense", "words": ["1/1"], "confidence": 0.99}]}
        return {"answers": []}

    return respond


@pytest.mark.parametrize("kind", ["empty", "unreadable"])
def test_an_answer_that_says_nothing_never_turns_weak_support_into_a_verdict(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier, kind: str
) -> None:
    """The real ChatOllama client against the fake server: weak code support plus silence stays PENDING."""
    fake_ollama.responder = _says_nothing(kind)
    checks = StubChecks({"9/2/GRAND_TOTAL": [code(Answer.SUPPORTS)], "8/2/TAX": [code(Answer.REFUTES)]})
    ctx = grocery()
    result = make_verifier(checks).verify(ctx, ctx.labels)
    assert fake_ollama.calls >= 2 and result.errors == []
    by_claim = {v.label.claim_id: v for v in result.verdicts}
    for claim_id in ("9/2/GRAND_TOTAL", "8/2/TAX"):
        assert by_claim[claim_id].status is P, claim_id
        assert not by_claim[claim_id].validated_by.startswith("cove:"), claim_id
    assert set(statuses(result).values()) == {P}


def test_the_model_is_named_only_when_its_answer_counted(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    checks = StubChecks({"9/2/GRAND_TOTAL": [code(Answer.SUPPORTS)]})
    ctx = grocery()
    verdict = next(
        v for v in make_verifier(checks).verify(ctx, ctx.labels).verdicts if v.label.claim_id == "9/2/GRAND_TOTAL"
    )
    assert verdict.status is V and verdict.validated_by == "cove:fake-model"


def test_disagreeing_answers_give_needs_review(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    # The role answer agrees with the (wrong) claim; the open "which words" answer points elsewhere.
    fake_ollama.responder = truth_responder(
        GROCERY_TRUTH, role_override=lambda key, role: "GRAND_TOTAL" if key == (9, 1) else role
    )
    ctx = grocery(wrong={(9, 1): "GRAND_TOTAL"})
    result = make_verifier().verify(ctx, ctx.labels)
    got = statuses(result)
    assert got["9/1/GRAND_TOTAL"] is R
    assert got["9/2/GRAND_TOTAL"] is V


def test_code_refutation_beats_llm(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    # The fake model says every claim is right (it answers with the claimed labels).
    claimed = {**GROCERY_TRUTH, (7, 2): "GRAND_TOTAL", (9, 1): "GRAND_TOTAL"}
    fake_ollama.responder = truth_responder(claimed)
    checks = StubChecks(
        {
            "7/2/GRAND_TOTAL": [code(Answer.REFUTES, decisive=True)],
            "9/1/GRAND_TOTAL": [code(Answer.REFUTES)],  # not decisive: the LLM still cannot make it VALID
        }
    )
    ctx = grocery(wrong={(7, 2): "GRAND_TOTAL", (9, 1): "GRAND_TOTAL"})
    ctx.labels = [lb for lb in ctx.labels if lb.claim_id not in ("7/2/SUBTOTAL", "9/1/TAX")]
    result = make_verifier(checks).verify(ctx, ctx.labels)
    got = statuses(result)
    assert got["7/2/GRAND_TOTAL"] is INV
    assert got["9/1/GRAND_TOTAL"] is R
    # A claim the rules decided gets no LLM question at all.
    asked = {k for p in fake_ollama.prompts for k in asked_words(p)}
    assert (7, 2) not in asked
    assert (9, 1) in asked


def test_code_support_stands_unless_llm_refutes_strongly(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    checks = StubChecks(
        {
            "8/2/TAX": [code(Answer.SUPPORTS)],  # LLM agrees -> VALID
            "9/1/TAX": [code(Answer.SUPPORTS)],  # LLM refutes with confidence -> NEEDS_REVIEW
        }
    )
    ctx = grocery(wrong={(9, 1): "TAX"})
    got = statuses(make_verifier(checks).verify(ctx, ctx.labels))
    assert got["8/2/TAX"] is V
    assert got["9/1/TAX"] is R


def test_shared_questions_are_asked_once(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    # Two claims on one word, two claims of one label type.
    ctx = grocery(wrong={(9, 2): "TAX", (9, 1): "GRAND_TOTAL"})
    make_verifier().verify(ctx, ctx.labels)
    role_rows = [k for p in fake_ollama.prompts for k in asked_words(p)]
    assert len(role_rows) == len(set(role_rows))
    locate = [p for p in fake_ollama.prompts if "<questions>" in p]
    assert len(locate) == 1
    assert locate[0].count("Final amount due") == 1


def test_unknown_label_without_a_usable_plan_stays_pending(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier
) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    ctx = grocery(wrong={(5, 1): "FRUIT_KIND"})
    result = make_verifier().verify(ctx, ctx.labels)
    assert statuses(result)["5/1/FRUIT_KIND"] is P
    assert result.errors == []
    assert [r.schema_title for r in fake_ollama.requests].count("PlanQuestions") == 1


def planner(plan: list[dict], answers: dict[str, str]):
    """A fake model that plans `plan` and answers open questions by their text."""
    base = truth_responder(GROCERY_TRUTH)

    def respond(req: ChatRequest) -> dict:
        if req.schema_title == "PlanQuestions":
            return {"questions": plan}
        if req.schema_title == "OpenAnswers":
            rows = re.findall(r"^(q\d+): (.*)$", req.prompt, re.M)
            return {"answers": [{"question": q, "answer": answers.get(t, ""), "confidence": 0.9} for q, t in rows]}
        return base(req)

    return respond


def test_llm_plans_where_no_template_fits_and_answers_without_the_claim(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier
) -> None:
    plan = [
        {"claim": "c1", "question": "What kind of produce is listed on line 5?", "expected": "fruit"},
        {"claim": "c1", "question": "Which item on line 5 is a fruit kind?", "expected": "bananas"},  # leaks: dropped
        {"claim": "c1", "question": "What is the first word of line 5?", "expected": "BANANAS"},
    ]
    fake_ollama.responder = planner(
        plan, {"What kind of produce is listed on line 5?": "fruit", "What is the first word of line 5?": "Bananas"}
    )
    ctx = grocery(wrong={(5, 1): "FRUIT_KIND"})
    result = make_verifier().verify(ctx, ctx.labels)
    verdict = next(v for v in result.verdicts if v.label.claim_id == "5/1/FRUIT_KIND")
    assert verdict.status is V and verdict.validated_by == "cove:fake-model"
    planning = [r for r in fake_ollama.requests if r.schema_title == "PlanQuestions"]
    answering = [r for r in fake_ollama.requests if r.schema_title == "OpenAnswers"]
    assert len(planning) == 1 and "FRUIT_KIND" in planning[0].prompt  # planning sees the claim
    assert len(answering) == 1
    assert "FRUIT_KIND" not in answering[0].prompt and "fruit kind" not in answering[0].prompt.lower()
    assert "What is the first word of line 5?" in answering[0].prompt
    assert result.llm_calls == 4  # plan, roles, which-words, open answers


def test_open_answers_that_differ_from_the_plan_refute(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    plan = [{"claim": "c1", "question": "What is the first word of line 5?", "expected": "MILK"}]
    fake_ollama.responder = planner(plan, {"What is the first word of line 5?": "BANANAS"})
    ctx = grocery(wrong={(5, 1): "FRUIT_KIND"})
    got = statuses(make_verifier().verify(ctx, ctx.labels))
    assert got["5/1/FRUIT_KIND"] is INV


def test_legacy_alias_is_verified_as_its_canonical_label(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    ctx = grocery(wrong={(9, 2): "TOTAL"})
    got = statuses(make_verifier().verify(ctx, ctx.labels))
    assert got["9/2/TOTAL"] is V


def test_conflicting_code_goes_to_the_llm_and_stays_pending_without_an_answer(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier
) -> None:
    """Code that contradicts itself decides nothing; the LLM's answer can at best ask a person (a code refutation is
    never outvoted), and with no answer (rules only, or the LLM down) the label stays as it was."""
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    checks = StubChecks(
        {"9/2/GRAND_TOTAL": [code(Answer.SUPPORTS, decisive=True), code(Answer.REFUTES, decisive=True, check="x")]}
    )
    ctx = grocery()
    with_llm = statuses(make_verifier(checks).verify(ctx, ctx.labels))
    rules = statuses(rules_only_verifier(checks).verify(ctx, ctx.labels))
    assert with_llm["9/2/GRAND_TOTAL"] is R
    assert rules["9/2/GRAND_TOTAL"] is P
    assert (9, 2) in {k for p in fake_ollama.prompts for k in asked_words(p)}
    fake_ollama.fault = "500"
    down = make_verifier(checks, max_retries=0).verify(ctx, ctx.labels)
    assert statuses(down)["9/2/GRAND_TOTAL"] is P
