"""What one invocation of the stream function did: the source of its metrics and of the local reader's totals.

Lambda's response carries only `batchItemFailures`; the counts live here. The handler module keeps the summary of
its latest invocation (`stream_handlers.handler.last_invocation_summary()`), the documented seam through which the
local stream reader (cli/stream_reader.py), which calls the handler in-process, learns what each batch did.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from domain.service import SUMMARY_COUNTERS as COUNTERS


@dataclass
class ReceiptOutcome:
    """One receipt's result within one invocation."""

    receipt: str
    records: int
    failed: bool = False
    error: str | None = None
    metadata_checked: bool = False
    metadata_status: str | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))

    def add_report(self, report: Any) -> None:
        for name in COUNTERS:
            self.counts[name] += int(getattr(report, name, 0) or 0)


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

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(COUNTERS, 0)
        for outcome in self.receipts:
            for name, value in outcome.counts.items():
                out[name] = out.get(name, 0) + value
        return out

    @property
    def failed_receipts(self) -> int:
        return sum(1 for o in self.receipts if o.failed)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "totals": self.totals()}
