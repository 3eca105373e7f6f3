"""Totals of a local stream run, built from the handler's per-invocation summaries (stream_handlers/summary.py).

A receipt can be validated more than once in a run (a retried batch re-sends records of receipts already done). The
totals therefore count per receipt: `labels_seen` is the most PENDING labels any attempt found on it, `left_pending`
is what its last attempt on labels left (an attempt carrying only its metadata record does not count), and verdicts,
writes, LLM calls and errors are summed over attempts (retries of a done receipt find nothing PENDING and add nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from stream_handlers.summary import COUNTERS, InvocationSummary

SUMMED = tuple(c for c in COUNTERS if c not in ("labels_seen", "left_pending"))


@dataclass
class _ReceiptTotals:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    attempts: int = 0
    failed_last: bool = False
    metadata_status: str | None = None


@dataclass
class StreamRunSummary:
    records_read: int = 0
    records_passed_filter: int = 0
    batches: int = 0  # batches formed from the stream (retries and bisected halves not counted)
    invocations: int = 0
    retries: int = 0
    bisects: int = 0
    function_errors: int = 0
    iterators_reobtained: int = 0  # expired or trimmed shard iterators
    trimmed: int = 0  # times the stream had trimmed records past the checkpoint (those are left to the sweep)
    ignored_by_handler: int = 0
    malformed: int = 0
    on_failure: list[dict[str, Any]] = field(default_factory=list)
    receipts: dict[str, _ReceiptTotals] = field(default_factory=dict)

    def add_invocation(self, summary: InvocationSummary | None) -> None:
        self.invocations += 1
        if summary is None:
            return
        self.ignored_by_handler += sum(summary.ignored.values())
        self.malformed += summary.malformed
        for outcome in summary.receipts:
            totals = self.receipts.setdefault(outcome.receipt, _ReceiptTotals())
            totals.attempts += 1
            totals.failed_last = outcome.failed
            totals.metadata_status = outcome.metadata_status or totals.metadata_status
            for name in SUMMED:
                totals.counts[name] += outcome.counts.get(name, 0)
            totals.counts["labels_seen"] = max(totals.counts["labels_seen"], outcome.counts.get("labels_seen", 0))
            if outcome.counts.get("labels_seen", 0) > 0 or not outcome.metadata_checked:
                # a metadata-only attempt says nothing about the receipt's labels: keep what the last label attempt left
                totals.counts["left_pending"] = outcome.counts.get("left_pending", 0)

    @property
    def failed_records(self) -> int:
        return sum(entry["batch_size"] for entry in self.on_failure)

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(COUNTERS, 0)
        for totals in self.receipts.values():
            for name in COUNTERS:
                out[name] += totals.counts[name]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The `stream --json` object (CONTRACT §4): the service counters first, then the reader's own."""
        return {
            "receipts": len(self.receipts),
            **self.totals(),
            "records_read": self.records_read,
            "records_passed_filter": self.records_passed_filter,
            "batches": self.batches,
            "invocations": self.invocations,
            "retries": self.retries,
            "bisects": self.bisects,
            "function_errors": self.function_errors,
            "iterators_reobtained": self.iterators_reobtained,
            "trimmed": self.trimmed,
            "ignored_by_handler": self.ignored_by_handler,
            "malformed": self.malformed,
            "failed_receipts": sorted(r for r, t in self.receipts.items() if t.failed_last),
            "failed_records": self.failed_records,
            "on_failure": self.on_failure,
        }
