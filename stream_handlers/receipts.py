"""Validates each receipt of a batch once and says which records must be retried.

A receipt whose validation errs (LLM down, throttling: `report.errors > 0`) or raises is not done: every record of it
is reported failed, so the event source mapping retries it; the domain never decided on an error, so nothing was
written for the labels concerned. Other receipts' verdicts stand. A receipt not started because the invocation is
nearly out of time is failed the same way (deferred), rather than cut off halfway by the Lambda timeout.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stream_handlers.coalesce import BatchPlan, ReceiptWork
from stream_handlers.summary import ReceiptOutcome
from stream_handlers.validation import ReceiptValidation

# Do not start a receipt with less time than this left: one receipt with LLM questions can take several seconds.
DEFAULT_TIME_RESERVE_MS = 15_000


@dataclass
class BatchOutcome:
    receipts: list[ReceiptOutcome] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # sequence number -> why its receipt is not done
    deferred: int = 0


def validate_receipts(
    plan: BatchPlan,
    validation: Callable[[], ReceiptValidation],
    remaining_ms: Callable[[], int] | None = None,
    *,
    time_reserve_ms: int = DEFAULT_TIME_RESERVE_MS,
    log: Any = None,
) -> BatchOutcome:
    """`validation` is called only when the batch holds work, so ignored records never build the verifier."""
    outcome = BatchOutcome()
    for work in plan.receipts.values():
        if remaining_ms is not None and remaining_ms() < time_reserve_ms:
            outcome.deferred += 1
            _fail_records(outcome, work, "deferred: too little time left in this invocation")
            continue
        result = _validate_one(work, validation(), log)
        outcome.receipts.append(result)
        if result.failed:
            _fail_records(outcome, work, result.error or "validation errors")
    return outcome


def _validate_one(work: ReceiptWork, validation: ReceiptValidation, log: Any) -> ReceiptOutcome:
    result = ReceiptOutcome(receipt=str(work.ref), records=len(work.sequence_numbers))
    messages: list[str] = []
    try:
        reports = validation.validate(work.ref, labels=work.wants_labels, metadata=work.metadata)
        for report in reports:
            result.add_report(report)
            messages += list(getattr(report, "error_messages", []) or [])
        if work.metadata and reports:
            verdicts = list(getattr(reports[-1], "verdicts", []) or [])
            result.metadata_checked = True
            result.metadata_status = str(verdicts[0].status) if verdicts else None
    except Exception as exc:  # a bug (the service catches what is expected): this receipt is not done, retried
        result.counts["errors"] += 1
        messages.append(f"{type(exc).__name__}: {exc}")
        if log is not None:
            log.error("receipt_raised", extra={"receipt": result.receipt, "error": type(exc).__name__})
            log.debug("receipt_raised_stack", extra={"receipt": result.receipt}, exc_info=True)
    if result.counts["errors"] > 0:
        result.failed = True
        result.error = "; ".join(messages) or "validation errors"
    return result


def _fail_records(outcome: BatchOutcome, work: ReceiptWork, reason: str) -> None:
    for seq in work.sequence_numbers:
        outcome.failed[seq] = reason
