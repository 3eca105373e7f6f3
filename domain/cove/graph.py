"""The CoVe graph over one receipt: check -> plan -> answer (fan-out with Send) -> decide.

- check:  code answers its questions about every claim (`evaluate`); the rules decide what they can.
- plan:   templated open questions for the claims left; shared questions are asked once per receipt.
- plan_llm: only for claims no template fits (labels outside the taxonomy): the LLM plans open questions.
- answer: one structured LLM call per batch of independent questions; batches run in parallel via `Send`, each
          split until its prompt fits the largest context window allowed (`sizing.py`).
- decide: code compares each answer with its claim, then the policy in `domain/decision.py` gives the verdict.
An LLM failure marks the batch's questions failed; claims that needed them get no decision.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from domain import decision as policy
from domain.cove.llm import LLMUnavailable, StructuredLLM
from domain.cove.prompts import (
    SYSTEM,
    LocateAnswers,
    OpenAnswers,
    PlanQuestions,
    RoleAnswers,
    locate_ids,
    locate_prompt,
    open_ids,
    open_prompt,
    plan_ids,
    plan_prompt,
    role_prompt,
)
from domain.cove.questions import (
    Answered,
    Family,
    Question,
    compare,
    leaks_claim,
    open_question,
    parse_word_ref,
    questions_for,
)
from domain.cove.settings import LLMSettings
from domain.cove.sizing import split_to_fit, tokens_needed
from domain.model import Evidence, ReceiptContext, ReceiptWordLabel, Verdict

# Code evidence per claim id, the receipt read once for all its claims.
Evaluate = Callable[[ReceiptContext, list[ReceiptWordLabel]], dict[str, list[Evidence]]]


def _merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    return {**(left or {}), **(right or {})}


class CoveState(TypedDict, total=False):
    context: ReceiptContext
    claims: list[ReceiptWordLabel]
    code: dict[str, list[Evidence]]  # claim_id -> code evidence
    ruled: dict[str, Verdict]  # claim_id -> verdict of the rules
    unplanned: list[str]  # claim ids no template fits: the LLM plans their questions
    asks: dict[str, list[str]]  # claim_id -> question keys it needs
    questions: dict[str, Question]  # key -> question, each once per receipt
    answers: Annotated[dict[str, Answered], _merge]
    failed: Annotated[dict[str, str], _merge]  # question key -> why it has no answer
    llm_calls: Annotated[int, operator.add]
    errors: Annotated[list[str], operator.add]
    verdicts: list[Verdict]


class AnswerTask(TypedDict):
    """What one `answer` branch gets through `Send`: the receipt and one batch of same-family questions."""

    context: ReceiptContext
    family: str
    batch: list[Question]


def _chunks(items: list[Question], size: int) -> list[list[Question]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


_PROMPTS = {Family.ROLE: role_prompt, Family.LOCATE: locate_prompt, Family.OPEN: open_prompt}


def _fitting(
    context: ReceiptContext, family: Family, batch: list[Question], settings: LLMSettings
) -> list[list[Question]]:
    """`batch` split until each part's prompt and answer fit the largest context window allowed (`sizing.py`)."""
    prompt = _PROMPTS[family]

    def needed(part: list[Question]) -> int:
        return tokens_needed(SYSTEM, prompt(context, part), len(part), settings.answer_tokens)

    return split_to_fit(batch, needed, settings.num_ctx_max)


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


