"""A batch of stream records -> one unit of work per receipt (DESIGN principle 3: a receipt is the unit of work).

Ten PENDING labels of one receipt arrive as ten records; the receipt is loaded and verified once, and the outcome
applies to all ten records. Receipts keep the order of their first record, so earlier writes are handled first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from domain.model import ReceiptRef
from stream_handlers.records import Ignored, IgnoreReason, MalformedRecord, Work, WorkKind, classify


@dataclass
class ReceiptWork:
    """Everything one batch asks about one receipt."""

    ref: ReceiptRef
    sequence_numbers: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    metadata: bool = False

    @property
    def wants_labels(self) -> bool:
        return bool(self.labels)


@dataclass
class BatchPlan:
    receipts: dict[ReceiptRef, ReceiptWork] = field(default_factory=dict)
    ignored: dict[IgnoreReason, int] = field(default_factory=dict)
    malformed: list[MalformedRecord] = field(default_factory=list)
    records: int = 0


def plan_batch(records: Iterable[Mapping[str, Any]]) -> BatchPlan:
    """Classifies every record and groups the work by receipt; never raises for a bad record."""
    plan = BatchPlan()
    for record in records:
        plan.records += 1
        try:
            outcome = classify(record)
        except MalformedRecord as exc:
            plan.malformed.append(exc)
            continue
        if isinstance(outcome, Ignored):
            plan.ignored[outcome.reason] = plan.ignored.get(outcome.reason, 0) + 1
            continue
        _add(plan, outcome)
    return plan


def _add(plan: BatchPlan, work: Work) -> None:
    unit = plan.receipts.setdefault(work.ref, ReceiptWork(work.ref))
    unit.sequence_numbers.append(work.sequence_number)
    if work.kind is WorkKind.METADATA:
        unit.metadata = True
    elif work.label is not None:
        unit.labels.append(work.label)
