"""The stream Lambda: DynamoDB stream records -> receipts -> domain service -> `batchItemFailures`.

1. Every record is classified (`records.classify`) and the work grouped by receipt (`coalesce.plan_batch`).
2. Each receipt is validated once (`receipts.validate_receipts`).
3. powertools' BatchProcessor then walks the records: the record handler raises for records whose receipt is not done,
   so the processor builds the partial-failure response. Malformed and ignored records never raise.

Metrics are flushed once per invocation (`log_metrics`), named by the one vocabulary of domain/telemetry.py. The
summary of the latest invocation is kept for the local stream reader (`last_invocation_summary()`); Lambda itself
sees only the response.
"""

from __future__ import annotations

import os
import time
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from domain import telemetry
from domain.cove.circuit import outage_since
from stream_handlers.coalesce import plan_batch
from stream_handlers.receipts import DEFAULT_TIME_RESERVE_MS, validate_receipts
from stream_handlers.summary import InvocationSummary
from stream_handlers.validation import current_validation

SERVICE = "receipt-validator-stream"
logger = telemetry.build_logger(SERVICE)
metrics = telemetry.build_metrics(SERVICE)
processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
TIME_RESERVE_MS = int(os.environ.get("STREAM_TIME_RESERVE_MS", DEFAULT_TIME_RESERVE_MS))

_last_summary: InvocationSummary | None = None


class ReceiptNotDone(Exception):
    """Raised for each record of a receipt that failed, so BatchProcessor reports it in batchItemFailures."""


def last_invocation_summary() -> InvocationSummary | None:
    """What the latest invocation in this process did (the local reader's seam; see summary.py)."""
    return _last_summary


@metrics.log_metrics
@logger.inject_lambda_context(clear_state=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    global _last_summary
    started = time.perf_counter()
    started_mono = time.monotonic()
    records = event.get("Records") if isinstance(event, dict) else None
    if not isinstance(records, list):
        logger.warning("event_without_records")
        records = []
    plan = plan_batch(records)
    for problem in plan.malformed:
        logger.warning("malformed_record", extra={"sequence_number": problem.sequence_number, "error": str(problem)})
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    outcome = validate_receipts(plan, current_validation, remaining, time_reserve_ms=TIME_RESERVE_MS, log=logger)

    def record_handler(record: DynamoDBRecord) -> None:
        raw = record.raw_event
        body = raw.get("dynamodb") if isinstance(raw, dict) else None
        seq = body.get("SequenceNumber") if isinstance(body, dict) else None
        if isinstance(seq, str) and seq in outcome.failed:  # anything else is a malformed record: never failed
            raise ReceiptNotDone(outcome.failed[seq])

    response = process_partial_response({"Records": records}, record_handler, processor, context)
    summary = InvocationSummary(
        records=plan.records,
        ignored={reason.value: n for reason, n in plan.ignored.items()},
        malformed=len(plan.malformed),
        failed_records=len(response.get("batchItemFailures", [])),
        deferred_receipts=outcome.deferred,
        duration_ms=round((time.perf_counter() - started) * 1000, 1),
        receipts=outcome.receipts,
        llm_unreachable=outage_since(started_mono, still_open=True) is not None,
    )
    telemetry.publish(metrics, {**summary.counters(), "duration_ms": summary.duration_ms})
    logger.info(
        "batch_done",
        extra={
            "records": summary.records,
            "receipts": len(summary.receipts),
            "failed_receipts": summary.failed_receipts,
            "failed_records": summary.failed_records,
            "ignored": summary.ignored,
            "malformed": summary.malformed,
            **summary.totals(),
        },
    )
    _last_summary = summary
    return response
