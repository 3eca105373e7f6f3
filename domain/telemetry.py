"""One telemetry for every function: the counters reports carry, the one metric vocabulary, the logger set-up.

- `Counters`: named counts. Every report exposes its own (`report.counters()`) and the doors add them up (`+=`):
  a stream invocation over its receipts, a sweep over its receipts, slices and segments.
- `METRICS`: counter name -> CloudWatch metric name (and unit). Both Lambdas publish through `publish`, so the same
  counter has the same name in both (e.g. `llm_calls` is `LLMCalls`, `receipts_failed` is `ReceiptsFailed`);
  infra/alarms.py names its metrics from here too.
- `build_logger` / `build_metrics`: powertools' Logger (JSON on the current stdout) and Metrics (EMF, flushed once
  per invocation by `log_metrics`), configured from the environment the same way for each function.

Depends on powertools only (both Lambdas ship it); it is imported when a logger or metrics object is built.
"""

from __future__ import annotations

import io
import logging
import os
import sys
from collections.abc import Iterable, Mapping
from typing import IO, TYPE_CHECKING, cast

if TYPE_CHECKING:
    from aws_lambda_powertools import Logger, Metrics

NAMESPACE = "ReceiptValidator"

# The counters every report of the service carries (CONTRACT §4 `--json`, §5 Lambda results), in printed order.
REPORT_COUNTERS = (
    "labels_seen",
    "valid",
    "invalid",
    "needs_review",
    "left_pending",
    "llm_calls",
    "errors",
    "writes",
    "lost_races",
    "skipped_items",
)

COUNT, MILLISECONDS = "Count", "Milliseconds"

# counter -> (metric name, unit): the one vocabulary. A function publishes the counters it has.
METRICS: dict[str, tuple[str, str]] = {
    # what the service did, in every function
    "receipts": ("Receipts", COUNT),
    "receipts_failed": ("ReceiptsFailed", COUNT),
    "labels_seen": ("LabelsSeen", COUNT),
    "valid": ("LabelsValid", COUNT),
    "invalid": ("LabelsInvalid", COUNT),
    "needs_review": ("LabelsNeedsReview", COUNT),
    "left_pending": ("LabelsLeftPending", COUNT),
    "llm_calls": ("LLMCalls", COUNT),
    "llm_unreachable": ("LLMUnreachable", COUNT),
    "errors": ("Errors", COUNT),
    "writes": ("Writes", COUNT),
    "lost_races": ("LostRaces", COUNT),
    "skipped_items": ("SkippedItems", COUNT),
    # the stream function's records and batches
    "records": ("Records", COUNT),
    "records_failed": ("RecordsFailed", COUNT),  # reported in batchItemFailures (the partial-failure alarm)
    "records_ignored": ("RecordsIgnored", COUNT),
    "records_malformed": ("RecordsMalformed", COUNT),
    "receipts_deferred": ("ReceiptsDeferred", COUNT),
    "metadata_checked": ("MetadataChecked", COUNT),
    "duration_ms": ("Duration", MILLISECONDS),
    # a sweeper refusing its input
    "bad_payload": ("BadPayload", COUNT),
}


def metric_name(counter: str) -> str:
    """The metric a counter is published as (infra/alarms.py alarms on these names)."""
    return METRICS[counter][0]


class Counters(dict[str, int]):
    """Named counts of a report or of a sum of reports; `a += b` adds `b`'s counts into `a` (missing names are 0)."""

    @classmethod
    def zero(cls, names: Iterable[str]) -> Counters:
        return cls(dict.fromkeys(names, 0))

    def __iadd__(self, other: Mapping[str, int]) -> Counters:
        for name, value in other.items():
            self[name] = self.get(name, 0) + int(value)
        return self

    def only(self, names: Iterable[str]) -> Counters:
        """These counts, restricted to `names` (a name absent here is 0)."""
        return Counters({name: self.get(name, 0) for name in names})


def publish(metrics: Metrics, counters: Mapping[str, float]) -> None:
    """Adds every counter that has a metric name; `log_metrics` flushes them once, as one EMF document."""
    from aws_lambda_powertools.metrics import MetricUnit

    for counter, value in counters.items():
        if counter in METRICS:
            name, unit = METRICS[counter]
            metrics.add_metric(name=name, unit=MetricUnit(unit), value=value)


class CurrentStdout(io.TextIOBase):
    """A stream that forwards to the current `sys.stdout` (looked up at every write, unlike a bound handler).

    A Lambda function's output goes to its log stream; this lets the local stream reader and tests capture the
    function's output the way the Lambda runtime does (and keeps the CLI's own stdout clean for `--json`)."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def build_logger(service: str, env: Mapping[str, str] | None = None) -> Logger:
    """The function's JSON logger. In Lambda the project's stdlib loggers (domain, the doors) log the same JSON;
    locally the CLI's own logging set-up stays."""
    from aws_lambda_powertools import Logger

    env = os.environ if env is None else env
    level = env.get("POWERTOOLS_LOG_LEVEL") or env.get("LOG_LEVEL") or "INFO"
    stream = cast("IO[str]", CurrentStdout())  # a text stream, as the Logger expects
    logger = Logger(service=env.get("POWERTOOLS_SERVICE_NAME", service), level=level, stream=stream)
    if env.get("AWS_LAMBDA_FUNCTION_NAME"):
        from aws_lambda_powertools.logging import utils

        utils.copy_config_to_registered_loggers(source_logger=logger, include={"domain", "stream_handlers", "sweepers"})
    logging.getLogger("botocore").setLevel(logging.WARNING)
    return logger


def build_metrics(service: str, env: Mapping[str, str] | None = None) -> Metrics:
    """The function's EMF metrics, under the namespace and `service` dimension the alarms name."""
    from aws_lambda_powertools import Metrics

    env = os.environ if env is None else env
    return Metrics(
        namespace=env.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE),
        service=env.get("POWERTOOLS_SERVICE_NAME", service),
    )
