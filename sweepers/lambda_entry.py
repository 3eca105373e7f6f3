"""The sweeper Lambdas' common door: parse the payload, run the sweep, report (logs, EMF metrics, the summary).

Each sweeper module keeps its handler to one line (`lambda_handler = handler_for(NAME, from_wiring)`). The
sweep, its verifier and the store are wired on the first invocation and reused while the container is warm.
A sweeper never invokes itself: it processes one bounded slice and returns, with `next` when there is more to do,
and the state machine (infra/state_machine.py) starts the next slice.
"""

from __future__ import annotations

import io
import os
import sys
import time
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit

from domain.cove.circuit import outage_since
from domain.store.repository import DynamoReceiptRepository
from domain.wiring import Wiring, from_environment
from sweepers import orchestration
from sweepers.payload import BadPayload, MergeRequest, PlanRequest, parse_request
from sweepers.runner import RunLimits, Sweep, UnknownReceipts, run_sweep

NAMESPACE = "ReceiptValidator"
SERVICE = "receipt-validator-sweeper"


class _CurrentStdout(io.TextIOBase):
    """Writes to whatever `sys.stdout` is now (the Lambda runtime's, a test's capture), not the one at import."""

    def write(self, text: str) -> int:
        return sys.stdout.write(text)

    def flush(self) -> None:
        sys.stdout.flush()


def _build_logger() -> Logger:
    level = os.environ.get("POWERTOOLS_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO"
    built = Logger(service=os.environ.get("POWERTOOLS_SERVICE_NAME", SERVICE), level=level, stream=_CurrentStdout())
    if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):
        # In Lambda the runner's and the domain's stdlib loggers write the same JSON; locally the CLI's logging stays.
        from aws_lambda_powertools.logging import utils

        utils.copy_config_to_registered_loggers(source_logger=built, include={"domain", "sweepers"})
    return built


logger = _build_logger()
metrics = Metrics(namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", NAMESPACE))

# Summary counters published as metrics (one EMF document per invocation).
METRICS = {
    "receipts": "SweepReceipts",
    "labels_seen": "LabelsSeen",
    "valid": "LabelsValid",
    "invalid": "LabelsInvalid",
    "needs_review": "LabelsNeedsReview",
    "left_pending": "LabelsLeftPending",
    "llm_calls": "LlmCalls",
    "errors": "Errors",
    "writes": "Writes",
    "lost_races": "LostRaces",
    "skipped_items": "SkippedItems",
}


def handle(
    name: str,
    event: Any,
    context: Any,
    *,
    sweep: Callable[[], Sweep],
    store: Callable[[], DynamoReceiptRepository],
    limits: RunLimits | None = None,
) -> dict[str, Any]:
    """One invocation, without the powertools decorators (tests call this). Bad input gives an error response."""
    metrics.add_dimension(name="sweep", value=name)
    try:
        request = parse_request(event)
        if isinstance(request, PlanRequest):
            return orchestration.plan(sweep(), request.plan, store())
        if isinstance(request, MergeRequest):
            return orchestration.merge(name, request.merge)
        started = time.monotonic()
        summary = run_sweep(sweep(), request, store(), context, limits=limits or RunLimits.from_env())
    except (BadPayload, UnknownReceipts) as exc:
        problems = exc.problems if isinstance(exc, BadPayload) else [str(exc)]
        logger.warning("sweep refused its input", extra={"sweep": name, "problems": problems})
        metrics.add_metric(name="BadPayload", unit=MetricUnit.Count, value=1)
        return {"sweep": name, "error": str(exc), "problems": problems}
    sliced = summary.as_dict()
    for key, metric in METRICS.items():
        metrics.add_metric(name=metric, unit=MetricUnit.Count, value=int(sliced.get(key, 0)))
    metrics.add_metric(name="FailedReceipts", unit=MetricUnit.Count, value=summary.failed_receipts_total)
    metrics.add_metric(
        name="LLMUnreachable", unit=MetricUnit.Count, value=int(outage_since(started, still_open=True) is not None)
    )
    # Receipt ids and counts only: never OCR text at INFO.
    logger.info("sweep finished", extra={k: v for k, v in sliced.items() if k != "failed_receipts"})
    for failure in summary.failed_receipts:
        logger.warning("receipt failed", extra=failure)
    return orchestration.finish_slice(sweep(), request, summary, store())


def handler_for(name: str, build_sweep: Callable[[Wiring], Sweep]) -> Callable[[Any, Any], dict[str, Any]]:
    """The Lambda entry point of one sweeper: JSON logs with the Lambda context, metrics flushed once at the end.

    The function's dependencies are wired from its environment on the first invocation (domain/wiring.py) and kept
    while the container is warm; `build_sweep` takes from them what the sweep needs."""
    cache: dict[str, Any] = {}

    def wiring() -> Wiring:
        if "wiring" not in cache:
            cache["wiring"] = from_environment()
        return cache["wiring"]

    def sweep() -> Sweep:
        if "sweep" not in cache:
            cache["sweep"] = build_sweep(wiring())
        return cache["sweep"]

    def store() -> DynamoReceiptRepository:
        return wiring().store

    @metrics.log_metrics(raise_on_empty_metrics=False)
    @logger.inject_lambda_context(log_event=False)
    def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
        return handle(name, event, context, sweep=sweep, store=store)

    return lambda_handler
