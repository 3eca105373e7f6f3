"""The read path two ways in one run: botocore's parsing and the Decimal route vs the wire-value reads, as JSON.

The same generated receipts are written once to DynamoDB Local (the real jar; moto in process with `--backend moto`);
then, in interleaved rounds (the order alternates, so drift on a noisy machine falls on both ways alike):

- **receipt loads**: every receipt read with `DynamoReceiptRepository.load_receipt` (one paginated Query and the
  codec), through
  - `botocore`: a plain boto3 client (botocore walks every attribute value) and the codec's Decimal route (boto3's
    TypeDeserializer, then int or float), which is how receipts were read before domain/store/wire_parser.py;
  - `wire`: `make_client` as it is (item values left as they came, domain/store/wire_parser.py) and the codec as it is
    (plain values without the Decimal detour);
- **stream pages**: the table's whole stream read from TRIM_HORIZON with GetRecords (pages of 1,000, as the local
  stream reader asks) through a plain dynamodbstreams client and through the wire-value one.

Each way must give the same receipts and the same records (exit 1 otherwise). Reported: ms per receipt load, ms per
1,000 stream records, and the ratio botocore / wire (above 1: wire is faster).

    .venv/bin/python bench/read_path.py [--receipts 60] [--rounds 5] [--backend dynamodb-local|moto]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

REGION = "us-east-1"
GET_RECORDS_LIMIT = 1000


def _env() -> None:
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
    os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"


@contextlib.contextmanager
def _backend(name: str) -> Iterator[str | None]:
    if name == "moto":
        from moto import mock_aws

        with mock_aws():
            yield None
        return
    from cli.dynamodb_local import dynamodb_local

    with dynamodb_local() as endpoint:
        yield endpoint


@contextlib.contextmanager
def _decimal_route() -> Iterator[None]:
    """The codec as it read values before: every value through boto3's TypeDeserializer, then int or float."""
    from domain.store import codec

    fast = codec._wire_to_plain
    codec._wire_to_plain = lambda value: codec._dynamo_to_plain(codec._de.deserialize(value))  # type: ignore[assignment]
    try:
        yield
    finally:
        codec._wire_to_plain = fast  # type: ignore[assignment]


def _plain_client(service: str, endpoint: str | None) -> Any:
    import boto3
    from botocore.config import Config

    from domain.store.repository import MAX_POOL_CONNECTIONS

    cfg = Config(retries={"max_attempts": 8, "mode": "adaptive"}, max_pool_connections=MAX_POOL_CONNECTIONS)
    return boto3.client(service, endpoint_url=endpoint, region_name=REGION, config=cfg)


def _read_stream(client: Any, arn: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    shards = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    for shard in shards:
        iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        while iterator:
            page = client.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT)
            records.extend(page.get("Records", []))
            if not page.get("Records"):
                break  # an open shard's iterator never ends: the first empty page is the end of what was written
            iterator = page.get("NextShardIterator")
    return records


def _timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    out = work()
    return time.perf_counter() - started, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=60, help="generated receipts (default 60)")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per way (default 5)")
    parser.add_argument("--backend", choices=("dynamodb-local", "moto"), default="dynamodb-local")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    _env()

    from domain.bundles import context_from_bundle
    from domain.store.repository import DynamoReceiptRepository, make_client
    from domain.store.wire_parser import wire_session
    from samples import generate_receipts

    contexts = [context_from_bundle(g.bundle) for g in generate_receipts(args.receipts, seed=args.seed)]
    refs = [c.ref for c in contexts]
    with _backend(args.backend) as endpoint:
        table = "read-path-bench"
        wire_store = DynamoReceiptRepository(table, make_client(endpoint, REGION))
        wire_store.create_table()
        items = wire_store.write_contexts(contexts)
        plain_store = DynamoReceiptRepository(table, _plain_client("dynamodb", endpoint))
        arn = wire_store.stream_arn()
        assert arn is not None
        streams = {
            "botocore": _plain_client("dynamodbstreams", endpoint),
            "wire": wire_session().client("dynamodbstreams", endpoint_url=endpoint, region_name=REGION),
        }

        def load_all(way: str) -> list[Any]:
            if way == "botocore":
                with _decimal_route():
                    return [plain_store.load_receipt(ref) for ref in refs]
            return [wire_store.load_receipt(ref) for ref in refs]

        seconds: dict[str, dict[str, float]] = {"loads": {}, "stream": {}}
        results: dict[str, dict[str, Any]] = {"loads": {}, "stream": {}}
        records_read = 0
        for round_no in range(args.rounds):
            ways = ["botocore", "wire"] if round_no % 2 == 0 else ["wire", "botocore"]
            for way in ways:
                took, loaded = _timed(lambda w=way: load_all(w))
                seconds["loads"][way] = seconds["loads"].get(way, 0.0) + took
                results["loads"].setdefault(way, loaded)
                took, records = _timed(lambda w=way: _read_stream(streams[w], arn))
                seconds["stream"][way] = seconds["stream"].get(way, 0.0) + took
                results["stream"].setdefault(way, records)
                records_read = len(records)

    loads = args.rounds * len(refs)
    per_load = {way: s / loads * 1e3 for way, s in seconds["loads"].items()}
    per_k_records = {way: s / (args.rounds * records_read) * 1e6 for way, s in seconds["stream"].items()}
    same_receipts = results["loads"]["botocore"] == results["loads"]["wire"]
    same_records = results["stream"]["botocore"] == results["stream"]["wire"]
    out = {
        "command": "bench/read_path.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "backend": args.backend,
        "receipts": len(refs),
        "items": items,
        "stream_records": records_read,
        "rounds": args.rounds,
        "receipt_load_ms": {k: round(v, 2) for k, v in per_load.items()},
        "receipt_load_ratio_botocore_over_wire": round(per_load["botocore"] / per_load["wire"], 2),
        "stream_ms_per_1000_records": {k: round(v, 1) for k, v in per_k_records.items()},
        "stream_ratio_botocore_over_wire": round(per_k_records["botocore"] / per_k_records["wire"], 2),
        "same_receipts": same_receipts,
        "same_records": same_records,
        "load_average": os.getloadavg()[0],
    }
    print(json.dumps(out, indent=2))
    return 0 if same_receipts and same_records else 1


if __name__ == "__main__":
    sys.exit(main())
