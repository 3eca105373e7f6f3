"""What a sweep did, as the object `sweep --json` prints and the Lambda returns (CONTRACT §4, §5)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.model import ReceiptRef
from domain.service import SUMMARY_COUNTERS as COUNTERS


@dataclass
class SweepSummary:
    """Totals of one sweep invocation (or of a local run across its rounds)."""

    sweep: str
    dry_run: bool
    receipts: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    failed_receipts: list[dict[str, str]] = field(default_factory=list)
    extra: dict[str, int] = field(default_factory=dict)
    cursor: str | None = None
    stopped_by: str | None = None  # "time" | "limit" | "max_chain" when it stopped before the end
    continued: bool = False
    continuation_error: str | None = None
    chain: int = 0

    def add_report(self, ref: ReceiptRef, report: Any) -> None:
        """Adds one receipt's report; a receipt whose report holds errors is named as failed."""
        self.receipts += 1
        for name in COUNTERS:
            self.counts[name] += int(getattr(report, name, 0) or 0)
        for name, value in _report_extras(report).items():
            self.extra[name] = self.extra.get(name, 0) + value
        if int(getattr(report, "errors", 0) or 0):
            messages = list(getattr(report, "error_messages", []) or [])
            self.failed_receipts.append({"receipt": str(ref), "error": "; ".join(messages) or "errors in labels"})

    def add_failure(self, ref: ReceiptRef, message: str) -> None:
        """A receipt whose processing raised: counted as one error, nothing about it was decided."""
        self.receipts += 1
        self.counts["errors"] += 1
        self.failed_receipts.append({"receipt": str(ref), "error": message})

    def merge(self, other: SweepSummary) -> None:
        """Adds a later round of the same sweep (local runs that continue in-process)."""
        self.receipts += other.receipts
        for name, value in other.counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
        for name, value in other.extra.items():
            self.extra[name] = self.extra.get(name, 0) + value
        self.failed_receipts += other.failed_receipts
        self.cursor, self.stopped_by, self.continued = other.cursor, other.stopped_by, other.continued

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"sweep": self.sweep, "dry_run": self.dry_run, "receipts": self.receipts}
        out.update(self.counts)
        out.update(self.extra)
        out["failed_receipts"] = self.failed_receipts
        out["chain"] = self.chain
        if self.cursor is not None:
            out["cursor"] = self.cursor
        if self.stopped_by is not None:
            out["stopped_by"] = self.stopped_by
        if self.continued:
            out["continued"] = True
        if self.continuation_error:
            out["continuation_error"] = self.continuation_error
        return out


def _report_extras(report: Any) -> dict[str, int]:
    """Integer fields of a report beyond COUNTERS (e.g. a metadata report's status counts)."""
    fields = getattr(type(report), "model_fields", None) or getattr(report, "__dataclass_fields__", None) or {}
    extras: dict[str, int] = {}
    for name in fields:
        value = getattr(report, name, None)
        if name not in COUNTERS and name != "receipts" and isinstance(value, int) and not isinstance(value, bool):
            extras[name] = value
    return extras
