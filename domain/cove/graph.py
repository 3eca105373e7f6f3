"""The CoVe graph over one receipt: check -> plan -> answer (fan-out with Send) -> decide.

- check:  code answers its questions about every claim (`evaluate`); the rules decide what they can.
- plan:   templated open questions for the claims left; shared questions are asked once per receipt.
- plan_llm: only for claims no template fits (labels outside the taxonomy): the LLM plans open questions.
- answer: one structured LLM call per batch of independent questions; batches run in parallel via `Send`, each
          split until its prompt fits the largest context window allowed (`sizing.py`).
- decide: code compares each answer with its claim, then the policy in `domain/decision.py` gives the verdict.
An LLM failure marks the batch's questions failed; claims that needed them get no decision.

The nodes are module-level functions, each one step. What they depend on (settings, the LLM client with its limiter,
circuit and deadline, the checks, the rules' policy) reaches them as LangGraph's runtime context (`CoveDeps`, given
to each `invoke`), so the graph itself is built from nothing and compiled once (`compile_graph`). The graph takes
`CoveInput` and gives `CoveOutput`; the state in between is typed per step.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal, TypeVar

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Send
from typing_extensions import TypedDict  # pydantic (LangGraph's schemas) reads only this one before Python 3.12

from domain import decision as policy
from domain.cove.llm import LLMUnavailable, StructuredLLM
from domain.cove.prompts import (
    SYSTEM,
    LocateAnswers,
    OpenAnswers,
    PlanQuestions,
    RoleAnswers,
    WordRole,
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
    WordKey,
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


@dataclass(frozen=True)
class CoveDeps:
    """What the nodes need, handed to every run as the graph's runtime context (`Runtime[CoveDeps]`)."""

    settings: LLMSettings
    llm: StructuredLLM | None
    evaluate: Evaluate
    rules_decision: policy.RulesDecision

    @property
    def source(self) -> str:
        """Who answered, as recorded on each answer."""
        return f"cove:{self.llm.model}" if self.llm else "cove:none"

    def require_llm(self) -> StructuredLLM:
        """The LLM, for the steps that only run with one (`plan` routes no work to them without it)."""
        if self.llm is None:
            raise RuntimeError("an LLM step of the CoVe graph ran without an LLM")
        return self.llm


V = TypeVar("V")


def _merge(left: dict[str, V] | None, right: dict[str, V] | None) -> dict[str, V]:
    """The reducer of the keyed results parallel branches add (answers, failures)."""
    return {**(left or {}), **(right or {})}


class CoveInput(TypedDict):
    """What the graph is given: one receipt and the claims on it to verify."""

    context: ReceiptContext
    claims: list[ReceiptWordLabel]


class CoveOutput(TypedDict):
    """What the graph gives: one verdict per claim in claim order, the LLM calls made and the errors met."""

    verdicts: list[Verdict]
    llm_calls: int
    errors: list[str]


class Checked(TypedDict):
    """`check`'s result."""

    code: dict[str, list[Evidence]]  # claim_id -> code evidence
    ruled: dict[str, Verdict]  # claim_id -> verdict of the rules


class Planned(TypedDict):
    """`plan`'s result."""

    asks: dict[str, list[str]]  # claim_id -> question keys it needs
    questions: dict[str, Question]  # key -> question, each once per receipt
    unplanned: list[str]  # claim ids no template fits: the LLM plans their questions


class LLMWork(TypedDict, total=False):
    """What an LLM step adds; parallel `answer` branches merge theirs."""

    answers: dict[str, Answered]
    failed: dict[str, str]  # question key -> why it has no answer
    llm_calls: int
    errors: list[str]


class Replanned(LLMWork, total=False):
    """`plan_llm`'s result: the plan with the LLM's questions added (or their failure)."""

    asks: dict[str, list[str]]
    questions: dict[str, Question]


class Decided(TypedDict):
    """`decide`'s result."""

    verdicts: list[Verdict]


class CoveState(CoveInput, Checked, Planned):
    """The state between the steps: the input, then each step's result; the LLM's work merged across branches."""

    answers: Annotated[dict[str, Answered], _merge]
    failed: Annotated[dict[str, str], _merge]
    llm_calls: Annotated[int, operator.add]
    errors: Annotated[list[str], operator.add]


class AnswerTask(TypedDict):
    """What one `answer` branch gets through `Send`: the receipt and one batch of same-family questions."""

    context: ReceiptContext
    family: str
    batch: list[Question]


# --- the steps -------------------------------------------------------------------------------------------------------


