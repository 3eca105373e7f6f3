"""The invocation's deadline reaches the LLM client, through the sweep runner's worker threads and LangGraph's:
no attempt starts, and no retry waits, when it could not end in time. Real ChatOllama against the fake server."""

from __future__ import annotations

import time

import pytest

from domain.cove.deadline import deadline_at, time_for
from domain.cove.llm import LLMUnavailable, OllamaLLM
from domain.cove.prompts import SYSTEM, RoleAnswers
from domain.model import ReceiptRef
from domain.service import validate_receipt
from sweepers.payload import SweepPayload
from sweepers.runner import FINISH_RESERVE_S, Sweep, run_sweep
from sweepers.sources import WorkItem
from tests.fakes.ollama_server import FakeOllama, truth_responder
from tests.fakes.receipts import GROCERY_TRUTH, grocery
from tests.fakes.store import FakeReceiptRepository
from tests.unit.conftest import MakeVerifier, settings_for

USER = "<receipt>\n[1/1] X\n</receipt>"


def test_no_attempt_starts_that_could_outlive_the_deadline(fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda req: {"answers": []}
    llm = OllamaLLM(settings_for(fake_ollama, timeout_s=2.0))
    with deadline_at(time.monotonic() + 1.0), pytest.raises(LLMUnavailable) as info:
        llm.ask(RoleAnswers, SYSTEM, USER)
    assert info.value.kind == "deadline" and info.value.attempts == 0 and fake_ollama.calls == 0
    llm.ask(RoleAnswers, SYSTEM, USER)  # outside the block there is no deadline
    assert fake_ollama.calls == 1


def test_no_retry_waits_past_the_deadline(fake_ollama: FakeOllama) -> None:
    """The first attempt times out after ~1 s; a retry (1 s more) would end after the deadline: it is not made."""
    fake_ollama.fault, fake_ollama.sleep_s = "timeout", 1.5
    llm = OllamaLLM(settings_for(fake_ollama, timeout_s=1.0, max_retries=3))
    with deadline_at(time.monotonic() + 1.6), pytest.raises(LLMUnavailable) as info:
        llm.ask(RoleAnswers, SYSTEM, USER)
    assert info.value.kind == "deadline" and info.value.attempts == 1 and fake_ollama.calls == 1


def test_the_deadline_reaches_the_graph_threads(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    """A whole receipt through the CoVe graph inside a deadline too close for any call: no request, label untouched."""
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    context = grocery()
    store = FakeReceiptRepository(context)
    with deadline_at(time.monotonic() + 0.5):
        report = validate_receipt(store, context.ref, verifier=make_verifier(timeout_s=2.0))
    assert fake_ollama.calls == 0
    assert any("deadline" in m for m in report.error_messages)
    assert report.valid + report.invalid + report.needs_review <= report.labels_seen  # rules may still decide


class Remaining:
    def __init__(self, ms: int):
        self.ms = ms

    def get_remaining_time_in_millis(self) -> int:
        return self.ms


def test_the_runner_gives_each_receipt_the_invocations_deadline() -> None:
    refs = [ReceiptRef(image_id=f"img-{i}", receipt_id=1) for i in range(3)]
    seen: list[tuple[bool, bool]] = []

    def process(store: object, ref: ReceiptRef, dry_run: bool) -> object:
        # 40 s left, less the finishing reserve: 25 s of work fits, 35 s does not
        seen.append((time_for(25.0), time_for(40.0 - FINISH_RESERVE_S + 1)))
        return None

    sweep = Sweep("fake", lambda store, after, segment: (WorkItem(r, str(i)) for i, r in enumerate(refs)), process)
    run_sweep(sweep, SweepPayload(), FakeReceiptRepository(), Remaining(40_000))
    assert seen == [(True, False)] * 3
    assert time_for(10_000.0)  # the caller's own context has no deadline
