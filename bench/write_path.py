"""The verdict write path, measured: the same verdicts written every way on identical tables, per backend.

Imported by bench/stream.py (which prints it beside the read-path figures). The verdicts are computed once, rules
only, from the receipts as read (a dry run through `domain.service.validate_receipt`), then written to a fresh table
per way, receipt after receipt, each way holding the same conditions (`domain.store.conditions.verdict_update`):

- sequential: one conditional UpdateItem after another (the process's write pool at bound 1);
- overlapped_N: the same UpdateItems through the process's write pool (`domain.write_pool`) at bound N;
- transaction: one TransactWriteItems per receipt (<= 100 actions), the same Update actions; all-or-nothing, so on
  a cancelled transaction the labels whose own condition held are written again one by one (per-label outcome kept);
- batch_statement: BatchExecuteStatement, <= 25 PartiQL UPDATE statements per call (`domain.store.partiql`: the same
  conditions, translated token by token), the calls of a receipt through the write pool at bound 8; each statement
  answers on its own, so a lost race stays per label.

What each backend does with them (the note of issue 16 has the evidence):
- moto 5.2.5 cannot run batch_statement: its PartiQL UPDATE parser accepts only `attr = value` conditions joined by
  AND (no OR, NOT, IS MISSING, begins_with, attribute_type), answers a refused condition with a silent no-op (no
  ConditionalCheckFailed) and copies every item of every table for each statement. The way is reported as skipped.
- moto's TransactWriteItems deep-copies the whole table once per action (its rollback copy), so a transaction costs
  O(actions x table size): on moto that way writes only the first `transaction_receipts` receipts (said in the JSON).
- DynamoDB Local honours the conditions per statement, but reports no ConsumedCapacity for BatchExecuteStatement.

`round_trips_per_receipt_model` is the number of calls on a receipt's critical path if the server took no time
(sequential: one per label; overlapped at N: labels/N; a batch: 25 statements a call, 8 calls at once): a model, not
a measurement, of what a network round trip multiplies. Calls are counted by a botocore hook; write units come from
ReturnConsumedCapacity=TOTAL added to every write by a hook (the store's code is unchanged). With `latency_ms`, a
`before-call` hook sleeps that long before every DynamoDB call (outside the GIL, so overlapped calls overlap their
waits): a **simulated** network round trip, labelled so.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

WRITE_OPERATIONS = ("UpdateItem", "TransactWriteItems", "BatchExecuteStatement")
TRANSACTION_LIMIT = 100
OVERLAP_BOUNDS = (4, 8, 16)
BATCH_BOUND = 8
CHOSEN = "overlapped_8"
MOTO_TRANSACTION_RECEIPTS = 2
MOTO_CANNOT_BATCH = (
    "moto 5.2.5's PartiQL UPDATE accepts only `attr = value` AND conditions (no OR/NOT/IS MISSING/begins_with/"
    "attribute_type), answers a refused condition with a silent no-op instead of ConditionalCheckFailed, and copies "
    "every item of every table per statement: it cannot hold the write conditions"
)

Way = Callable[[Any, list[Any]], tuple[int, int]]


class Meter:
    """Calls by operation and consumed write units, from hooks on one client; optionally a simulated round trip."""

    def __init__(self, client: Any, latency_ms: float = 0.0):
        self.calls: Counter[str] = Counter()
        self.units = 0.0
        self.reported = 0  # calls whose response carried ConsumedCapacity
        self.latency_s = latency_ms / 1000.0
        client.meta.events.register("provide-client-params.dynamodb.*", self._params)
        client.meta.events.register("before-call.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def reset(self) -> None:
        self.calls.clear()
        self.units, self.reported = 0.0, 0

    def _params(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name in WRITE_OPERATIONS:
            params["ReturnConsumedCapacity"] = "TOTAL"

    def _before(self, **_: Any) -> None:
        if self.latency_s:
            time.sleep(self.latency_s)

    def _after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name not in WRITE_OPERATIONS:
            return
        consumed = parsed.get("ConsumedCapacity")
        if isinstance(consumed, dict):
            consumed = [consumed]
        if consumed:
            self.reported += 1
            self.units += sum(float(c.get("CapacityUnits") or c.get("WriteCapacityUnits") or 0) for c in consumed)


def _decided(store: Any, contexts: list[Any], verifier: Any) -> list[list[Any]]:
    """Per receipt, the decided verdicts of its PENDING labels (dry run: nothing written)."""
    from domain.service import validate_receipt

    out = []
    for context in contexts:
        report = validate_receipt(store, context.ref, mode="pending", dry_run=True, verifier=verifier)
        out.append([v for v in report.verdicts if v.decided])
    return out


def _pooled(bound: int, calls: list[Callable[[], tuple[int, int]]]) -> tuple[int, int]:
    """Runs `calls` through the process's write pool at `bound`; sums their (written, lost); re-raises a failure."""
    from domain import write_pool

    with write_pool.bound(bound):
        outcomes = write_pool.run_all(calls)
    written = lost = 0
    for o in outcomes:
        if o.error is not None:
            raise o.error
        assert o.value is not None
        written, lost = written + o.value[0], lost + o.value[1]
    return written, lost


