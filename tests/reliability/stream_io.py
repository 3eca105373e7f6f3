"""Records from a table's real stream (moto in-process), and one in-process invocation of the stream Lambda."""

from __future__ import annotations

import contextlib
import io
from typing import Any

import boto3

from cli.stream_events import LocalLambdaContext, lambda_record
from cli.stream_filter import StreamFilter
from domain import keys
from domain.model import ReceiptRef
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler


def stream_records(store: DynamoReceiptRepository, *, only_labels: bool = False) -> list[dict[str, Any]]:
    """Every record on the table's stream that passes the event source mapping's filter, as Lambda sends it."""
    endpoint = store.client.meta.endpoint_url
    local = None if "amazonaws.com" in endpoint else endpoint  # moto in-process serves the AWS endpoints
    client = boto3.client("dynamodbstreams", region_name="us-east-1", endpoint_url=local)
    arn = store.stream_arn()
    flt = StreamFilter()
    out: list[dict[str, Any]] = []
    for shard in client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")[
            "ShardIterator"
        ]
        while iterator:
            page = client.get_records(ShardIterator=iterator, Limit=1000)
            if not page["Records"]:
                break
            out += [r for r in (lambda_record(x, arn, "us-east-1") for x in page["Records"]) if flt.matches(r)]
            iterator = page.get("NextShardIterator")
    if only_labels:
        out = [r for r in out if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_LABEL]
    return out


def invoke(records: list[dict[str, Any]], output: io.StringIO | None = None) -> dict[str, Any]:
    """The stream Lambda on `records`; its stdout (powertools JSON logs, EMF) goes to `output`."""
    with contextlib.redirect_stdout(output if output is not None else io.StringIO()):
        return handler.lambda_handler({"Records": records}, LocalLambdaContext())


def failed_seqs(response: dict[str, Any]) -> set[str]:
    return {item["itemIdentifier"] for item in response["batchItemFailures"]}


def seqs_of(records: list[dict[str, Any]], ref: ReceiptRef) -> set[str]:
    prefix = keys.receipt_prefix(ref.receipt_id) + "#"
    return {
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if r["dynamodb"]["Keys"]["PK"]["S"] == keys.image_pk(ref.image_id)
        and r["dynamodb"]["Keys"]["SK"]["S"].startswith(prefix)
    }
