"""The CoVe graph over one receipt: check -> plan -> answer (fan-out with Send) -> decide.

- check:  code answers its questions about every claim (`evaluate`); the rules decide what they can.
- plan:   templated open questions for the claims left; shared questions are asked once per receipt.
- answer: one structured LLM call per batch of independent questions; batches run in parallel via `Send`.
- decide: code compares each answer with its claim, then the policy in `decide.py` gives the verdict.
An LLM failure marks the batch's questions failed; claims that needed them get no decision.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Annotated, Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.types import Send

from domain.cove import decide as policy
from domain.cove.llm import LLMUnavailable, StructuredLLM
from domain.cove.prompts import SYSTEM, LocateAnswers, RoleAnswers, locate_ids, locate_prompt, role_prompt
from domain.cove.questions import Answered, Family, Question, compare, parse_word_ref, questions_for
from domain.cove.settings import LLMSettings
from domain.model import Evidence, ReceiptContext, ReceiptWordLabel, Verdict

Evaluate = Callable[[ReceiptContext, ReceiptWordLabel], list[Evidence]]


def _merge(left: dict[str, Any] | None, right: dict[str, Any] | None) -> dict[str, Any]:
    return {**(left or {}), **(right or {})}


class CoveState(TypedDict, total=False):
    context: ReceiptContext
    claims: list[ReceiptWordLabel]
    code: dict[str, list[Evidence]]  # claim_id -> code evidence
    ruled: dict[str, Verdict]  # claim_id -> verdict of the rules
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
        code: dict[str, list[Evidence]] = {}
        ruled: dict[str, Verdict] = {}
        for claim in state["claims"]:
            evidence = evaluate(state["context"], claim)
            code[claim.claim_id] = evidence
            verdict = policy.by_rules(claim, evidence, rules_decision)
            if verdict is None and llm is not None and policy.conflicting(evidence):
                verdict = policy.code_conflict(claim, evidence)
            if verdict is not None:
                ruled[claim.claim_id] = verdict
        return {"code": code, "ruled": ruled}

    def plan(state: CoveState) -> dict[str, Any]:
        if llm is None:
            return {"asks": {}, "questions": {}}
        asks: dict[str, list[str]] = {}
        questions: dict[str, Question] = {}
        for claim in state["claims"]:
            if claim.claim_id in state["ruled"]:
                continue
            planned = questions_for(claim)
            if planned is None:  # outside the taxonomy: no template, and nothing to compare an answer with
                continue
            asks[claim.claim_id] = [q.key for q in planned]
            for q in planned:
                questions.setdefault(q.key, q)
        return {"asks": asks, "questions": questions}

    def fan_out(state: CoveState) -> list[Send] | str:
        questions = sorted(state.get("questions", {}).values(), key=lambda q: (q.word or (0, 0), q.key))
        sends = []
        for family, size in ((Family.ROLE, settings.role_batch_size), (Family.LOCATE, settings.locate_batch_size)):
            batch = [q for q in questions if q.family is family]
            for chunk in _chunks(batch, size):
                sends.append(Send("answer", AnswerTask(context=state["context"], family=family.value, batch=chunk)))
        return sends or "decide"

    def answer(task: AnswerTask) -> dict[str, Any]:
        assert llm is not None
        questions = task["batch"]
        try:
            if task["family"] == Family.ROLE:
                reply = llm.ask(RoleAnswers, SYSTEM, role_prompt(task["context"], questions))
                answers = _read_roles(questions, reply.value)
            else:
                reply = llm.ask(LocateAnswers, SYSTEM, locate_prompt(task["context"], questions))
                answers = _read_located(questions, reply.value)
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
                verdicts.append(policy.pending(claim, f"no verification template for label {claim.label}", code))
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
    graph.add_node("answer", answer)
    graph.add_node("decide", decide)
    graph.add_edge(START, "check")
    graph.add_edge("check", "plan")
    graph.add_conditional_edges("plan", fan_out, ["answer", "decide"])
    graph.add_edge("answer", "decide")
    graph.add_edge("decide", END)
    return graph.compile(name="cove")