def _one(store: Any, verdict: Any) -> Callable[[], tuple[int, int]]:
    def call() -> tuple[int, int]:
        ok = store.apply_verdict(verdict, verdict.label.validation_status)
        return int(ok), int(not ok)

    return call


def overlapped(bound: int) -> Way:
    """The service's own path: one conditional UpdateItem per verdict through the write pool (bound 1: in turn)."""

    def write(store: Any, verdicts: list[Any]) -> tuple[int, int]:
        return _pooled(bound, [_one(store, v) for v in verdicts])

    return write


def transaction(store: Any, verdicts: list[Any]) -> tuple[int, int]:
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


class StatementFailed(RuntimeError):
    """A statement of a batch failed for a reason other than its condition (throttled, invalid): not written."""


def _statement_batch(store: Any, chunk: list[Any]) -> Callable[[], tuple[int, int]]:
    def call() -> tuple[int, int]:
        from domain.store.conditions import verdict_update
        from domain.store.partiql import update_statement

        statements = [update_statement(store.table_name, *verdict_update(v, v.label.validation_status)) for v in chunk]
        responses = store.client.batch_execute_statement(Statements=statements)["Responses"]
        written = lost = 0
        for response in responses:
            error = response.get("Error")
            if error is None:
                written += 1
            elif error.get("Code") == "ConditionalCheckFailed":
                lost += 1
            else:
                raise StatementFailed(f"{error.get('Code')}: {error.get('Message')}")
        return written, lost

    return call


def batch_statement(store: Any, verdicts: list[Any]) -> tuple[int, int]:
    """BatchExecuteStatement of <= 25 conditional UPDATEs per call, a receipt's calls through the write pool."""
    from domain.store.partiql import BATCH_STATEMENTS

    chunks = [verdicts[i : i + BATCH_STATEMENTS] for i in range(0, len(verdicts), BATCH_STATEMENTS)]
    return _pooled(BATCH_BOUND, [_statement_batch(store, chunk) for chunk in chunks])


def ways() -> dict[str, Way]:
    out: dict[str, Way] = {"sequential": overlapped(1)}
    out.update({f"overlapped_{b}": overlapped(b) for b in OVERLAP_BOUNDS})
    out["transaction"] = transaction
    out["batch_statement"] = batch_statement
    return out


def round_trips(way: str, labels: int) -> int:
    """Calls on a receipt's critical path if the server took no time: what a network round trip multiplies (model)."""
    from domain.store.partiql import BATCH_STATEMENTS

    if way == "sequential":
        return labels
    if way.startswith("overlapped_"):
        return math.ceil(labels / int(way.rsplit("_", 1)[1]))
    if way == "transaction":
        return math.ceil(labels / TRANSACTION_LIMIT)
    return math.ceil(math.ceil(labels / BATCH_STATEMENTS) / BATCH_BOUND)


