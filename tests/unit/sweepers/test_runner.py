"""The runner's mechanics on fake sweeps (no table): limit, time stops, the next slice it hands back, bad input."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from domain.model import ReceiptRef
from domain.telemetry import Counters
from sweepers.lambda_entry import handle
from sweepers.payload import BadPayload, SweepPayload, parse_event
from sweepers.runner import RunLimits, Sweep, UnknownReceipts, run_sweep
from sweepers.sources import WorkItem
from tests.unit.sweepers.conftest import StepContext

REFS = [ReceiptRef(image_id=f"img-{i}", receipt_id=i) for i in range(1, 8)]
SCHEDULED = {
    "version": "0",
    "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
    "detail-type": "Scheduled Event",
    "source": "aws.events",
    "account": "123456789012",
    "time": "2026-11-29T02:00:00Z",
    "region": "us-east-1",
    "resources": ["arn:aws:events:us-east-1:123456789012:rule/receipt-validator-dev-pending"],
    "detail": {},
}


class Report:
    def __init__(self, labels: int = 2, errors: int = 0):
        self.labels_seen, self.valid, self.errors, self.writes = labels, labels, errors, labels
        self.error_messages = ["llm timeout"] if errors else []

    def counters(self) -> Counters:
        return Counters(labels_seen=self.labels_seen, valid=self.valid, errors=self.errors, writes=self.writes)


class FakeStore:
    """Knows which receipts exist; the fake sweep never touches it otherwise."""

    table_name = "fake-table"

    def __init__(self, refs: list[ReceiptRef]):
        self.refs = set(refs)

    def load_receipt(self, ref: ReceiptRef) -> object | None:
        return object() if ref in self.refs else None


class FakeSweep:
    """Lists REFS (cursor = index), records processed refs and peak concurrency."""

    def __init__(self, fail: set[ReceiptRef] = frozenset(), delay: float = 0.0):
        self.processed: list[ReceiptRef] = []
        self.fail, self.delay = fail, delay
        self.active = self.peak = 0
        self.lock = threading.Lock()

    def list_receipts(self, store: Any, after: str | None, segment: str | None = None):
        start = int(after) if after else 0
        for i in range(start, len(REFS)):
            yield WorkItem(REFS[i], str(i + 1))

    def process(self, store: Any, ref: ReceiptRef, dry_run: bool) -> Report:
        with self.lock:
            self.active += 1
            self.peak = max(self.peak, self.active)
        try:
            time.sleep(self.delay)
            if ref in self.fail:
                raise RuntimeError("throttled")
            with self.lock:
                self.processed.append(ref)
            return Report()
        finally:
            with self.lock:
                self.active -= 1

    def sweep(self) -> Sweep:
        return Sweep("fake", self.list_receipts, self.process)


def test_full_sweep_with_bounded_concurrency():
    fake = FakeSweep(delay=0.02)
    summary = run_sweep(fake.sweep(), SweepPayload(), FakeStore(REFS), StepContext(100), limits=RunLimits(3))
    assert sorted(fake.processed, key=str) == sorted(REFS, key=str)
    assert 1 < fake.peak <= 3
    result = summary.as_dict()
    assert result["receipts"] == 7 and result["labels_seen"] == 14 and "cursor" not in result
    assert {
        "receipts",
        "labels_seen",
        "valid",
        "invalid",
        "needs_review",
        "left_pending",
        "llm_calls",
        "errors",
    } <= set(result)


def test_limit_stops_with_a_cursor_that_resumes_after_the_last_receipt():
    fake = FakeSweep()
    first = run_sweep(fake.sweep(), SweepPayload(limit=3), FakeStore(REFS), StepContext(100))
    assert (first.receipts, first.stopped_by, first.cursor) == (3, "limit", "3")
    second = run_sweep(fake.sweep(), SweepPayload(cursor=first.cursor), FakeStore(REFS), StepContext(100))
    assert second.receipts == 4 and second.cursor is None
    assert sorted(fake.processed[:3], key=str) == sorted(REFS[:3], key=str)  # a pool: order within a slice is free
    assert sorted(fake.processed[3:], key=str) == sorted(REFS[3:], key=str)


def test_limit_equal_to_the_work_is_not_an_early_stop():
    summary = run_sweep(FakeSweep().sweep(), SweepPayload(limit=7), FakeStore(REFS), StepContext(100))
    assert summary.receipts == 7 and summary.cursor is None and summary.stopped_by is None


def test_time_stop_returns_the_cursor_and_never_invokes_anything():
    payload = SweepPayload(limit=6, dry_run=True)
    summary = run_sweep(FakeSweep().sweep(), payload, FakeStore(REFS), StepContext(steps=2))
    assert summary.stopped_by == "time" and summary.cursor == "2" and summary.receipts == 2


def test_the_handler_hands_back_the_next_slice_with_the_summary_so_far():
    """What the state machine loops on: `next` carries the cursor, what is left of the limit, and the carry."""
    fake = FakeSweep()
    event = {"limit": 6, "dry_run": True}
    replies = []
    while event is not None:
        reply = handle("fake", event, StepContext(steps=2), sweep=fake.sweep, store=lambda: FakeStore(REFS))
        replies.append(reply)
        event = reply.get("next")
    assert [r["slices"] for r in replies] == [1, 2, 3]
    assert replies[0]["next"]["cursor"] == "2" and replies[0]["next"]["limit"] == 4
    assert replies[0]["next"]["carry"]["receipts"] == 2
    last = replies[-1]
    assert last["receipts"] == 6 and last["labels_seen"] == 12 and last["stopped_by"] == "limit"
    assert "next" not in last and sorted(fake.processed, key=str) == sorted(REFS[:6], key=str)


def test_a_segment_the_sweep_does_not_have_is_refused():
    response = handle("fake", {"segment": "a"}, StepContext(9), sweep=FakeSweep().sweep, store=lambda: FakeStore(REFS))
    assert "not a segment of the fake sweep" in response["error"]


def test_a_failing_receipt_is_named_and_the_others_are_done():
    fake = FakeSweep(fail={REFS[1]})
    summary = run_sweep(fake.sweep(), SweepPayload(), FakeStore(REFS), StepContext(100))
    assert summary.receipts == 7 and summary.counts["errors"] == 1
    assert summary.failed_receipts == [{"receipt": str(REFS[1]), "error": "RuntimeError: throttled"}]
    assert len(fake.processed) == 6


def test_named_receipts_only_and_unknown_ones_refused_before_any_work():
    fake = FakeSweep()
    store = FakeStore(REFS)
    payload = SweepPayload(receipts=[REFS[4], REFS[2], REFS[4]])
    summary = run_sweep(fake.sweep(), payload, store, StepContext(100))
    assert sorted(fake.processed, key=str) == [REFS[2], REFS[4]] and summary.receipts == 2

    unknown = ReceiptRef(image_id="nope", receipt_id=9)
    with pytest.raises(UnknownReceipts, match="receipt nope/9 not found in table fake-table"):
        run_sweep(fake.sweep(), SweepPayload(receipts=[REFS[0], unknown]), store, StepContext(100))
    assert len(fake.processed) == 2


def test_named_receipts_resume_by_count():
    fake = FakeSweep()
    payload = SweepPayload(receipts=REFS[:4])
    first = run_sweep(fake.sweep(), payload, FakeStore(REFS), StepContext(steps=3), limits=RunLimits(1))
    assert first.cursor == "3"
    run_sweep(fake.sweep(), SweepPayload(receipts=REFS[:4], cursor="3"), FakeStore(REFS), StepContext(100))
    assert fake.processed == REFS[:4]


@pytest.mark.parametrize(
    ("event", "problem"),
    [
        ({"limit": 0}, "limit"),
        ({"receipts": [{"image_id": "x"}]}, "receipts.0.receipt_id"),
        ({"dry_run": "maybe"}, "dry_run"),
        ({"surprise": 1}, "surprise"),
        ("pending", "JSON object"),
    ],
)
def test_bad_payload_is_a_clear_error(event, problem):
    with pytest.raises(BadPayload) as err:
        parse_event(event)
    assert problem in str(err.value)
    response = handle("fake", event, StepContext(100), sweep=FakeSweep().sweep, store=lambda: FakeStore(REFS))
    assert response["error"] and any(problem in p for p in response["problems"])


def test_scheduled_event_and_empty_payload_mean_a_full_sweep():
    assert parse_event(SCHEDULED) == SweepPayload() == parse_event({}) == parse_event(None)
    fake = FakeSweep()
    response = handle("fake", SCHEDULED, StepContext(100), sweep=fake.sweep, store=lambda: FakeStore(REFS))
    assert response["receipts"] == 7 and len(fake.processed) == 7


def test_handler_refuses_an_unknown_receipt_without_processing():
    fake = FakeSweep()
    event = {"receipts": [{"image_id": "nope", "receipt_id": 1}]}
    response = handle("fake", event, StepContext(100), sweep=fake.sweep, store=lambda: FakeStore(REFS))
    assert response["error"] == "receipt nope/1 not found in table fake-table" and fake.processed == []
