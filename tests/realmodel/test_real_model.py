"""The LLM path against a real model: SmolLM2-135M-Instruct (llama.cpp) behind the Ollama protocol, through the real
ChatOllama client, on receipts the rules leave to the LLM.

A protocol and robustness tier: a 135M model's answers say nothing about quality, so nothing here asserts what it
answered, only what the validator does with whatever comes back. The run happens once per module; each test reads it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest

from domain.cove.limiter import Limiter
from domain.cove.settings import LLMSettings
from domain.cove.sizing import estimate_tokens
from domain.cove.verifier import build_verifier
from domain.labels import ALL_LABELS, LEGACY_ALIASES
from domain.model import Answer, ValidationStatus, Verdict
from domain.service import ReceiptReport, validate_receipt
from tests.fakes.checks import StubChecks
from tests.fakes.ollama_server import outside_data_blocks
from tests.fakes.receipts import make_context
from tests.fakes.store import FakeReceiptRepository
from tests.realmodel.conftest import RealOllama

pytestmark = [pytest.mark.realmodel, pytest.mark.slow]

CUSTOM_LABEL = "STORE_NUMBER"  # outside the taxonomy: the LLM plans its questions (CoVe's planning call)


@dataclass
class Run:
    reports: list[ReceiptReport]
    records: list[dict[str, Any]]
    store: FakeReceiptRepository
    receipts: int


def corpus():
    """Two short receipts (prompt evaluation dominates the tier's time): one with taxonomy labels only, one with a
    label outside it, which adds the planning call."""
    lines = ["TRADER JOE'S", "BANANAS 0.99", "MILK 3.49", "TOTAL 4.48", "VISA 4.48"]
    plain = make_context(
        lines,
        {(1, 1): "MERCHANT_NAME", (2, 2): "LINE_TOTAL", (3, 1): "PRODUCT_NAME", (4, 2): "GRAND_TOTAL", (5, 1): "TAX"},
        image_id="00000000-0000-0000-0000-0000000000a1",
    )
    custom = make_context(
        ["CORNER SHOP", "STORE 0412", "TOTAL 2.50"],
        {(1, 1): "MERCHANT_NAME", (2, 2): CUSTOM_LABEL, (3, 2): "GRAND_TOTAL"},
        image_id="00000000-0000-0000-0000-0000000000a2",
    )
    return [plain, custom]


@pytest.fixture(scope="module")
def run(real_ollama: RealOllama) -> Run:
    settings = LLMSettings(
        provider="ollama",
        host=real_ollama.url,
        model=real_ollama.model,
        timeout_s=600,  # a loaded 2-core machine evaluates a 1,000-token prompt in seconds to tens of seconds
        max_retries=0,  # nothing is retried: keeps the tier's time bounded
        num_ctx_max=8192,  # SmolLM2's trained context
    )
    checks = StubChecks()  # no code evidence: every claim goes to the LLM
    verifier = build_verifier(
        settings,
        limiter=Limiter(1, 1000.0),
        evaluate=checks.evaluate,
        rules_decision=checks.rules_decision,
    )
    contexts = corpus()
    store = FakeReceiptRepository(*contexts)
    reports = [validate_receipt(store, c.ref, verifier=verifier) for c in contexts]
    return Run(reports=reports, records=real_ollama.records(), store=store, receipts=len(contexts))


def test_every_request_fits_the_num_ctx_it_sent(run: Run) -> None:
    assert run.records, "no request reached the model"
    for rec in run.records:
        assert rec["num_ctx"] is not None, "a request relied on the server's default context"
        assert rec["prompt_tokens"] < rec["num_ctx"], rec
        # the client's estimate is an upper bound of the real tokenizer's count (what makes the sizing safe)
        assert estimate_tokens(rec["user"]) <= rec["num_ctx"]


def test_at_most_three_calls_per_receipt(run: Run) -> None:
    calls = sum(r.llm_calls for r in run.reports)
    assert calls == len(run.records)
    assert calls / run.receipts <= 3


def test_replies_parse_or_count_as_no_answer(run: Run) -> None:
    for report in run.reports:
        for message in report.error_messages:
            # an unusable reply (truncated or off-schema JSON) or no reply in time: both are no answer
            assert "malformed" in message or "timeout" in message, message
        for verdict in report.verdicts:
            if "LLM unavailable" in verdict.reasoning:  # its batch's reply did not parse: no answer, no decision
                assert verdict.status is ValidationStatus.PENDING, verdict


def _label_words() -> re.Pattern[str]:
    names = [*ALL_LABELS, *LEGACY_ALIASES, CUSTOM_LABEL]
    return re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")


def test_no_answering_prompt_carries_its_claim(run: Run) -> None:
    label_word = _label_words()
    answering = [r for r in run.records if r["schema_title"] != "PlanQuestions"]
    assert answering
    for rec in answering:
        rest = outside_data_blocks(rec["user"])
        rest = re.sub(r'^\[(\d+/\d+)\] ".*"$', r"[\1]", rest, flags=re.M)
        assert not label_word.search(rest), rest


def _unanswered(run: Run) -> list[Verdict]:
    """Verdicts of claims for which the model said nothing usable: every LLM answer unknown (empty, unreadable, off
    the choices) or below the confidence threshold (DESIGN principle 4: an answer that says nothing is no evidence)."""
    threshold = LLMSettings().confidence_threshold
    out = []
    for report in run.reports:
        for verdict in report.verdicts:
            llm = [e for e in verdict.evidence if e.source.startswith("cove:")]
            if not [e for e in llm if e.answer is not Answer.UNKNOWN and e.confidence >= threshold]:
                out.append(verdict)
    return out


def test_a_reply_with_no_usable_answer_decides_nothing(run: Run) -> None:
    unanswered = _unanswered(run)
    for verdict in unanswered:
        assert verdict.status is ValidationStatus.PENDING, verdict
    decided = {v.label.claim_id for r in run.reports for v in r.verdicts if v.decided}
    assert {v.label.claim_id for v in run.store.writes} <= decided
    assert not decided & {v.label.claim_id for v in unanswered}
