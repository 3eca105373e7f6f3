"""Prompts that fit (num_ctx on every request, batches split under the cap) and failing fast on a dead server."""

from __future__ import annotations

import logging
import socket
import time

import pytest

from domain.cove.circuit import Circuit, outage_since
from domain.cove.llm import LLMUnavailable, OllamaLLM
from domain.cove.prompts import SYSTEM, RoleAnswers
from domain.cove.sizing import MIN_NUM_CTX, estimate_tokens, num_ctx_for, split_to_fit, tokens_needed
from domain.model import ValidationStatus
from domain.service import validate_receipt
from tests.fakes.ollama_server import FakeOllama, truth_responder
from tests.fakes.receipts import GROCERY_TRUTH, grocery
from tests.fakes.store import FakeReceiptRepository
from tests.unit.conftest import MakeVerifier, settings_for
from tests.unit.cove.test_llm_protocol import big_receipt


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- sizing -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "at_least"),
    [("", 0), ("TOTAL", 3), ("[19/5] 12.40", 10), ("1234567890", 10), ("ÄÖÜ", 6), ("a\nb\nc", 5)],
)
def test_the_estimate_counts_digits_symbols_and_bytes_high(text: str, at_least: int) -> None:
    assert estimate_tokens(text) >= at_least


def test_num_ctx_is_a_power_of_two_at_least_the_need_and_never_above_the_cap() -> None:
    assert num_ctx_for(10, 16384) == MIN_NUM_CTX
    assert num_ctx_for(2049, 16384) == 4096
    assert num_ctx_for(9000, 16384) == 16384
    assert num_ctx_for(9000, 12000) == 12000  # a cap that is no power of two is still honoured
    assert num_ctx_for(20000, 16384) is None


def test_split_to_fit_halves_until_every_part_fits() -> None:
    items = list(range(10))
    parts = split_to_fit(items, lambda part: 100 * len(part), 300)
    assert [x for p in parts for x in p] == items
    assert all(100 * len(p) <= 300 for p in parts)
    assert split_to_fit([1], lambda part: 10_000, 300) == [[1]]  # one item that cannot fit stays alone
    assert split_to_fit([], lambda part: 0, 300) == []


# -- num_ctx on the wire --------------------------------------------------------------------------------------------


def test_every_request_carries_a_num_ctx_that_holds_its_prompt(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier
) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    store = FakeReceiptRepository(grocery())
    validate_receipt(store, grocery().ref, verifier=make_verifier())
    assert fake_ollama.calls > 0
    for req in fake_ollama.requests:
        prompt_tokens = estimate_tokens(req.system) + estimate_tokens(req.prompt)
        assert req.num_ctx is not None and req.num_ctx >= prompt_tokens
        assert req.num_ctx & (req.num_ctx - 1) == 0  # a power of two: few sizes, few model reloads


def test_a_low_cap_splits_batches_so_no_request_exceeds_it(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier
) -> None:
    context = big_receipt("00000000-0000-0000-0000-0000000000c1", items=40)
    truth = {lb.word_key: lb.label for lb in context.labels}
    fake_ollama.responder = truth_responder(truth)
    report = validate_receipt(FakeReceiptRepository(context), context.ref, verifier=make_verifier())
    wide_calls = fake_ollama.calls
    fake_ollama.reset()

    cap = 4096
    context = big_receipt("00000000-0000-0000-0000-0000000000c2", items=40)
    narrow = validate_receipt(FakeReceiptRepository(context), context.ref, verifier=make_verifier(num_ctx_max=cap))
    assert narrow.errors == 0 and report.errors == 0
    assert fake_ollama.calls > wide_calls  # the same questions, in more and smaller batches
    for req in fake_ollama.requests:
        assert req.num_ctx is not None and req.num_ctx <= cap
        assert estimate_tokens(req.system) + estimate_tokens(req.prompt) <= req.num_ctx


def test_a_prompt_too_long_for_the_cap_is_not_sent_and_decides_nothing(
    fake_ollama: FakeOllama, make_verifier: MakeVerifier
) -> None:
    fake_ollama.responder = truth_responder({})
    context = big_receipt("00000000-0000-0000-0000-0000000000c3", items=150)
    store = FakeReceiptRepository(context)
    report = validate_receipt(store, context.ref, verifier=make_verifier(num_ctx_max=1024))
    assert fake_ollama.calls == 0
    assert report.errors > 0 and report.valid == report.invalid == report.needs_review == 0
    assert all("too_long" in m for m in report.error_messages)
    assert store.writes == []