def _final_state(store: Any, contexts: list[Any]) -> dict[str, tuple[str, str | None]]:
    return {
        f"{c.ref}/{lb.claim_id}": (lb.validation_status.value, lb.validated_by)
        for c in contexts
        for lb in (store.load_receipt(c.ref).labels)
    }


def _row(
    way: str, meter: Meter, per_receipt: list[list[Any]], written: int, lost: int, seconds: float
) -> dict[str, Any]:
    labels = sum(len(v) for v in per_receipt)
    trips = sum(round_trips(way, len(v)) for v in per_receipt)
    calls = sum(meter.calls[op] for op in WRITE_OPERATIONS)
    return {
        "receipts": len(per_receipt),
        "verdicts": labels,
        "written": written,
        "lost_races": lost,
        "write_calls": calls,
        "calls_per_receipt": round(calls / len(per_receipt), 2),
        "round_trips_per_receipt_model": round(trips / len(per_receipt), 2),
        "write_units": meter.units if meter.reported else None,
        "write_units_per_label": round(meter.units / labels, 2) if meter.reported and labels else None,
        "seconds": round(seconds, 3),
        "seconds_per_receipt": round(seconds / len(per_receipt), 4),
        "ms_per_label": round(1000 * seconds / labels, 2) if labels else None,
    }


def measure(
    make_store: Callable[[str], Any],
    contexts: list[Any],
    verifier: Any,
    backend: str,
    *,
    moto: bool = False,
    latency_ms: float = 0.0,
    transaction_receipts: int = MOTO_TRANSACTION_RECEIPTS,
) -> dict[str, Any]:
    """Every way on its own fresh table of one backend; per-receipt seconds, calls, write units; same end state.

    `latency_ms` > 0 adds a simulated round trip before every call (the JSON says so). On moto, batch_statement is
    skipped and transaction writes only `transaction_receipts` receipts (see the module's docstring).
    """
    results: dict[str, Any] = {}
    states: dict[str, dict[str, tuple[str, str | None]]] = {}
    for name, write in ways().items():
        if moto and name == "batch_statement":
            results[name] = {"skipped": MOTO_CANNOT_BATCH}
            continue
        subset = contexts[:transaction_receipts] if moto and name == "transaction" else contexts
        store = make_store(f"WritePath-{name}")
        store.write_contexts(subset)
        per_receipt = _decided(store, subset, verifier)
        meter = Meter(store.client, latency_ms)
        written = lost = 0
        started = time.perf_counter()
        for verdicts in per_receipt:
            w, lo = write(store, verdicts)
            written, lost = written + w, lost + lo
        seconds = time.perf_counter() - started
        results[name] = _row(name, meter, per_receipt, written, lost, seconds)
        if len(subset) < len(contexts):
            results[name]["note"] = (
                f"first {len(subset)} receipts only: moto's TransactWriteItems deep-copies the whole table per action"
            )
        states[name] = _final_state(store, subset)
    base = results["sequential"]["seconds_per_receipt"]
    for row in results.values():
        if "seconds_per_receipt" in row:
            row["speedup_vs_sequential"] = (
                round(base / row["seconds_per_receipt"], 2) if row["seconds_per_receipt"] else None
            )
    reference = states["sequential"]
    return {
        "backend": backend,
        "simulated_round_trip_ms": latency_ms or None,
        "chosen": CHOSEN,
        "ways": results,
        "chosen_speedup": results[CHOSEN]["speedup_vs_sequential"],
        "same_verdicts": all(all(reference[k] == v for k, v in state.items()) for state in states.values()),
        "write_units_reported": any(r.get("write_units") is not None for r in results.values()),
        "state": reference,
    }
