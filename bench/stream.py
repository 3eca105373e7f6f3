"""Coalesced vs per-record stream processing of the same events: DynamoDB calls and records/s, as JSON.

Two identical tables on moto (in process) receive the same sample receipts, every label PENDING (receipts with at
least 5 labels). The default is small: moto's Query scans the whole table and its response serializer is slow, so
per-record processing takes minutes. The stream events of the first table are fed to the real handler twice, rules
only:

- coalesced: batches of 100 (Lambda's default for DynamoDB streams) on table A: a receipt is loaded once a batch;
- per-record: one record per invocation, on table B; every record loads its receipt again.

DynamoDB calls are counted by a botocore `before-call.dynamodb.*` hook on each store's client.

Then the write path (bench/write_path.py): the same receipts' verdicts written one after another, overlapped through
the write pool at several bounds, as one transaction per receipt and as PartiQL BatchExecuteStatement calls, on moto
(in process) and on DynamoDB Local (the real jar, when installed: `make dynamodb-local java`), in the same run: write
calls, write units (ReturnConsumedCapacity; moto reports none) and seconds per receipt, with the ratio to sequential.
Then the same ways again with a **simulated** network round trip (`--latency-ms`, default 8: a hook sleeps that long
before every DynamoDB call) on DynamoDB Local (moto when it is not installed), on `--latency-receipts` receipts: what
overlap and batching buy when the server is not on our own CPUs. That part is labelled `simulated` in the JSON.

The run fails (exit 1) unless coalesced processing makes at least 5x fewer read calls, both stream tables end with the
same verdicts, and every way of writing ends with the same verdicts on each backend and across backends.

    .venv/bin/python bench/stream.py [--receipts N] [--batch-size N] [--write-receipts N] [--no-dynamodb-local]
        [--latency-ms MS] [--latency-receipts N] [--moto-transaction-receipts N]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

READ_OPERATIONS = ("Query", "GetItem", "BatchGetItem", "Scan")
WRITE_OPERATIONS = ("UpdateItem", "PutItem", "BatchWriteItem", "DeleteItem", "TransactWriteItems")
MIN_LABELS = 5
REQUIRED_READ_RATIO = 5.0


def _env() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ReceiptValidatorBench")
    for name in ("OLLAMA_HOST", "OLLAMA_API_KEY"):
        os.environ.pop(name, None)


def _counting_store(table: str) -> tuple[Any, Counter[str]]:
    from domain.store.repository import DynamoReceiptRepository, make_client

    calls: Counter[str] = Counter()
    client = make_client(None, "us-east-1")

    def count(event_name: str, **_: Any) -> None:
        calls[event_name.rsplit(".", 1)[-1]] += 1

    client.meta.events.register("before-call.dynamodb.*", count)
    store = DynamoReceiptRepository(table, client)
    store.create_table()
    return store, calls


def _events(store: Any) -> list[dict[str, Any]]:
    """Every record of the table's stream that passes the mapping's filter, as Lambda event records."""
    import boto3

    from cli.stream_events import lambda_record
    from cli.stream_filter import StreamFilter

    streams = boto3.client("dynamodbstreams", region_name="us-east-1")
    arn = store.stream_arn()
    flt = StreamFilter()
    out: list[dict[str, Any]] = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        while iterator:
            page = streams.get_records(ShardIterator=iterator, Limit=1000)
            if not page["Records"]:
                break
            out += [r for r in (lambda_record(x, arn, "us-east-1") for x in page["Records"]) if flt.matches(r)]
            iterator = page.get("NextShardIterator")
    return out


def _run(records: list[dict[str, Any]], batch_size: int, store: Any, calls: Counter[str], verifier: Any) -> dict:
    from cli.stream_events import LocalLambdaContext
    from stream_handlers import handler
    from stream_handlers.validation import ServiceValidation, use_validation

    use_validation(ServiceValidation(store, verifier))
    calls.clear()
    failures = 0
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):  # the function's logs and EMF, as Lambda would capture them
        for i in range(0, len(records), batch_size):
            response = handler.lambda_handler({"Records": records[i : i + batch_size]}, LocalLambdaContext())
            failures += len(response["batchItemFailures"])
    seconds = time.perf_counter() - started
    reads = sum(calls[op] for op in READ_OPERATIONS)
    writes = sum(calls[op] for op in WRITE_OPERATIONS)
    return {
        "batch_size": batch_size,
        "invocations": -(-len(records) // batch_size),
        "dynamodb_calls": dict(sorted(calls.items())),
        "read_calls": reads,
        "write_calls": writes,
        "failed_records": failures,
        "seconds": round(seconds, 3),
        "records_per_s": round(len(records) / seconds, 1) if seconds else None,
    }


def _verdicts(store: Any, refs: list[Any]) -> dict[str, str]:
    return {
        f"{ref}/{lb.claim_id}": lb.validation_status.value
        for ref in refs
        for lb in (store.load_receipt(ref).labels if store.load_receipt(ref) else [])
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=3, help="sample receipts (default 3)")
    parser.add_argument("--batch-size", type=int, default=100, help="coalesced batch size (default 100)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--write-receipts", type=int, default=20, help="receipts for the write-path part (default 20)")
    parser.add_argument("--no-dynamodb-local", action="store_true", help="write path on moto only")
    parser.add_argument(
        "--latency-ms", type=float, default=8.0, help="simulated round trip per DynamoDB call (default 8; 0: skip)"
    )
    parser.add_argument(
        "--latency-receipts", type=int, default=5, help="receipts for the simulated-latency run (default 5)"
    )
    parser.add_argument(
        "--moto-transaction-receipts",
        type=int,
        default=2,
        help="receipts the transaction way writes on moto (default 2: moto copies the table per action)",
    )
    args = parser.parse_args(argv)
    _env()

    from moto import mock_aws

    from domain.bundles import parse_bundle_lines
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier
    from domain.model import ValidationStatus
    from samples import generate_receipts

    with mock_aws():
        generated = generate_receipts(args.receipts, seed=args.seed)
        contexts = parse_bundle_lines([json.dumps(g.bundle) for g in generated]).contexts
        for context in contexts:
            for lb in context.labels:
                lb.validation_status = ValidationStatus.PENDING
        contexts = [c for c in contexts if len(c.labels) >= MIN_LABELS]
        table_a, calls_a = _counting_store("BenchCoalesced")
        table_b, calls_b = _counting_store("BenchPerRecord")
        table_a.write_contexts(contexts)
        table_b.write_contexts(contexts)
        records = _events(table_a)
        verifier = build_verifier(LLMSettings(provider="none"))

        coalesced = _run(records, args.batch_size, table_a, calls_a, verifier)
        per_record = _run(records, 1, table_b, calls_b, verifier)
        refs = [c.ref for c in contexts]
        same = _verdicts(table_a, refs) == _verdicts(table_b, refs)

        write_contexts = _pending_contexts(args.write_receipts, args.seed)
        on_moto = {"moto": True, "transaction_receipts": args.moto_transaction_receipts}
        write_path = {"moto": write_path_on(None, "moto (in process)", write_contexts, verifier, **on_moto)}
        simulated = None
        if args.latency_ms > 0 and args.no_dynamodb_local:
            simulated = _simulated(None, "moto (in process)", write_contexts, verifier, args, **on_moto)
    if not args.no_dynamodb_local:
        write_path["dynamodb_local"], ddb_simulated = _on_dynamodb_local(write_contexts, verifier, args)
        if ddb_simulated is not None:
            simulated = ddb_simulated
        elif args.latency_ms > 0:
            with mock_aws():
                simulated = _simulated(None, "moto (in process)", write_contexts, verifier, args, **on_moto)

    ratio = per_record["read_calls"] / coalesced["read_calls"] if coalesced["read_calls"] else None
    result = {
        "backend": "moto (in process)",
        "llm": "none (rules only)",
        "receipts": len(contexts),
        "records": len(records),
        "pending_labels": sum(len(c.labels) for c in contexts),
        "min_labels_per_receipt": min(len(c.labels) for c in contexts),
        "coalesced": coalesced,
        "per_record": per_record,
        "read_call_ratio": round(ratio, 2) if ratio else None,
        "total_call_ratio": round(
            sum(per_record["dynamodb_calls"].values()) / max(1, sum(coalesced["dynamodb_calls"].values())), 2
        ),
        "speedup": round(per_record["seconds"] / coalesced["seconds"], 2) if coalesced["seconds"] else None,
        "same_verdicts": same,
    }
    states = [part.pop("state") for part in write_path.values() if "state" in part]
    result["write_path"] = write_path
    if simulated is not None:
        simulated.pop("state", None)
        result["write_path_simulated_latency"] = simulated
    result["write_path_same_verdicts"] = all(p.get("same_verdicts", True) for p in write_path.values()) and all(
        state == states[0] for state in states
    )
    print(json.dumps(result, indent=2))
    ok = same and ratio is not None and ratio >= REQUIRED_READ_RATIO and result["write_path_same_verdicts"]
    ok = ok and (simulated is None or simulated["same_verdicts"])
    return 0 if ok else 1


def _pending_contexts(count: int, seed: int) -> list[Any]:
    from domain.bundles import parse_bundle_lines
    from domain.model import ValidationStatus
    from samples import generate_receipts

    generated = generate_receipts(count, seed=seed)
    contexts = parse_bundle_lines([json.dumps(g.bundle) for g in generated]).contexts
    for context in contexts:
        for lb in context.labels:
            lb.validation_status = ValidationStatus.PENDING
    return [c for c in contexts if len(c.labels) >= MIN_LABELS]


def write_path_on(
    endpoint: str | None, backend: str, contexts: list[Any], verifier: Any, prefix: str = "", **kw: Any
) -> dict[str, Any]:
    from bench.write_path import measure
    from domain.store.repository import DynamoReceiptRepository, make_client

    def make_store(table: str) -> Any:
        store = DynamoReceiptRepository(prefix + table, make_client(endpoint, "us-east-1"))
        store.create_table()
        return store

    return measure(make_store, contexts, verifier, backend, **kw)


def _simulated(
    endpoint: str | None, backend: str, contexts: list[Any], verifier: Any, args: argparse.Namespace, **kw: Any
) -> dict[str, Any]:
    """The same ways with a simulated round trip before every call, on the first `--latency-receipts` receipts."""
    out = write_path_on(
        endpoint,
        f"{backend} + SIMULATED {args.latency_ms:g} ms round trip per call",
        contexts[: args.latency_receipts],
        verifier,
        prefix="Simulated",
        latency_ms=args.latency_ms,
        **kw,
    )
    out["simulated"] = (
        f"a botocore before-call hook sleeps {args.latency_ms:g} ms before every DynamoDB call (no real network); "
        "the server's own time on this machine comes on top"
    )
    return out


def _on_dynamodb_local(
    contexts: list[Any], verifier: Any, args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    from cli.dynamodb_local import DynamoDBLocalUnavailable, dynamodb_local

    try:
        with dynamodb_local() as endpoint:
            backend = "DynamoDB Local (the real jar, in memory)"
            measured = write_path_on(endpoint, backend, contexts, verifier)
            simulated = _simulated(endpoint, backend, contexts, verifier, args) if args.latency_ms > 0 else None
            return measured, simulated
    except DynamoDBLocalUnavailable as exc:
        return {"backend": "DynamoDB Local", "skipped": f"{exc} missing (make dynamodb-local java)"}, None


if __name__ == "__main__":
    sys.exit(main())
