"""`cli.moto_patches`: the embedded backend's short cuts through moto give the same answers as moto itself, and its
stream numbers every record once even when writes come at once."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import boto3
from hypothesis import given, settings
from hypothesis import strategies as st
from moto import mock_aws
from moto.core.serialize import JSONSerializer, XFormedAttributePicker
from moto.core.utils import get_service_model

from cli.moto_patches import (
    is_wire_value,
    moto_patches,
    partition_query,
    serialized_stream_records,
    wire_serializer_class,
)

_text = st.text(max_size=8)
_names = st.text(min_size=1, max_size=8)  # DynamoDB names are non-empty (moto's walk also mistakes "" for the top)
_scalars = st.one_of(
    st.builds(lambda s: {"S": s}, _text),
    st.builds(lambda n: {"N": str(n)}, st.integers(-(10**6), 10**6)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda xs: {"SS": sorted(set(xs))}, st.lists(_text, min_size=1, max_size=3)),
    st.builds(lambda xs: {"NS": sorted({str(x) for x in xs})}, st.lists(st.integers(0, 99), min_size=1, max_size=3)),
    st.builds(lambda b: {"B": b}, st.binary(max_size=6)),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"L": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda m: {"M": m}, st.dictionaries(_names, inner, max_size=3)),
    ),
    max_leaves=8,
)


def _body(cls: type, operation: str, result: dict[str, Any], service: str = "dynamodb") -> Any:
    model = get_service_model(service).operation_model(operation)
    return json.loads(cls(model, value_picker=XFormedAttributePicker()).serialize(result)["body"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(_names, _values, min_size=1, max_size=4))
def test_query_and_stream_responses_serialize_the_same_through_the_short_cut(attributes: dict[str, Any]) -> None:
    wire = wire_serializer_class()
    assert wire is not None
    query = {"Items": [attributes, attributes], "Count": 2, "ScannedCount": 2}
    assert _body(wire, "Query", query) == _body(JSONSerializer, "Query", query)
    record = {
        "Records": [{"eventName": "MODIFY", "dynamodb": {"Keys": attributes, "NewImage": attributes}}],
        "NextShardIterator": "x",
    }
    assert _body(wire, "GetRecords", record, "dynamodbstreams") == _body(
        JSONSerializer, "GetRecords", record, "dynamodbstreams"
    )


def test_only_values_already_in_wire_form_take_the_short_cut() -> None:
    assert is_wire_value({"S": "x"}) and is_wire_value({"L": [{"N": "1"}, {"M": {"a": {"NULL": True}}}]})
    assert not is_wire_value({"B": b"x"})  # binary is base64-encoded by moto's walk
    assert not is_wire_value({"L": [{"B": b"x"}]})
    assert not is_wire_value({"N": 1})  # not a string: left to moto
    assert not is_wire_value({"S": "x", "N": "1"})


def _table(client: Any) -> None:
    client.create_table(
        TableName="T1",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n in ("PK", "SK", "GSI3PK", "GSI3SK")],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "GSI3",
                "KeySchema": [
                    {"AttributeName": "GSI3PK", "KeyType": "HASH"},
                    {"AttributeName": "GSI3SK", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    for p in range(4):
        for s in range(12):
            item = {"PK": {"S": f"IMAGE#{p}"}, "SK": {"S": f"R#{s:02d}"}, "n": {"N": str(s)}}
            if s % 3 == 0:
                item |= {"GSI3PK": {"S": f"S#{s % 2}"}, "GSI3SK": {"S": f"{p}#{s:02d}"}}
            client.put_item(TableName="T1", Item=item)


def _queries(client: Any) -> list[Any]:
    out = []
    for kwargs in (
        {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "IMAGE#2"}}},
        {
            "KeyConditionExpression": "PK = :p AND begins_with(SK, :s)",
            "ExpressionAttributeValues": {":p": {"S": "IMAGE#1"}, ":s": {"S": "R#0"}},
            "ScanIndexForward": False,
        },
        {
            "KeyConditionExpression": "PK = :p",
            "FilterExpression": "n > :n",
            "ExpressionAttributeValues": {":p": {"S": "IMAGE#3"}, ":n": {"N": "4"}},
        },
        {"KeyConditionExpression": "PK = :p", "ExpressionAttributeValues": {":p": {"S": "IMAGE#9"}}},
        {
            "IndexName": "GSI3",
            "KeyConditionExpression": "GSI3PK = :g",
            "ExpressionAttributeValues": {":g": {"S": "S#0"}},
        },
    ):
        pages = client.get_paginator("query").paginate(TableName="T1", PaginationConfig={"PageSize": 5}, **kwargs)
        out.append([(page["Items"], page.get("LastEvaluatedKey"), page["Count"]) for page in pages])
    return out


def test_a_key_query_gives_the_same_pages_when_it_reads_only_its_partition() -> None:
    with mock_aws():
        client = boto3.client("dynamodb", region_name="us-east-1")
        _table(client)
        plain = _queries(client)
        with partition_query() as installed:
            assert installed
            short = _queries(client)
        assert short == plain
        assert [len(q[0][0]) for q in plain[:1]] == [5]  # pages of 5: pagination was exercised


def test_the_patches_are_removed_on_exit() -> None:
    from moto.core import serialize
    from moto.dynamodb.models.table import StreamShard, Table

    before = (dict(serialize.SERVICE_SPECIFIC_SERIALIZERS), Table.query, Table.all_items, StreamShard.add)
    with moto_patches() as installed:
        assert installed == {"wire_value_serializer": True, "partition_query": True, "serialized_stream_records": True}
        assert Table.query is not before[1] and StreamShard.add is not before[3]
    assert (dict(serialize.SERVICE_SPECIFIC_SERIALIZERS), Table.query, Table.all_items, StreamShard.add) == before


def test_records_written_at_once_get_a_sequence_number_each() -> None:
    """moto numbers a record `len(items) + start` before appending it: two writes at once could share a number (seen
    on the threaded server: 1 duplicate in 900 overlapped updates), and the stream reader skips the second. Here the
    window is held open until both writers are in it (or 1 s passed): without the patch they share a number."""
    import threading

    from moto.dynamodb.models.table import StreamRecord

    original_init = StreamRecord.__init__

    def numbers(patched: bool) -> list[str]:
        with mock_aws(), serialized_stream_records() if patched else contextlib.nullcontext():
            client = boto3.client("dynamodb", region_name="us-east-1")
            client.create_table(
                TableName="T2",
                KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
                BillingMode="PAY_PER_REQUEST",
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
            )
            barrier = threading.Barrier(2, timeout=1)

            def held_open(self: Any, *args: Any, **kwargs: Any) -> None:
                with contextlib.suppress(threading.BrokenBarrierError):
                    barrier.wait()  # between numbering the record and appending it
                original_init(self, *args, **kwargs)

            StreamRecord.__init__ = held_open  # type: ignore[method-assign]
            try:
                writers = [
                    threading.Thread(target=client.put_item, kwargs={"TableName": "T2", "Item": {"PK": {"S": str(i)}}})
                    for i in range(2)
                ]
                for w in writers:
                    w.start()
                for w in writers:
                    w.join()
            finally:
                StreamRecord.__init__ = original_init  # type: ignore[method-assign]
            streams = boto3.client("dynamodbstreams", region_name="us-east-1")
            arn = client.describe_table(TableName="T2")["Table"]["LatestStreamArn"]
            shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
            iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
            records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
            return [r["dynamodb"]["SequenceNumber"] for r in records]

    racy, fixed = numbers(patched=False), numbers(patched=True)
    assert len(racy) == len(fixed) == 2
    assert len(set(racy)) == 1  # the race is real without the patch
    assert len(set(fixed)) == 2