def check(state: CoveInput, runtime: Runtime[CoveDeps]) -> Checked:
    """Code evidence for every claim; the verdicts the rules give alone."""
    deps = runtime.context
    code = deps.evaluate(state["context"], state["claims"])
    ruled: dict[str, Verdict] = {}
    for claim in state["claims"]:
        evidence = code.setdefault(claim.claim_id, [])
        verdict = policy.by_rules(claim, evidence, deps.rules_decision)
        if verdict is not None:
            ruled[claim.claim_id] = verdict
    return {"code": code, "ruled": ruled}


def plan(state: CoveState, runtime: Runtime[CoveDeps]) -> Planned:
    """Templated questions for the claims the rules left open; the ones no template fits are left for `plan_llm`."""
    if runtime.context.llm is None:
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


def plan_llm(state: CoveState, runtime: Runtime[CoveDeps]) -> Replanned:
    """CoVe's planning step by the LLM, for claims no template covers; it sees the claims, answering won't."""
    llm = runtime.context.require_llm()
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
    _add_planned(reply.value, claims, asks, questions)
    return {"asks": asks, "questions": questions, "llm_calls": reply.attempts}


def _add_planned(
    value: PlanQuestions, claims: list[ReceiptWordLabel], asks: dict[str, list[str]], questions: dict[str, Question]
) -> None:
    """The LLM's usable questions (at most two per claim, none naming the label) added to `asks` and `questions`."""
    ids = plan_ids(claims)
    for item in value.questions:
        claim = ids.get(item.claim.strip())
        if claim is None or not item.question.strip() or not item.expected.strip():
            continue
        if leaks_claim(item.question, claim) or len(asks.get(claim.claim_id, [])) >= 2:
            continue  # a question naming the label would show the claim to the answering call
        q = open_question(claim.claim_id, len(asks.get(claim.claim_id, [])), item.question, item.expected)
        asks.setdefault(claim.claim_id, []).append(q.key)
        questions[q.key] = q


def after_plan(state: CoveState, runtime: Runtime[CoveDeps]) -> list[Send] | Literal["plan_llm", "decide"]:
    """To `plan_llm` when some claim has no template, else straight to the answers."""
    return "plan_llm" if state["unplanned"] else fan_out(state, runtime)


def fan_out(state: CoveState, runtime: Runtime[CoveDeps]) -> list[Send] | Literal["decide"]:
    """One `answer` branch per batch of same-family questions, each batch cut to its family's size and to fit."""
    settings = runtime.context.settings
    questions = sorted(state["questions"].values(), key=lambda q: (q.word or (0, 0), q.key))
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


def answer(task: AnswerTask, runtime: Runtime[CoveDeps]) -> LLMWork:
    """One structured LLM call answers one batch; a failure marks the batch's questions failed."""
    deps = runtime.context
    questions = task["batch"]
    try:
        answers, attempts = _ASK[Family(task["family"])](deps.require_llm(), task["context"], questions, deps.source)
    except LLMUnavailable as exc:
        return {
            "failed": {q.key: str(exc) for q in questions},
            "llm_calls": exc.attempts,
            "errors": [f"llm {task['family']} batch: {exc}"],
        }
    return {"answers": answers, "llm_calls": attempts}


def decide(state: CoveState, runtime: Runtime[CoveDeps]) -> Decided:
    """One verdict per claim, in claim order."""
    return {"verdicts": [_verdict(claim, state, runtime.context) for claim in state["claims"]]}


def _verdict(claim: ReceiptWordLabel, state: CoveState, deps: CoveDeps) -> Verdict:
    """The rules' verdict, else the policy on the code evidence and the claim's answers; PENDING without them."""
    cid = claim.claim_id
    code = state["code"][cid]
    if cid in state["ruled"]:
        return state["ruled"][cid]
    keys = state["asks"].get(cid)
    if deps.llm is None:
        return policy.pending(claim, "the rules do not decide and no LLM is configured", code)
    if keys is None:
        return policy.pending(
            claim, f"no template fits label {claim.label} and the LLM planned no usable question", code
        )
    if errs := [state["failed"][k] for k in keys if k in state["failed"]]:
        return policy.pending(claim, f"LLM unavailable, no decision: {errs[0]}", code)
    llm_evidence = [compare(claim, state["questions"][k], state["answers"][k]) for k in keys]
    return policy.with_llm(
        claim, code, llm_evidence, model=deps.llm.model, threshold=deps.settings.confidence_threshold
    )


# --- asking and reading one batch ------------------------------------------------------------------------------------

Asked = tuple[dict[str, Answered], int]  # answers by question key, attempts made


def _ask_roles(llm: StructuredLLM, context: ReceiptContext, questions: list[Question], source: str) -> Asked:
    reply = llm.ask(RoleAnswers, SYSTEM, role_prompt(context, questions), answer_items=len(questions))
    return _read_roles(questions, reply.value, source), reply.attempts


