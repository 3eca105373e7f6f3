"""The wire-value parser (domain/store/wire_parser.py) gives what botocore's own parser gives.

Two ways: generated responses parsed by both parsers against DynamoDB's and DynamoDB Streams' real output shapes
(values drawn to include the cases that could tell them apart: binaries, a string that is B, an attribute named B,
quotes, nesting, timestamps), and real responses from moto and DynamoDB Local read through both kinds of client.
"""

from __future__ import annotations

import base64
import contextlib
import json
import uuid
from typing import Any

import boto3
import pytest
from botocore.parsers import create_parser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.store.repository import make_client
from domain.store.wire_parser import WireValueJSONParser, wire_session

_DYNAMODB = boto3.client("dynamodb", region_name="us-east-1").meta.service_model
_STREAMS = boto3.client("dynamodbstreams", region_name="us-east-1").meta.service_model

names = st.sampled_from(["PK", "SK", "text", "B", "BS", "S", "x", 'q"B":', "bounding_box"]) | st.text(min_size=1)
strings = st.sampled_from(["B", "BS", '"B":', '{"B": "AA=="}', "", "N"]) | st.text()
numbers = st.sampled_from(["0", "-0", "1.5", "12345678901234567890", "1E+2", "0.0000000"]) | st.integers().map(str)
binaries = st.binary(max_size=8).map(lambda b: base64.b64encode(b).decode())
scalars = st.one_of(
    strings.map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(strings, min_size=1, max_size=3, unique=True).map(lambda ss: {"SS": ss}),
    st.lists(numbers, min_size=1, max_size=3, unique=True).map(lambda ns: {"NS": ns}),
)
binary_values = st.one_of(
    binaries.map(lambda b: {"B": b}),
    st.lists(binaries, min_size=1, max_size=3, unique=True).map(lambda bs: {"BS": bs}),
)
values = st.recursive(
    st.one_of(scalars, binary_values) | scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: {"L": items}),
        st.dictionaries(names, inner, max_size=3).map(lambda m: {"M": m}),
    ),
    max_leaves=8,
)
items = st.dictionaries(names, values, min_size=1, max_size=5)


def _response(body: dict[str, Any], status: int = 200) -> dict[str, Any]:
    return {
        "status_code": status,
        "headers": {"x-amzn-requestid": "REQ", "Content-Type": "application/x-amz-json-1.0"},
        "body": json.dumps(body, separators=(",", ":")).encode(),
    }


def _both(service_model: Any, operation: str, response: dict[str, Any]) -> tuple[Any, Any]:
    shape = service_model.operation_model(operation).output_shape
    return create_parser("json").parse(response, shape), WireValueJSONParser().parse(response, shape)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items, max_size=4), st.none() | items)
def test_a_query_response_parses_as_botocore_parses_it(page: list[dict[str, Any]], last_key: Any) -> None:
    body: dict[str, Any] = {"Items": page, "Count": len(page), "ScannedCount": len(page) + 1}
    body["ConsumedCapacity"] = {"TableName": "receipts", "CapacityUnits": 1.5, "Table": {"CapacityUnits": 1}}
    if last_key is not None:
        body["LastEvaluatedKey"] = last_key
    botocore_parsed, wire_parsed = _both(_DYNAMODB, "Query", _response(body))
    assert wire_parsed == botocore_parsed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(items, st.none() | items), max_size=4), st.floats(1.6e9, 2e9))
def test_a_get_records_response_parses_as_botocore_parses_it(images: list[Any], when: float) -> None:
    records = [
        {
            "eventID": uuid.uuid4().hex,
            "eventName": "MODIFY" if old else "INSERT",
            "eventVersion": "1.1",
            "eventSource": "aws:dynamodb",
            "awsRegion": "us-east-1",
            "dynamodb": {
                "ApproximateCreationDateTime": when,
                "Keys": {"PK": {"S": "IMAGE#1"}, "SK": {"S": f"RECEIPT#{i:05d}"}},
                "NewImage": new,
                **({"OldImage": old} if old else {}),
                "SequenceNumber": str(100 + i),
                "SizeBytes": 42,
                "StreamViewType": "NEW_AND_OLD_IMAGES",
            },
        }
        for i, (new, old) in enumerate(images)
    ]
    botocore_parsed, wire_parsed = _both(_STREAMS, "GetRecords", _response({"Records": records}))
    assert wire_parsed == botocore_parsed