def test_the_client_sizes_a_prompt_on_its_own_when_not_told(fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda req: {"answers": []}
    llm = OllamaLLM(settings_for(fake_ollama))
    user = "<receipt>\n" + "\n".join(f"[{i}/1] 12.{i:02d}" for i in range(600)) + "\n</receipt>"
    llm.ask(RoleAnswers, SYSTEM, user)
    need = tokens_needed(SYSTEM, user, 1, llm.settings.answer_tokens)
    assert fake_ollama.requests[0].num_ctx == num_ctx_for(need, llm.settings.num_ctx_max) > MIN_NUM_CTX


# -- the server check and the circuit -------------------------------------------------------------------------------


def test_a_closed_port_fails_at_once_without_retries_and_says_where(
    fake_ollama: FakeOllama, caplog: pytest.LogCaptureFixture
) -> None:

    caplog.set_level(logging.WARNING, logger="domain.cove.circuit")
    caplog.set_level(logging.WARNING, logger="domain.cove.llm")
    start = time.monotonic()
    port = closed_port()
    settings = settings_for(fake_ollama, host=f"http://user:pw@127.0.0.1:{port}", api_key="sk-never-shown")
    slept: list[float] = []
    llm = OllamaLLM(settings, sleep=slept.append)
    for _ in range(5):
        with pytest.raises(LLMUnavailable) as info:
            llm.ask(RoleAnswers, SYSTEM, "<receipt>\n[1/1] X\n</receipt>")
        assert info.value.kind == "unreachable" and info.value.attempts == 0
    assert slept == []  # no backoff: the check failed before any request
    outage = outage_since(start)
    assert outage is not None and outage.host == f"http://127.0.0.1:{port}"
    assert outage.line.startswith(f"Ollama unreachable at http://127.0.0.1:{port}: ConnectError")
    lines = [r.getMessage() for r in caplog.records]
    assert sum("Ollama unreachable at" in line for line in lines) == 1  # said once
    assert not any("sk-never-shown" in line or "pw@" in line for line in lines)


def test_a_missing_model_opens_the_circuit_with_the_reason(fake_ollama: FakeOllama) -> None:
    llm = OllamaLLM(settings_for(fake_ollama, model="no-such-model:7b"))
    with pytest.raises(LLMUnavailable) as info:
        llm.ask(RoleAnswers, SYSTEM, "x")
    assert info.value.kind == "unreachable" and fake_ollama.calls == 0
    assert "'no-such-model:7b' is not available" in llm.circuit.outages[-1].reason
    assert fake_ollama.probes == ["GET /api/version", "POST /api/show"]


def test_the_check_runs_once_per_process_not_per_call(fake_ollama: FakeOllama) -> None:
    fake_ollama.responder = lambda req: {"answers": []}
    llm = OllamaLLM(settings_for(fake_ollama))
    for _ in range(3):
        llm.ask(RoleAnswers, SYSTEM, "x")
    assert fake_ollama.probes == ["GET /api/version", "POST /api/show"] and fake_ollama.calls == 3


def test_connection_failures_after_a_good_check_open_the_circuit_after_a_few(
    fake_ollama: FakeOllama, caplog: pytest.LogCaptureFixture
) -> None:
    """The server passed its check, then went away (here: the check is said to pass, the port is closed)."""
    caplog.set_level(logging.WARNING, logger="domain.cove.llm")
    settings = settings_for(fake_ollama, host=f"http://127.0.0.1:{closed_port()}", max_retries=5)
    circuit = Circuit(settings.display_host, lambda: None, failures_to_open=3)
    llm = OllamaLLM(settings, sleep=lambda s: None, circuit=circuit)
    with pytest.raises(LLMUnavailable) as info:
        llm.ask(RoleAnswers, SYSTEM, "x")
    assert info.value.kind == "unreachable" and info.value.attempts == 3  # circuit_failures, not 1 + max_retries
    retries = [r.getMessage() for r in caplog.records if r.getMessage().startswith("llm_retry")]
    assert len(retries) == 2
    assert all(f"host={llm.host}" in m for m in retries)
    assert [m.split("attempt=")[1].split()[0] for m in retries] == ["1/6", "2/6"]
    with pytest.raises(LLMUnavailable) as again:
        llm.ask(RoleAnswers, SYSTEM, "x")
    assert again.value.attempts == 0  # open: no call at all


def test_after_the_cooldown_the_circuit_checks_again_and_closes_when_the_server_is_back() -> None:
    now = [0.0]
    answers = iter(["ConnectError: refused", None])
    circuit = Circuit("http://h:1", lambda: next(answers), cooldown_s=30, clock=lambda: now[0])
    assert circuit.allow() is not None
    now[0] = 29.0
    assert circuit.allow() is not None  # still cooling down: the check is not even run
    now[0] = 31.0
    assert circuit.allow() is None  # half-open: checked again, the server answers
    assert len(circuit.outages) == 1


def test_an_unreachable_llm_leaves_every_label_the_rules_do_not_decide_pending(make_verifier: MakeVerifier) -> None:
    from tests.fakes.checks import StubChecks

    context = grocery()
    store = FakeReceiptRepository(context)
    port = closed_port()
    verifier = make_verifier(StubChecks(), host=f"http://127.0.0.1:{port}")
    report = validate_receipt(store, context.ref, verifier=verifier)
    assert report.llm_calls == 0 and report.errors > 0
    assert report.left_pending == report.labels_seen
    assert all(v.status is ValidationStatus.PENDING for v in report.verdicts)
    assert store.writes == []


def test_an_outage_before_the_run_counts_only_while_its_circuit_is_open_and_only_when_asked() -> None:
    now = [1000.0]
    circuit = Circuit("http://h:2", lambda: "refused", cooldown_s=30, clock=lambda: now[0])
    assert circuit.allow() is not None and circuit.is_open()
    later = time.monotonic() + 3600  # a run that started after the opening
    assert outage_since(later) is None  # a CLI command reports only what happened during its own run
    assert outage_since(later, still_open=True) is not None  # a warm Lambda: still failing fast
    now[0] = 1031.0
    assert not circuit.is_open()  # cooled down: no longer counted