def _ask_located(llm: StructuredLLM, context: ReceiptContext, questions: list[Question], source: str) -> Asked:
    reply = llm.ask(LocateAnswers, SYSTEM, locate_prompt(context, questions), answer_items=len(questions))
    return _read_located(questions, reply.value, source), reply.attempts


def _ask_open(llm: StructuredLLM, context: ReceiptContext, questions: list[Question], source: str) -> Asked:
    reply = llm.ask(OpenAnswers, SYSTEM, open_prompt(context, questions), answer_items=len(questions))
    return _read_open(questions, reply.value, source), reply.attempts


_ASK: dict[Family, Callable[[StructuredLLM, ReceiptContext, list[Question], str], Asked]] = {
    Family.ROLE: _ask_roles,
    Family.LOCATE: _ask_located,
    Family.OPEN: _ask_open,
}


def _read_roles(questions: list[Question], value: RoleAnswers, source: str) -> dict[str, Answered]:
    by_word: dict[WordKey, WordRole] = {}
    for item in value.answers:
        key = parse_word_ref(item.word)
        if key is not None:
            by_word.setdefault(key, item)
    out = {}
    for q in questions:
        found = by_word.get(q.word) if q.word else None
        out[q.key] = Answered(
            key=q.key,
            role=found.role if found else None,
            confidence=_clamp(found.confidence) if found else 0.0,
            source=source,
        )
    return out


def _read_located(questions: list[Question], value: LocateAnswers, source: str) -> dict[str, Answered]:
    ids = locate_ids(questions)
    found: dict[str, Answered] = {}
    for item in value.answers:
        q = ids.get(item.question.strip())
        if q is not None and q.key not in found:
            words = [k for k in (parse_word_ref(w) for w in item.words) if k is not None]
            found[q.key] = Answered(key=q.key, words=words, confidence=_clamp(item.confidence), source=source)
    return {q.key: found.get(q.key, Answered(key=q.key, source=source)) for q in questions}


def _read_open(questions: list[Question], value: OpenAnswers, source: str) -> dict[str, Answered]:
    ids = open_ids(questions)
    found: dict[str, Answered] = {}
    for item in value.answers:
        q = ids.get(item.question.strip())
        if q is not None and q.key not in found:
            found[q.key] = Answered(key=q.key, text=item.answer, confidence=_clamp(item.confidence), source=source)
    return {q.key: found.get(q.key, Answered(key=q.key, source=source)) for q in questions}


def _chunks(items: list[Question], size: int) -> list[list[Question]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


_PROMPTS: dict[Family, Callable[[ReceiptContext, list[Question]], str]] = {
    Family.ROLE: role_prompt,
    Family.LOCATE: locate_prompt,
    Family.OPEN: open_prompt,
}


def _fitting(
    context: ReceiptContext, family: Family, batch: list[Question], settings: LLMSettings
) -> list[list[Question]]:
    """`batch` split until each part's prompt and answer fit the largest context window allowed (`sizing.py`)."""
    prompt = _PROMPTS[family]

    def needed(part: Sequence[Question]) -> int:
        return tokens_needed(SYSTEM, prompt(context, list(part)), len(part), settings.answer_tokens)

    return split_to_fit(batch, needed, settings.num_ctx_max)


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


# --- the graph -------------------------------------------------------------------------------------------------------

CoveGraph = CompiledStateGraph[CoveState, CoveDeps, CoveInput, CoveOutput]


def compile_graph() -> CoveGraph:
    """The graph, compiled; it holds no dependency, so one compiled graph serves every run given its `CoveDeps`."""
    graph = StateGraph(CoveState, context_schema=CoveDeps, input_schema=CoveInput, output_schema=CoveOutput)
    graph.add_node("check", check, input_schema=CoveInput)
    graph.add_node("plan", plan)
    graph.add_node("plan_llm", plan_llm)
    # mypy cannot solve LangGraph's NodeInputT (bound to its StateLike protocols) for a TypedDict other than the
    # graph's own schemas; LangGraph reads the same AnswerTask from the annotation at run time.
    graph.add_node("answer", answer, input_schema=AnswerTask)  # type: ignore[call-overload]
    graph.add_node("decide", decide)
    graph.add_edge(START, "check")
    graph.add_edge("check", "plan")
    graph.add_conditional_edges("plan", after_plan, ["plan_llm", "answer", "decide"])
    graph.add_conditional_edges("plan_llm", fan_out, ["answer", "decide"])
    graph.add_edge("answer", "decide")
    graph.add_edge("decide", END)
    return graph.compile(name="cove")
