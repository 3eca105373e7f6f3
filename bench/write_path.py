"""The verdict write path, measured: one receipt's verdicts written three ways on identical tables, per backend.

Imported by bench/stream.py (which prints it beside the read-path figures). The verdicts are computed once, rules
only, from the receipts as read (a dry run through `domain.service.validate_receipt`), then written to a fresh table
per way, receipt after receipt, each way holding the same conditions (`domain.store.verdict_update`):

- sequential: one conditional UpdateItem after another (the write path before issue 16);
- overlapped: the same UpdateItems through the process's write pool (`domain.write_pool`, the chosen path), at
  several bounds;
- transaction: one TransactWriteItems per receipt (<= 100 actions), the same Update actions; all-or-nothing, so on
  a cancelled transaction the labels whose own condition held are written again one by one (per-label outcome kept).

Calls are counted by a botocore hook; write units come from ReturnConsumedCapacity=TOTAL added to every write by a
hook (the store's code is unchanged): DynamoDB Local reports them, moto reports none for these calls (`null` then).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Callable
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

WRITE_OPERATIONS = ("UpdateItem", "TransactWriteItems")
TRANSACTION_LIMIT = 100
OVERLAP_BOUNDS = (4, 8, 16)
CHOSEN = "overlapped_8"


class Meter:
    """Calls by operation and consumed write units, from hooks on one client."""

    def __init__(self, client: Any):
        self.calls: Counter[str] = Counter()
        self.units = 0.0
        self.reported = 0  # calls whose response carried ConsumedCapacity
        client.meta.events.register("provide-client-params.dynamodb.*", self._params)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def reset(self) -> None:
        self.calls.clear()
        self.units, self.reported = 0.0, 0

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name in WRITE_OPERATIONS:
            params["ReturnConsumedCapacity"] = "TOTAL"

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name not in WRITE_OPERATIONS:
            return
        consumed = parsed.get("ConsumedCapacity")
        if isinstance(consumed, dict):
            consumed = [consumed]
        if consumed:
            self.reported += 1
            self.units += sum(float(c.get("CapacityUnits") or c.get("WriteCapacityUnits") or 0) for c in consumed)


@contextmanager
def write_bound(bound: int):
    from domain import write_pool

    saved = os.environ.get(write_pool.ENV_WRITE_CONCURRENCY)
    os.environ[write_pool.ENV_WRITE_CONCURRENCY] = str(bound)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(write_pool.ENV_WRITE_CONCURRENCY, None)
        else:
            os.environ[write_pool.ENV_WRITE_CONCURRENCY] = saved


def _decided(store: Any, contexts: list[Any], verifier: Any) -> list[list[Any]]:
    """Per receipt, the decided verdicts of its PENDING labels (dry run: nothing written)."""
    from domain.service import validate_receipt

    out = []
    for context in contexts:
        report = validate_receipt(store, context.ref, mode="pending", dry_run=True, verifier=verifier)
        out.append([v for v in report.verdicts if v.decided])
    return out


def _sequential(store: Any, verdicts: list[Any]) -> tuple[int, int]:
    results = [store.apply_verdict(v, v.label.validation_status) for v in verdicts]
    return sum(results), len(results) - sum(results)


def _overlapped(bound: int) -> Callable[[Any, list[Any]], tuple[int, int]]:
    def write(store: Any, verdicts: list[Any]) -> tuple[int, int]:
        from domain import write_pool

        with write_bound(bound):
            outcomes = write_pool.run_all([_apply(store, v) for v in verdicts])
        for o in outcomes:
            if o.error is not None:
                raise o.error
        written = sum(bool(o.value) for o in outcomes)
        return written, len(outcomes) - written

    return write


def _apply(store: Any, verdict: Any) -> Callable[[], bool]:
    return lambda: store.apply_verdict(verdict, verdict.label.validation_status)


def _transaction(store: Any, verdicts: list[Any]) -> tuple[int, int]:
    """TransactWriteItems per receipt; when cancelled, the labels whose condition held are written one by one."""
    from domain.store.conditions import verdict_update

    written = lost = 0
    for start in range(0, len(verdicts), TRANSACTION_LIMIT):
        chunk = verdicts[start : start + TRANSACTION_LIMIT]
        actions = []
        for v in chunk:
            key, arguments = verdict_update(v, v.label.validation_status)
            actions.append({"Update": {"TableName": store.table_name, "Key": key, **arguments}})
        try:
            store.client.transact_write_items(TransactItems=actions)
            written += len(chunk)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or [{}] * len(chunk)
            for v, reason in zip(chunk, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    lost += 1
                elif store.apply_verdict(v, v.label.validation_status):
                    written += 1
                else:
                    lost += 1
    return written, lost


def _final_state(store: Any, contexts: list[Any]) -> dict[str, tuple[str, str | None]]:
    return {
        f"{c.ref}/{lb.claim_id}": (lb.validation_status.value, lb.validated_by)
        for c in contexts
        for lb in (store.load_receipt(c.ref).labels)
    }


def measure(make_store: Callable[[str], Any], contexts: list[Any], verifier: Any, backend: str) -> dict[str, Any]:
    """Every way on its own fresh table of one backend; per-receipt seconds, calls, write units; same end state."""
    ways: dict[str, Callable[[Any, list[Any]], tuple[int, int]]] = {"sequential": _sequential}
    ways.update({f"overlapped_{b}": _overlapped(b) for b in OVERLAP_BOUNDS})
    ways["transaction"] = _transaction
    results: dict[str, Any] = {}
    states = {}
    for name, write in ways.items():
        store = make_store(f"WritePath-{name}")
        store.write_contexts(contexts)
        per_receipt = _decided(store, contexts, verifier)
        meter = Meter(store.client)
        written = lost = 0
        started = time.perf_counter()
        for verdicts in per_receipt:
            w, lo = write(store, verdicts)
            written, lost = written + w, lost + lo
        seconds = time.perf_counter() - started
        labels = sum(len(v) for v in per_receipt)
        calls = sum(meter.calls[op] for op in WRITE_OPERATIONS)
        results[name] = {
            "receipts": len(per_receipt),
            "verdicts": labels,
            "written": written,
            "lost_races": lost,
            "write_calls": calls,
            "calls_per_receipt": round(calls / len(per_receipt), 2),
            "write_units": meter.units if meter.reported else None,
            "write_units_per_label": round(meter.units / labels, 2) if meter.reported and labels else None,
            "seconds": round(seconds, 3),
            "seconds_per_receipt": round(seconds / len(per_receipt), 4),
        }
        states[name] = _final_state(store, contexts)
    base = results["sequential"]["seconds_per_receipt"]
    for row in results.values():
        row["speedup_vs_sequential"] = (
            round(base / row["seconds_per_receipt"], 2) if row["seconds_per_receipt"] else None
        )
    reference = states["sequential"]
    return {
        "backend": backend,
        "chosen": CHOSEN,
        "ways": results,
        "chosen_speedup": results[CHOSEN]["speedup_vs_sequential"],
        "same_verdicts": all(state == reference for state in states.values()),
        "write_units_reported": any(r["write_units"] is not None for r in results.values()),
        "state": reference,
    }
