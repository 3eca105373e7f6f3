"""The sweeper Lambdas' common door: parse the payload, run the sweep, report (logs, EMF metrics, the summary).

Each sweeper module keeps its handler to one line (`lambda_handler = handler_for(NAME, from_wiring)`). The
sweep, its verifier and the store are wired on the first invocation and reused while the container is warm.
A sweeper never invokes itself: it processes one bounded slice and returns, with `next` when there is more to do,
and the state machine (infra/state_machine.py) starts the next slice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from domain import telemetry
from domain.cove.circuit import outage_since
from domain.store.repository import DynamoReceiptRepository
from domain.wiring import Wiring, from_environment
from sweepers import orchestration
from sweepers.payload import BadPayload, MergeRequest, PlanRequest, parse_request
from sweepers.runner import RunLimits, Sweep, UnknownReceipts, run_sweep

SERVICE = "receipt-validator-sweeper"
logger = telemetry.build_logger(SERVICE)
metrics = telemetry.build_metrics(SERVICE)


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
        telemetry.publish(metrics, {"bad_payload": 1})
        return {"sweep": name, "error": str(exc), "problems": problems}
    sliced = summary.as_dict()
    llm_unreachable = int(outage_since(started, still_open=True) is not None)
    telemetry.publish(metrics, {**summary.counters(), "llm_unreachable": llm_unreachable})
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