def test_a_binary_is_decoded_as_botocore_decodes_it_and_a_string_b_stays_a_string() -> None:
    page = [{"PK": {"S": "B"}, "blob": {"B": base64.b64encode(b"\x00\x01").decode()}}]
    _, parsed = _both(_DYNAMODB, "Query", _response({"Items": page, "Count": 1, "ScannedCount": 1}))
    assert parsed["Items"] == [{"PK": {"S": "B"}, "blob": {"B": b"\x00\x01"}}]
    only_strings = [{"PK": {"S": "B"}, "text": {"S": '"B":'}}]
    _, parsed = _both(_DYNAMODB, "Query", _response({"Items": only_strings, "Count": 1, "ScannedCount": 1}))
    assert parsed["Items"] == only_strings


def test_an_error_response_parses_as_botocore_parses_it() -> None:
    error = {"__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException", "message": "failed"}
    botocore_parsed, wire_parsed = _both(_DYNAMODB, "UpdateItem", _response(error, status=400))
    assert wire_parsed == botocore_parsed
    assert wire_parsed["Error"]["Code"] == "ConditionalCheckFailedException"


# ---- against the servers ------------------------------------------------------------------------------------------


def _standard_client(service: str, endpoint: str | None) -> Any:
    return boto3.client(service, endpoint_url=endpoint, region_name="us-east-1")


def _without_metadata(response: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


@pytest.fixture
def table_with_stream(backend: str | None) -> Any:
    name = f"wire-{uuid.uuid4().hex[:10]}"
    client = _standard_client("dynamodb", backend)
    client.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    client.get_waiter("table_exists").wait(TableName=name)
    words = [
        {"PK": {"S": "IMAGE#1"}, "SK": {"S": f"RECEIPT#00001#WORD#{i:05d}"}, "text": {"S": text}}
        | {"box": {"M": {"x": {"N": "0.9297"}, "y": {"N": str(i)}}}, "tags": {"SS": ["a", "B"]}}
        for i, text in enumerate(["TOTAL", "B", '"B":', "12.50", "ÄÖ €"])
    ]
    binary = {"PK": {"S": "IMAGE#2"}, "SK": {"S": "RECEIPT#00001"}, "blob": {"B": b"\x00\xff"}, "n": {"N": "1.5"}}
    for item in [*words, binary]:
        client.put_item(TableName=name, Item=item)
    yield name, backend
    with contextlib.suppress(Exception):
        client.delete_table(TableName=name)


def test_reads_from_the_server_are_what_botocore_gives(table_with_stream: Any) -> None:
    name, endpoint = table_with_stream
    standard, wire = _standard_client("dynamodb", endpoint), make_client(endpoint, "us-east-1")
    for pk in ("IMAGE#1", "IMAGE#2"):
        query = {
            "TableName": name,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ReturnConsumedCapacity": "TOTAL",
        }
        assert _without_metadata(wire.query(**query)) == _without_metadata(standard.query(**query))
    key = {"PK": {"S": "IMAGE#2"}, "SK": {"S": "RECEIPT#00001"}}
    got = wire.get_item(TableName=name, Key=key)["Item"]
    assert got == standard.get_item(TableName=name, Key=key)["Item"]
    assert got["blob"] == {"B": b"\x00\xff"}


def test_stream_records_from_the_server_are_what_botocore_gives(table_with_stream: Any) -> None:
    name, endpoint = table_with_stream
    arn = _standard_client("dynamodb", endpoint).describe_table(TableName=name)["Table"]["LatestStreamArn"]
    pages = []
    for client in (
        _standard_client("dynamodbstreams", endpoint),
        wire_session().client("dynamodbstreams", endpoint_url=endpoint, region_name="us-east-1"),
    ):
        shard = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
        iterator = client.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
        page = client.get_records(ShardIterator=iterator["ShardIterator"])
        pages.append(page["Records"])
    standard_records, wire_records = pages
    assert len(standard_records) == 6
    assert wire_records == standard_records