def build_graph(
    settings: LLMSettings,
    llm: StructuredLLM | None,
    evaluate: Evaluate,
    rules_decision: policy.RulesDecision,
) -> Any:
    """Compiles the graph; built once per process (the verifier holds it)."""
    source = f"cove:{llm.model}" if llm else "cove:none"

    def check(state: CoveState) -> dict[str, Any]:
        code = evaluate(state["context"], state["claims"])
        ruled: dict[str, Verdict] = {}
        for claim in state["claims"]:
            evidence = code.setdefault(claim.claim_id, [])
            verdict = policy.by_rules(claim, evidence, rules_decision)
            if verdict is not None:
                ruled[claim.claim_id] = verdict
        return {"code": code, "ruled": ruled}

    def plan(state: CoveState) -> dict[str, Any]:
        if llm is None:
            return {"asks": {}, "questions": {}, "unplanned": []}
        asks: dict[str, list[str]] = {}
        questions: dict[str, Question] = {}
        unplanned: list[str] = []
        for claim in state["claims"]:
            if claim.claim_id in state["ruled"]:
                continue
            planned = questions_for(claim)
            if planned is None:  # outside the taxonomy: the LLM plans (rare)
                unplanned.append(claim.claim_id)
                continue
            asks[claim.claim_id] = [q.key for q in planned]
            for q in planned:
                questions.setdefault(q.key, q)
        return {"asks": asks, "questions": questions, "unplanned": unplanned}

    def after_plan(state: CoveState) -> list[Send] | str:
        return "plan_llm" if state.get("unplanned") else fan_out(state)

    def plan_llm(state: CoveState) -> dict[str, Any]:
        """CoVe's planning step by the LLM, for claims no template covers; it sees the claims, answering won't."""
        assert llm is not None
        claims = [c for c in state["claims"] if c.claim_id in state["unplanned"]]
        asks = dict(state["asks"])
        questions = dict(state["questions"])
        try:
            reply = llm.ask(PlanQuestions, SYSTEM, plan_prompt(state["context"], claims), answer_items=2 * len(claims))
        except LLMUnavailable as exc:
            for c in claims:
                asks[c.claim_id] = [f"plan:{c.claim_id}"]
            return {
                "asks": asks,
                "failed": {f"plan:{c.claim_id}": str(exc) for c in claims},
                "llm_calls": exc.attempts,
                "errors": [f"llm plan: {exc}"],
            }
        ids = plan_ids(claims)
        for item in reply.value.questions:
            claim = ids.get(item.claim.strip())
            if claim is None or not item.question.strip() or not item.expected.strip():
                continue
            if leaks_claim(item.question, claim) or len(asks.get(claim.claim_id, [])) >= 2:
                continue  # a question naming the label would show the claim to the answering call
            q = open_question(claim.claim_id, len(asks.get(claim.claim_id, [])), item.question, item.expected)
            asks.setdefault(claim.claim_id, []).append(q.key)
            questions[q.key] = q
        return {"asks": asks, "questions": questions, "llm_calls": reply.attempts}

    def fan_out(state: CoveState) -> list[Send] | str:
        questions = sorted(state.get("questions", {}).values(), key=lambda q: (q.word or (0, 0), q.key))
        sends = []
        sizes = (
            (Family.ROLE, settings.role_batch_size),
            (Family.LOCATE, settings.locate_batch_size),
            (Family.OPEN, settings.locate_batch_size),
        )
        for family, size in sizes:
            batch = [q for q in questions if q.family is family]
            for chunk in _chunks(batch, size):
                for part in _fitting(state["context"], family, chunk, settings):
                    sends.append(Send("answer", AnswerTask(context=state["context"], family=family.value, batch=part)))
        return sends or "decide"

    def answer(task: AnswerTask) -> dict[str, Any]:
        assert llm is not None
        questions = task["batch"]
        n = len(questions)
        try:
            if task["family"] == Family.ROLE:
                reply = llm.ask(RoleAnswers, SYSTEM, role_prompt(task["context"], questions), answer_items=n)
                answers = _read_roles(questions, reply.value)
            elif task["family"] == Family.LOCATE:
                reply = llm.ask(LocateAnswers, SYSTEM, locate_prompt(task["context"], questions), answer_items=n)
                answers = _read_located(questions, reply.value)
            else:
                reply = llm.ask(OpenAnswers, SYSTEM, open_prompt(task["context"], questions), answer_items=n)
                answers = _read_open(questions, reply.value)
        except LLMUnavailable as exc:
            return {
                "failed": {q.key: str(exc) for q in questions},
                "llm_calls": exc.attempts,
                "errors": [f"llm {task['family']} batch: {exc}"],
            }
        return {"answers": answers, "llm_calls": reply.attempts}

    def _read_roles(questions: list[Question], value: RoleAnswers) -> dict[str, Answered]:
        by_word = {}
        for item in value.answers:
            key = parse_word_ref(item.word)
            if key is not None:
                by_word.setdefault(key, item)
        out = {}
        for q in questions:
            item = by_word.get(q.word) if q.word else None
            out[q.key] = Answered(
                key=q.key,
                role=item.role if item else None,
                confidence=_clamp(item.confidence) if item else 0.0,
                source=source,
            )
        return out

    def _read_located(questions: list[Question], value: LocateAnswers) -> dict[str, Answered]:
        ids = locate_ids(questions)
        found = {}
        for item in value.answers:
            q = ids.get(item.question.strip())
            if q is not None and q.key not in found:
                words = [k for k in (parse_word_ref(w) for w in item.words) if k is not None]
                found[q.key] = Answered(key=q.key, words=words, confidence=_clamp(item.confidence), source=source)
        return {q.key: found.get(q.key, Answered(key=q.key, source=source)) for q in questions}

    def _read_open(questions: list[Question], value: OpenAnswers) -> dict[str, Answered]:
        ids = open_ids(questions)
        found = {}
        for item in value.answers:
            q = ids.get(item.question.strip())
            if q is not None and q.key not in found:
                found[q.key] = Answered(key=q.key, text=item.answer, confidence=_clamp(item.confidence), source=source)
        return {q.key: found.get(q.key, Answered(key=q.key, source=source)) for q in questions}

    def decide(state: CoveState) -> dict[str, Any]:
        verdicts = []
        answers = state.get("answers", {})
        failed = state.get("failed", {})
        questions = state.get("questions", {})
        for claim in state["claims"]:
            cid = claim.claim_id
            code = state["code"][cid]
            if cid in state["ruled"]:
                verdicts.append(state["ruled"][cid])
                continue
            keys = state.get("asks", {}).get(cid)
            if llm is None:
                verdicts.append(policy.pending(claim, "the rules do not decide and no LLM is configured", code))
            elif keys is None:
                verdicts.append(
                    policy.pending(
                        claim, f"no template fits label {claim.label} and the LLM planned no usable question", code
                    )
                )
            elif errs := [failed[k] for k in keys if k in failed]:
                verdicts.append(policy.pending(claim, f"LLM unavailable, no decision: {errs[0]}", code))
            else:
                llm_evidence = [compare(claim, questions[k], answers[k]) for k in keys]
                verdicts.append(
                    policy.with_llm(claim, code, llm_evidence, model=llm.model, threshold=settings.confidence_threshold)
                )
        return {"verdicts": verdicts}

    graph = StateGraph(CoveState)
    graph.add_node("check", check)
    graph.add_node("plan", plan)
    graph.add_node("plan_llm", plan_llm)
    graph.add_node("answer", answer)
    graph.add_node("decide", decide)
    graph.add_edge(START, "check")
    graph.add_edge("check", "plan")
    graph.add_conditional_edges("plan", after_plan, ["plan_llm", "answer", "decide"])
    graph.add_conditional_edges("plan_llm", fan_out, ["answer", "decide"])
    graph.add_edge("answer", "decide")
    graph.add_edge("decide", END)
    return graph.compile(name="cove")
