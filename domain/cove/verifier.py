"""The verifier: the compiled CoVe graph plus its LLM client, built once per process and injected where needed."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.cove.graph import Evaluate, build_graph
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
        self.graph = build_graph(settings, llm, evaluate, rules_decision)
        self.traced = configure_tracing()

    @property
    def model(self) -> str | None:
        return self.llm.model if self.llm else None

    def verify(self, context: ReceiptContext, claims: list[ReceiptWordLabel]) -> CoveResult:
        if not claims:
            return CoveResult(verdicts=[])
        config = {"run_name": "cove", "metadata": {"receipt": str(context.ref), "claims": len(claims)}}
        try:
            out = self.graph.invoke({"context": context, "claims": claims}, config=config)
        finally:
            if self.traced:
                flush_traces()
        return CoveResult(
            verdicts=out["verdicts"],
            llm_calls=out.get("llm_calls", 0),
            errors=list(out.get("errors", [])),
        )


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
        from domain.checks import evaluate_claims as evaluate
    if rules_decision is None:
        from domain.decision import rules_decision
    return Verifier(settings, llm, evaluate, rules_decision)
