"""The CoVe graph's shape: a typed input and output, and no dependency held by the compiled graph (they come with each
run as its runtime context), so one compiled graph serves any verifier."""

from __future__ import annotations

from domain.cove.graph import CoveDeps, CoveInput, compile_graph
from domain.cove.settings import LLMSettings
from domain.model import Answer, ValidationStatus
from tests.fakes.checks import StubChecks, code
from tests.fakes.receipts import grocery


def test_the_graph_takes_a_receipt_and_its_claims_and_gives_verdicts_calls_and_errors() -> None:
    graph = compile_graph()
    assert set(graph.get_input_jsonschema()["properties"]) == {"context", "claims"}
    assert set(graph.get_output_jsonschema()["properties"]) == {"verdicts", "llm_calls", "errors"}
    assert set(graph.get_graph().nodes) >= {"check", "plan", "plan_llm", "answer", "decide"}


def test_one_compiled_graph_runs_with_whatever_dependencies_each_run_brings() -> None:
    graph = compile_graph()
    ctx = grocery()
    decisive = StubChecks({c.claim_id: [code(Answer.SUPPORTS, decisive=True)] for c in ctx.labels})
    silent = StubChecks()

    def run(checks: StubChecks) -> dict[str, ValidationStatus]:
        deps = CoveDeps(LLMSettings(provider="none"), None, checks.evaluate, checks.rules_decision)
        out = graph.invoke(CoveInput(context=ctx, claims=list(ctx.labels)), context=deps)
        assert set(out) == {"verdicts", "llm_calls", "errors"} and out["llm_calls"] == 0 and out["errors"] == []
        return {v.label.claim_id: v.status for v in out["verdicts"]}

    assert set(run(decisive).values()) == {ValidationStatus.VALID}
    assert set(run(silent).values()) == {ValidationStatus.PENDING}
    assert set(run(decisive).values()) == {ValidationStatus.VALID}  # nothing of the previous run stays behind
    assert decisive.evaluated and silent.evaluated
