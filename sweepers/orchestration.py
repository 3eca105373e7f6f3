"""What the state machine asks of a sweeper besides a slice: the plan of an execution, the segment loop, the total.

A full sweep of `pending` or `reverify` is planned as one payload per segment (16 key ranges of GSI3), each resumed
from the cursor its segment saved in the table when an earlier execution stopped before the end of it; `metadata`
is one segment. After each slice the segment's position is saved (`persist`), and the slice's summary carries the
payload of the next slice (`next`) with the segment's summary so far (`carry`) while there is more to do. The state
machine only loops on `next` and maps over the plan: every decision is here, in tested Python.
"""

from __future__ import annotations

from typing import Any

from domain.store.repository import DynamoReceiptRepository
from sweepers.payload import SweepPayload
from sweepers.runner import Sweep, next_payload
from sweepers.summary import SweepSummary, total_of


def is_full_sweep(payload: SweepPayload) -> bool:
    """A request for the whole listing that writes: the kind whose position is saved and resumed."""
    return not payload.receipts and payload.limit is None and not payload.dry_run and payload.cursor is None


def plan(sweep: Sweep, payload: SweepPayload, store: DynamoReceiptRepository) -> dict[str, Any]:
    """The segment payloads of one execution.

    A full sweep gets one payload per segment of the sweep (one when it has none), each resuming where that segment
    stopped last time unless it finished. A dry run, a limited run, a run over named receipts or one already placed
    (segment or cursor given) is one payload as it came, and nothing of it is saved.
    """
    if not is_full_sweep(payload) or payload.segment is not None:
        return {"sweep": sweep.name, "segments": [payload.as_event()], "resumed": 0}
    items = []
    resumed = 0
    for segment in sweep.segments or (None,):
        state = store.load_segment_state(sweep.name, segment or "")
        cursor = state.cursor if state is not None and not state.finished else None
        resumed += cursor is not None
        items.append(SweepPayload(segment=segment, cursor=cursor, persist=True).as_event())
    return {"sweep": sweep.name, "segments": items, "resumed": resumed}


def finish_slice(
    sweep: Sweep, payload: SweepPayload, slice_summary: SweepSummary, store: DynamoReceiptRepository
) -> dict[str, Any]:
    """The slice's reply: the segment's summary so far, the position saved, and `next` while there is more."""
    summary = slice_summary
    if payload.carry:
        summary = SweepSummary.from_dict(payload.carry)
        summary.segment = payload.segment
        summary.merge(slice_summary)
    if payload.persist and not payload.dry_run:
        store.save_segment_state(sweep.name, payload.segment or "", summary.cursor)
    result = summary.as_dict()
    if slice_summary.stopped_by == "time" and slice_summary.receipts > 0:
        following = next_payload(payload, slice_summary.cursor, slice_summary.receipts)
        result["next"] = following.model_copy(update={"carry": summary.as_dict()}).as_event()
    return result


def segment_result(sweep_name: str, item: dict[str, Any]) -> dict[str, Any]:
    """One Map branch's output as a summary: the last slice's reply, or, for a branch whose slice failed after its
    retries, the summary it carried so far with the failure and the cursor where it stopped."""
    failure = item.get("failure")
    if not isinstance(failure, dict):
        return {k: v for k, v in item.items() if k != "next"}
    carried = item.get("carry") or {"sweep": sweep_name, "dry_run": bool(item.get("dry_run")), "slices": 0}
    summary = SweepSummary.from_dict(carried)
    summary.segment = item.get("segment")
    summary.cursor = item.get("cursor")
    summary.stopped_by = "error"
    result = summary.as_dict()
    result["failure"] = {"error": str(failure.get("Error", "")), "cause": str(failure.get("Cause", ""))[:500]}
    return result


def merge(sweep_name: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    """Per-segment summaries and the execution's total (with how many segments failed)."""
    segments = [segment_result(sweep_name, item) for item in items]
    total = total_of(sweep_name, segments).as_dict()
    total["segments"] = len(segments)
    total["failed_segments"] = sum("failure" in s for s in segments)
    return {"segments": segments, "total": total, "failed_segments": total["failed_segments"]}
