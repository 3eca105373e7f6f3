"""What one invocation of the stream function did: the source of its metrics and of the local reader's totals.

Lambda's response carries only `batchItemFailures`; the counts live here. The handler module keeps the summary of
its latest invocation (`stream_handlers.handler.last_invocation_summary()`), the documented seam through which the
local stream reader (cli/stream_reader.py), which calls the handler in-process, learns what each batch did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.telemetry import REPORT_COUNTERS as COUNTERS
from domain.telemetry import Counters


@dataclass
class ReceiptOutcome:
    """One receipt's result within one invocation."""

    receipt: str
    records: int
    failed: bool = False
    error: str | None = None
    metadata_checked: bool = False
    metadata_status: str | None = None
    counts: Counters = field(default_factory=lambda: Counters.zero(COUNTERS))

    def add_report(self, report: Any) -> None:
        """Adds a report's counters (the receipt's labels report, then its metadata report)."""
        self.counts += report.counters().only(COUNTERS)


@dataclass
class InvocationSummary:
    records: int = 0
    ignored: dict[str, int] = field(default_factory=dict)
    malformed: int = 0
    failed_records: int = 0
    deferred_receipts: int = 0  # not started: too little time left in the invocation
    duration_ms: float = 0.0
    llm_unreachable: bool = False  # the LLM's circuit was open during the invocation (domain/cove/circuit.py)
    receipts: list[ReceiptOutcome] = field(default_factory=list)

    def totals(self) -> Counters:
        out = Counters.zero(COUNTERS)
        for outcome in self.receipts:
            out += outcome.counts
        return out

    @property
    def failed_receipts(self) -> int:
        return sum(1 for o in self.receipts if o.failed)

    def counters(self) -> Counters:
        """What the invocation publishes as metrics (domain/telemetry.py names them)."""
        out = self.totals()
        out += {
            "receipts": len(self.receipts),
            "receipts_failed": self.failed_receipts,
            "receipts_deferred": self.deferred_receipts,
            "records": self.records,
            "records_failed": self.failed_records,
            "records_ignored": sum(self.ignored.values()),
            "records_malformed": self.malformed,
            "metadata_checked": sum(1 for o in self.receipts if o.metadata_checked),
            "llm_unreachable": int(self.llm_unreachable),
        }
        return out

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "totals": self.totals()}
