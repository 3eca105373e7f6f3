"""The one runner behind the three sweepers: bounded concurrency over receipts, a time budget, a cursor to resume.

A sweep is a listing (receipts in a fixed order, each with a cursor that resumes after it) and a per-receipt call
into the domain service. The runner submits receipts in listing order to a small thread pool; before each submission
it checks the limit and the remaining time, and once it stops submitting it waits for the receipts in flight. So at
any stop every receipt up to the last one submitted is done and none after it is: that receipt's cursor resumes the
sweep with every label processed exactly once. The runner never continues itself: it returns the cursor, and the
state machine (or the CLI's loop) starts the next slice.
"""

from __future__ import annotations

import contextvars
import logging
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from domain.cove.deadline import set_deadline
from domain.model import ReceiptRef
from domain.store.repository import DynamoReceiptRepository
from sweepers.payload import BadPayload, SweepPayload
from sweepers.sources import WorkItem, named_receipts
from sweepers.summary import SweepSummary

log = logging.getLogger(__name__)

DEFAULT_MAX_WORKERS = 4
DEFAULT_SAFETY_MARGIN_MS = 120_000  # room to finish the receipts in flight (LLM retries included) and return
# LLM calls must end this long before the invocation does: room to write the last verdicts and return the summary.
FINISH_RESERVE_S = 10.0


class LambdaContextLike(Protocol):
    """The part of the Lambda context the runner reads."""

    def get_remaining_time_in_millis(self) -> int: ...


class UnknownReceipts(LookupError):
    """Named receipts that are not in the table; raised before anything is processed."""

    def __init__(self, refs: list[ReceiptRef], table: str):
        names = ", ".join(str(r) for r in refs)
        super().__init__(f"receipt {names} not found in table {table}")
        self.refs = refs


@dataclass(frozen=True)
class Sweep:
    """A sweep: what it lists and what it does to one receipt (a call into `domain.service`)."""

    name: str
    list_receipts: Callable[
        [DynamoReceiptRepository, str | None, str | None], Iterator[WorkItem]
    ]  # (store, after, segment)
    process: Callable[
        [DynamoReceiptRepository, ReceiptRef, bool], Any
    ]  # (store, ref, dry_run) -> report; raises on failure
    segments: tuple[str, ...] = ()  # key ranges a full sweep is split into; () = one listing


@dataclass(frozen=True)
class RunLimits:
    max_workers: int = DEFAULT_MAX_WORKERS
    safety_margin_ms: int = DEFAULT_SAFETY_MARGIN_MS

    @classmethod
    def from_env(cls) -> RunLimits:
        """SWEEPER_MAX_WORKERS and SWEEPER_SAFETY_MARGIN_MS, each optional."""
        env = os.environ.get
        return cls(
            max_workers=max(1, int(env("SWEEPER_MAX_WORKERS", DEFAULT_MAX_WORKERS))),
            safety_margin_ms=max(0, int(env("SWEEPER_SAFETY_MARGIN_MS", DEFAULT_SAFETY_MARGIN_MS))),
        )


