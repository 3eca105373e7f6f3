"""Logger and Metrics of the stream function (powertools): JSON logs, EMF metrics flushed once per invocation.

Both write to whatever `sys.stdout` is at the moment of writing, as a Lambda function's output goes to its log stream.
That lets the local stream reader capture the function's output the way the Lambda runtime does (and keeps the CLI's
own stdout clean for `--json`), without a second code path for logging.
"""

from __future__ import annotations

import io
import logging
import os
import sys

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from stream_handlers.summary import InvocationSummary

SERVICE = "receipt-validator-stream"
NAMESPACE = "ReceiptValidator"


class CurrentStdout(io.TextIOBase):
    """A stream that forwards to the current `sys.stdout` (looked up at every write, unlike a bound handler)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def build_logger() -> Logger:
    level = os.environ.get("POWERTOOLS_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO"
    logger = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE), level=level, stream=CurrentStdout())
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        # In Lambda, the domain's stdlib loggers (store, service) log as JSON too; locally the CLI's logging stays.
        from aws_lambda_powertools.logging import utils

        utils.copy_config_to_registered_loggers(source_logger=logger, include={"domain"})
    logging.getLogger("botocore").setLevel(logging.WARNING)
    return logger


def build_metrics() -> Metrics:
    return Metrics(
        namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE),
        service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE),
    )


logger = build_logger()
metrics = build_metrics()


def emit_metrics(target: Metrics, summary: InvocationSummary) -> None:
    """Adds the invocation's figures; `log_metrics` flushes them once, as one EMF line, when the handler returns."""
    totals = summary.totals()
    count = MetricUnit.Count
    target.add_metric("Records", count, summary.records)
    target.add_metric("Receipts", count, len(summary.receipts))
    target.add_metric("ReceiptsFailed", count, summary.failed_receipts)
    target.add_metric("ReceiptsDeferred", count, summary.deferred_receipts)
    target.add_metric("FailedRecords", count, summary.failed_records)
    target.add_metric("LabelsSeen", count, totals["labels_seen"])
    target.add_metric("LabelsValid", count, totals["valid"])
    target.add_metric("LabelsInvalid", count, totals["invalid"])
    target.add_metric("LabelsNeedsReview", count, totals["needs_review"])
    target.add_metric("LabelsLeftPending", count, totals["left_pending"])
    target.add_metric("LLMCalls", count, totals["llm_calls"])
    target.add_metric("Errors", count, totals["errors"])
    target.add_metric("LostRaces", count, totals["lost_races"])
    target.add_metric("SkippedItems", count, totals["skipped_items"])
    target.add_metric("MetadataChecked", count, sum(1 for o in summary.receipts if o.metadata_checked))
    target.add_metric("RecordsIgnored", count, sum(summary.ignored.values()))
    target.add_metric("RecordsMalformed", count, summary.malformed)
    target.add_metric("LLMUnreachable", count, int(summary.llm_unreachable))
    target.add_metric("Duration", MetricUnit.Milliseconds, summary.duration_ms)
