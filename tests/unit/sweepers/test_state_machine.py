"""The sweep state machine executed for real by moto's Step Functions interpreter, its Lambda tasks answered by the
real sweeper handler (tests/fakes/lambda_server.py), on moto's DynamoDB and on DynamoDB Local.

What runs for real: the ASL definition from infra/state_machine.py (Pass, Choice, Map with MaxConcurrency, Task
with Retry and Catch, the cursor loop), the Lambda Invoke API over HTTP, the sweeper's `handle` with its plan,
slices, merge and the segment cursors it saves in the table. Simulated: the Lambda service itself (throttles are
injected as the 429 TooManyRequestsException Lambda returns at reserved concurrency) and the time budget of each
invocation (StepContext: room for two receipts per slice, so every busy segment loops on its cursor).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from typing import Any

import boto3
import pytest
from moto import mock_aws
from moto.core.config import default_user_config

from domain.keys import segment_of, segments
from domain.model import ReceiptRef, ValidationStatus
from domain.store.repository import receipt_cursor
from infra.state_machine import RetryPolicy, sweep_definition
from sweepers import pending
from sweepers.lambda_entry import handle
from sweepers.runner import Sweep
from tests.fakes.lambda_server import lambda_server
from tests.unit.sweepers.conftest import StepContext, load_receipts

FUNCTION = "rv-test-sweeper-pending"
FUNCTION_ARN = f"arn:aws:lambda:us-east-1:123456789012:function:{FUNCTION}"
FAST_RETRY = RetryPolicy(interval_seconds=1, max_attempts=4, max_delay_seconds=1, other_error_interval_seconds=1)
MAX_CONCURRENCY = 3


class CountingSweep:
    """The real pending sweep, counting how often each receipt is processed; `crash_on` crashes the whole function
    (not just the receipt) `crashes` times when it reaches that receipt."""

    def __init__(self, verifier: Any, crash_on: ReceiptRef | None = None, crashes: int = 0):
        real = pending.build(verifier)
        self.processed: Counter[ReceiptRef] = Counter()
        self.crash_on, self.crashes = crash_on, crashes
        self.lock = threading.Lock()

        def process(store: Any, ref: ReceiptRef, dry_run: bool) -> Any:
            with self.lock:
                if ref == self.crash_on and self.crashes > 0:
                    self.crashes -= 1
                    raise SystemExit("the function crashed")  # not an Exception: escapes the runner, fails the slice
                self.processed[ref] += 1
            return real.process(store, ref, dry_run)

        self.sweep = Sweep(real.name, real.list_receipts, process, segments=real.segments)


def _handler(sweeper: CountingSweep, store: Any):
    def invoke(event: Any) -> Any:
        try:
            return handle("pending", event, StepContext(2), sweep=lambda: sweeper.sweep, store=lambda: store)
        except SystemExit as exc:
            raise RuntimeError(str(exc)) from None

    return invoke


def _run(sfn: Any, arn: str, payload: dict[str, Any]) -> dict[str, Any]:
    name = f"run-{uuid.uuid4().hex[:12]}"
    execution = sfn.start_execution(stateMachineArn=arn, name=name, input=json.dumps(payload))["executionArn"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        described = sfn.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.2)
    raise AssertionError("execution did not finish")


@pytest.fixture
def sfn(monkeypatch) -> Any:
    monkeypatch.setitem(default_user_config["stepfunctions"], "execute_state_machine", True)
    with mock_aws():
        yield boto3.client("stepfunctions", region_name="us-east-1")


def _machine(sfn: Any) -> str:
    definition = sweep_definition(
        "pending", FUNCTION_ARN, max_concurrency=MAX_CONCURRENCY, timeout_seconds=3600, retry=FAST_RETRY
    )
    return sfn.create_state_machine(
        name="rv-test-sweep-pending",
        definition=json.dumps(definition),
        roleArn="arn:aws:iam::123456789012:role/rv-test-sweep-pending",
    )["stateMachineArn"]


def test_a_full_sweep_runs_every_segment_in_parallel_loops_on_cursors_and_survives_throttles(
    store, sfn, verifier, monkeypatch
) -> None:
    contexts = load_receipts(store, 20, seed=12)
    refs = {c.ref for c in contexts}
    busy = Counter(segment_of(f"IMAGE#{r.image_id}") for r in refs)
    assert max(busy.values()) > 2  # at least one segment needs more than one slice
    sweeper = CountingSweep(verifier)
    with lambda_server({FUNCTION: _handler(sweeper, store)}) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.endpoint)
        server.throttle(3)
        result = _run(sfn, _machine(sfn), {})

    assert result["status"] == "SUCCEEDED", result
    output = json.loads(result["output"])
    assert output["input"] == {} and output["resumed"] == 0
    assert [s["segment"] for s in output["segments"]] == segments()
    assert sweeper.processed == Counter(dict.fromkeys(refs, 1))  # every receipt exactly once
    total = output["total"]
    assert total["receipts"] == len(refs) and total["failed_segments"] == 0 and total["segments"] == 16
    assert total["labels_seen"] == sum(len(c.labels) for c in contexts)
    for summary in output["segments"]:
        assert summary["receipts"] == busy.get(summary["segment"], 0)
        assert summary["slices"] == max(1, -(-busy.get(summary["segment"], 0) // 2))  # two receipts a slice
        assert "next" not in summary and "carry" not in summary
    # the 429s were retried by the state machine, and the Map never ran more than MaxConcurrency slices at once
    assert server.throttled == 3
    assert 1 < server.peak <= MAX_CONCURRENCY
    assert all(store.load_segment_state("pending", s).finished for s in segments())


def test_a_failed_segment_fails_the_execution_after_the_others_and_the_next_run_resumes_it(
    store, sfn, verifier, monkeypatch
) -> None:
    contexts = load_receipts(store, 20, seed=12)
    refs = {c.ref for c in contexts}
    busy = Counter(segment_of(f"IMAGE#{r.image_id}") for r in refs)
    victim = max(busy, key=lambda s: busy[s])
    in_order = [p.ref for p in store.receipts_in_segment(ValidationStatus.PENDING, victim)]
    # the victim's second slice (its 3rd and 4th receipts) crashes on its first try and on the retry
    sweeper = CountingSweep(verifier, crash_on=in_order[2], crashes=2)
    with lambda_server({FUNCTION: _handler(sweeper, store)}) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.endpoint)
        arn = _machine(sfn)
        first = _run(sfn, arn, {})
        assert first["status"] == "FAILED" and first.get("error") == "SegmentFailed", first
        saved = store.load_segment_state("pending", victim)
        assert saved.cursor == receipt_cursor(in_order[1]) and not saved.finished
        assert all(store.load_segment_state("pending", s).finished for s in segments() if s != victim)
        assert in_order[2] not in sweeper.processed
        second = _run(sfn, arn, {})

    assert second["status"] == "SUCCEEDED", second
    output = json.loads(second["output"])
    assert output["resumed"] == 1 and output["total"]["failed_segments"] == 0
    # The victim resumed its pass: each of its receipts done once over both runs (but the crashed slice's other
    # receipt, if it had one, which may have been done before the crash). The segments that had finished start a
    # new pass, as a scheduled sweep does: their receipts still holding PENDING labels are done again.
    again = set(in_order[3:4])
    victims = set(in_order)
    assert {r: sweeper.processed[r] for r in victims - again} == dict.fromkeys(victims - again, 1)
    assert all(1 <= sweeper.processed[r] <= 3 for r in again)
    assert all(sweeper.processed[r] in (1, 2) for r in refs - victims)
    assert output["total"]["receipts"] == len(in_order) - 2 + sum(sweeper.processed[r] - 1 for r in refs - victims)
    (resumed,) = [s for s in output["segments"] if s["segment"] == victim]
    assert resumed["receipts"] == len(in_order) - 2  # it started after the two receipts saved before the crash
    assert all(store.load_segment_state("pending", s).finished for s in segments())


def test_invoke_starts_an_execution_and_wait_prints_its_summary(moto_store, sfn, verifier, monkeypatch, capsys):
    from cli import sweep_command
    from cli.main import main

    contexts = load_receipts(moto_store, 5, seed=3)
    sweeper = CountingSweep(verifier)
    with lambda_server({FUNCTION: _handler(sweeper, moto_store)}) as server:
        monkeypatch.setenv("AWS_ENDPOINT_URL_LAMBDA", server.endpoint)
        arn = _machine(sfn)
        monkeypatch.setenv("SWEEP_STATE_MACHINE_PREFIX", arn.removesuffix("pending"))
        monkeypatch.setattr(sweep_command, "POLL_SECONDS", 0.2)
        code = main(["invoke", "pending", "--wait", "--json", "--dry-run"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "started" in captured.err and "execution:rv-test-sweep-pending:" in captured.err
    # stdout also holds the handler's JSON log lines (the fake Lambda runs in this process): the output is the last
    output = json.loads(captured.out.strip().splitlines()[-1])
    assert output["input"] == {"dry_run": True}
    # a dry run is one payload as it came (no segments, nothing saved), looped on its cursor
    assert len(output["segments"]) == 1 and output["total"]["receipts"] == len(contexts)
    assert output["total"]["dry_run"] is True and output["total"]["writes"] == 0
    assert moto_store.load_segment_state("pending", "") is None