def run_sweep(
    sweep: Sweep,
    payload: SweepPayload,
    store: DynamoReceiptRepository,
    context: LambdaContextLike,
    *,
    limits: RunLimits | None = None,
    on_receipt: Callable[[ReceiptRef], None] | None = None,
) -> SweepSummary:
    """Runs one invocation's share of a sweep and returns its summary.

    Stops early (with `cursor` and `stopped_by`) at the limit, or when less than the safety margin is left; the
    cursor resumes the same listing (the same segment) right after the last receipt done.
    """
    limits = limits or RunLimits()
    summary = SweepSummary(sweep=sweep.name, dry_run=payload.dry_run, segment=payload.segment)
    if payload.receipts:
        _require_receipts(store, payload)
        listing = named_receipts(payload.receipts, after=payload.cursor)
    else:
        if payload.segment is not None and payload.segment not in sweep.segments:
            known = f"{sweep.segments[0]}..{sweep.segments[-1]}" if sweep.segments else "none (one listing)"
            raise BadPayload([f"segment: {payload.segment!r} is not a segment of the {sweep.name} sweep ({known})"])
        listing = sweep.list_receipts(store, payload.cursor, payload.segment)

    # A function configured with less time than the margin would never start a receipt: keep half its budget instead.
    remaining_ms = context.get_remaining_time_in_millis()
    margin_ms = min(limits.safety_margin_ms, remaining_ms // 2)
    # Verification inside this invocation never outlives it: the LLM client sees this deadline (domain.cove.deadline).
    deadline = time.monotonic() + max(0.0, remaining_ms / 1000 - FINISH_RESERVE_S)
    cursor = payload.cursor
    submitted = 0
    stopped_by: str | None = None
    order: list[tuple[Future[Any], ReceiptRef, str]] = []  # submissions in listing order, with the cursor after each
    in_flight: dict[Future[Any], ReceiptRef] = {}
    try:
        with ThreadPoolExecutor(max_workers=limits.max_workers, thread_name_prefix=f"sweep-{sweep.name}") as pool:
            for item in listing:
                if payload.limit is not None and submitted >= payload.limit:
                    stopped_by = "limit"
                    break
                if context.get_remaining_time_in_millis() < margin_ms:
                    stopped_by = "time"
                    break
                while len(in_flight) >= limits.max_workers:
                    _collect(wait(in_flight, return_when=FIRST_COMPLETED).done, in_flight, summary, on_receipt)
                work = (
                    contextvars.copy_context()
                )  # the receipt's own context: its work and graph threads see the deadline
                work.run(set_deadline, deadline)
                future = pool.submit(work.run, sweep.process, store, item.ref, payload.dry_run)
                in_flight[future] = item.ref
                order.append((future, item.ref, item.cursor))
                submitted += 1
                cursor = item.cursor
            _collect(wait(in_flight).done, in_flight, summary, on_receipt)
    except KeyboardInterrupt:
        # Ctrl-C in a local run: leaving the pool waited for the receipts in flight (a second Ctrl-C cuts that
        # short). The summary is counted again from the finished futures, since the interrupt may have landed
        # halfway through counting one; the cursor is the one behind which every receipt is done.
        summary = SweepSummary(sweep=sweep.name, dry_run=payload.dry_run, segment=payload.segment)
        for future, ref, _ in order:
            if future.done() and not future.cancelled():
                _count(future, ref, summary)
        summary.cursor, summary.stopped_by = done_prefix_cursor(order, payload.cursor), "interrupted"
        log.info("sweep interrupted", extra={"sweep": sweep.name, "receipts": summary.receipts})
        return summary

    if stopped_by is None:
        return summary
    summary.cursor, summary.stopped_by = cursor, stopped_by
    log.info(
        "sweep stopped early",
        extra={"sweep": sweep.name, "segment": payload.segment, "stopped_by": stopped_by, "receipts": summary.receipts},
    )
    return summary


def _collect(
    done: set[Future[Any]],
    in_flight: dict[Future[Any], ReceiptRef],
    summary: SweepSummary,
    on_receipt: Callable[[ReceiptRef], None] | None,
) -> None:
    for future in done:
        ref = in_flight.pop(future)
        _count(future, ref, summary)
        if on_receipt is not None:
            on_receipt(ref)


def _count(future: Future[Any], ref: ReceiptRef, summary: SweepSummary) -> None:
    try:
        summary.add_report(ref, future.result())
    except Exception as exc:  # a bug for one receipt must not stop the sweep; it is counted and named in the summary
        log.error("receipt raised", extra={"receipt": str(ref), "error": type(exc).__name__})
        log.debug("receipt raised", extra={"receipt": str(ref)}, exc_info=True)
        summary.add_failure(ref, f"{type(exc).__name__}: {exc}")


def done_prefix_cursor(order: list[tuple[Future[Any], ReceiptRef, str]], start: str | None) -> str | None:
    """The cursor after the last receipt of the longest run of finished receipts from the start: resuming there
    redoes nothing unfinished and skips nothing (receipts finished beyond a gap are redone, which is harmless)."""
    cursor = start
    for future, _, after in order:
        if not future.done() or future.cancelled():
            break
        cursor = after
    return cursor


def next_payload(payload: SweepPayload, cursor: str | None, submitted: int) -> SweepPayload:
    """The next slice of `payload`: same request and segment, resumed at `cursor`, with what is left of the limit."""
    limit = None if payload.limit is None else max(1, payload.limit - submitted)
    return payload.model_copy(update={"cursor": cursor, "limit": limit})


def _require_receipts(store: DynamoReceiptRepository, payload: SweepPayload) -> None:
    """Every named receipt must exist before anything is processed, so a typo writes nothing."""
    missing = [ref for ref in dict.fromkeys(payload.receipts or []) if store.load_receipt(ref) is None]
    if missing:
        raise UnknownReceipts(missing, store.table_name)
