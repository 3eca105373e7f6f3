"""What the Lambda service hands the stream function: event records built from GetRecords output, and a context.

GetRecords and the Lambda event carry the same record, except that boto3 parses `ApproximateCreationDateTime` into a
datetime (Lambda sends epoch seconds), binary attributes arrive as bytes (Lambda sends base64), and Lambda adds
`eventSourceARN`.
"""

from __future__ import annotations

import base64
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


def jsonable(value: Any) -> Any:
    """A GetRecords value as Lambda sends it: binaries in base64, datetimes in epoch seconds."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, datetime):
        return int(value.timestamp())
    return value


def lambda_record(raw: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """One GetRecords record as a DynamoDB Streams Lambda event record."""
    return event_record(shallow_record(raw, stream_arn, region))


def shallow_record(raw: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """The Lambda event record's shape with GetRecords' values as they are (cheap: nothing is walked). Enough to
    number and filter a record; `event_record` finishes the ones that are delivered."""
    body = raw.get("dynamodb", {})
    dynamodb = {
        name: body[name]
        for name in (
            "ApproximateCreationDateTime",
            "Keys",
            "NewImage",
            "OldImage",
            "SequenceNumber",
            "SizeBytes",
            "StreamViewType",
        )
        if name in body
    }
    return {
        "eventID": raw.get("eventID") or uuid.uuid4().hex,
        "eventName": raw.get("eventName"),
        "eventVersion": raw.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": raw.get("awsRegion") or region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def event_record(shallow: dict[str, Any]) -> dict[str, Any]:
    """A shallow record with its values as Lambda sends them."""
    return {**shallow, "dynamodb": jsonable(shallow["dynamodb"])}


def sequence_number(record: dict[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


@dataclass
class LocalLambdaContext:
    """The attributes of the Lambda context object that the handler and powertools read."""

    function_name: str = "receipt-validator-stream-local"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 1024
    timeout_s: float = 300.0
    region: str = "us-east-1"
    account_id: str = "123456789012"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    log_group_name: str = "/aws/lambda/receipt-validator-stream-local"
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{self.account_id}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_s - (time.monotonic() - self.started)) * 1000))
