"""What a sweep did, as the object `sweep --json` prints and the Lambda returns (CONTRACT §4, §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.model import ReceiptRef
from domain.telemetry import REPORT_COUNTERS as COUNTERS
from domain.telemetry import Counters

# Summaries travel through Step Functions (256 KB per state): a long sweep names at most this many failed receipts
# and counts the rest in `failed_receipts_total`.
MAX_LISTED_FAILURES = 25


@dataclass
class SweepSummary:
    """Totals of one sweep invocation, of one segment across its slices, or of a whole execution."""

    sweep: str
    dry_run: bool
    receipts: int = 0
    # the reports' counters summed: REPORT_COUNTERS always, and whatever else the reports carry (e.g. a metadata
    # report's status counts, a reverify's `unchanged`)
    counts: Counters = field(default_factory=lambda: Counters.zero(COUNTERS))
    failed_receipts: list[dict[str, str]] = field(default_factory=list)
    failed_receipts_total: int = 0
    cursor: str | None = None
    stopped_by: str | None = None  # "time" | "limit" | "interrupted" (Ctrl-C) when it stopped before the end
    segment: str | None = None
    slices: int = 1

    def _fail(self, failure: dict[str, str]) -> None:
        self.failed_receipts_total += 1
        if len(self.failed_receipts) < MAX_LISTED_FAILURES:
            self.failed_receipts.append(failure)

    def add_report(self, ref: ReceiptRef, report: Any) -> None:
        """Adds one receipt's report; a receipt whose report holds errors is named as failed."""
        self.receipts += 1
        counters = report.counters()
        counters.pop("receipts", None)  # one report is one receipt: counted above
        self.counts += counters
        if counters.get("errors", 0):
            messages = list(getattr(report, "error_messages", []) or [])
            self._fail({"receipt": str(ref), "error": "; ".join(messages) or "errors in labels"})

    def add_failure(self, ref: ReceiptRef, message: str) -> None:
        """A receipt whose processing raised: counted as one error, nothing about it was decided."""
        self.receipts += 1
        self.counts["errors"] += 1
        self._fail({"receipt": str(ref), "error": message})

    def merge(self, other: SweepSummary) -> None:
        """Adds a later slice of the same sweep; its position (cursor, stop) becomes this summary's."""
        self.add_totals(other)
        self.cursor, self.stopped_by = other.cursor, other.stopped_by

    def add_totals(self, other: SweepSummary) -> None:
        """Adds another summary's counts (a later slice, or another segment)."""
        self.receipts += other.receipts
        self.counts += other.counts
        room = MAX_LISTED_FAILURES - len(self.failed_receipts)
        self.failed_receipts += other.failed_receipts[: max(0, room)]
        self.failed_receipts_total += other.failed_receipts_total
        self.slices += other.slices

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SweepSummary:
        """The summary `as_dict` printed (what the state machine hands back between slices)."""
        known = {"sweep", "dry_run", "receipts", "failed_receipts", "failed_receipts_total", "cursor"}
        known |= {"stopped_by", "segment", "slices", "next"}
        failed = [dict(f) for f in data.get("failed_receipts") or []]
        summary = cls(
            sweep=str(data.get("sweep", "")),
            dry_run=bool(data.get("dry_run", False)),
            receipts=int(data.get("receipts", 0)),
            counts=Counters({name: int(data.get(name, 0) or 0) for name in COUNTERS}),
            failed_receipts=failed[:MAX_LISTED_FAILURES],
            failed_receipts_total=int(data.get("failed_receipts_total", len(failed))),
            cursor=data.get("cursor"),
            stopped_by=data.get("stopped_by"),
            segment=data.get("segment"),
            slices=int(data.get("slices", 1)),
        )
        for name, value in data.items():
            if name not in known and name not in COUNTERS and isinstance(value, int) and not isinstance(value, bool):
                summary.counts[name] = value
        return summary

    def counters(self) -> Counters:
        """What the invocation publishes as metrics (domain/telemetry.py names them)."""
        out = Counters(self.counts)
        out += {"receipts": self.receipts, "receipts_failed": self.failed_receipts_total}
        return out

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sweep": self.sweep, "dry_run": self.dry_run, "receipts": self.receipts}
        out.update(self.counts)
        out["failed_receipts"] = self.failed_receipts
        out["failed_receipts_total"] = self.failed_receipts_total
        out["slices"] = self.slices
        if self.segment is not None:
            out["segment"] = self.segment
        if self.cursor is not None:
            out["cursor"] = self.cursor
        if self.stopped_by is not None:
            out["stopped_by"] = self.stopped_by
        return out


def total_of(sweep: str, summaries: list[dict[str, Any]]) -> SweepSummary:
    """The sum of segment summaries: the execution's total."""
    total = SweepSummary(sweep=sweep, dry_run=any(bool(s.get("dry_run")) for s in summaries), slices=0)
    for data in summaries:
        total.add_totals(SweepSummary.from_dict(data))
    return total
