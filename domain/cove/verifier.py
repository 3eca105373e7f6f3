"""The verifier: the compiled CoVe graph plus its LLM client, built once per process and injected where needed."""

from __future__ import annotations

from dataclasses import dataclass, field

from langchain_core.runnables import RunnableConfig

from domain.cove.graph import CoveDeps, CoveInput, Evaluate, compile_graph
from domain.cove.limiter import Limiter
from domain.cove.llm import StructuredLLM, build_llm
from domain.cove.settings import LLMSettings
from domain.cove.tracing import configure_tracing, flush_traces
from domain.decision import RulesDecision
from domain.model import ReceiptContext, ReceiptWordLabel, Verdict


@dataclass
class CoveResult:
    """One verdict per claim, in claim order (PENDING = undecided, write nothing), and what it cost."""

    verdicts: list[Verdict]
    llm_calls: int = 0
    errors: list[str] = field(default_factory=list)


class Verifier:
    def __init__(
        self,
        settings: LLMSettings,
        llm: StructuredLLM | None,
        evaluate: Evaluate,
        rules_decision: RulesDecision,
    ) -> None:
        self.settings = settings
        self.llm = llm
        self.deps = CoveDeps(settings=settings, llm=llm, evaluate=evaluate, rules_decision=rules_decision)
        self.graph = compile_graph()
        self.traced = configure_tracing()

    @property
    def model(self) -> str | None:
        return self.llm.model if self.llm else None

    def verify(self, context: ReceiptContext, claims: list[ReceiptWordLabel]) -> CoveResult:
        if not claims:
            return CoveResult(verdicts=[])
        config: RunnableConfig = {"run_name": "cove", "metadata": {"receipt": str(context.ref), "claims": len(claims)}}
        try:
            out = self.graph.invoke(CoveInput(context=context, claims=claims), config=config, context=self.deps)
        finally:
            if self.traced:
                flush_traces()
        return CoveResult(verdicts=out["verdicts"], llm_calls=out["llm_calls"], errors=list(out["errors"]))


def build_verifier(
    settings: LLMSettings | None = None,
    *,
    llm: StructuredLLM | None = None,
    limiter: Limiter | None = None,
    evaluate: Evaluate | None = None,
    rules_decision: RulesDecision | None = None,
) -> Verifier:
    """Builds the verifier from settings (default: the environment); the checks default to `domain.checks`."""
    settings = settings or LLMSettings.from_env()
    if llm is None:
        llm = build_llm(settings, limiter=limiter)
    if evaluate is None:
        from domain.checks import evaluate_claims

        evaluate = evaluate_claims
    if rules_decision is None:
        from domain.decision import rules_decision as default_rules

        rules_decision = default_rules
    return Verifier(settings, llm, evaluate, rules_decision)
