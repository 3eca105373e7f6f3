"""Lambda-shaped DynamoDB stream records, built by hand for the tests that need no table."""

from __future__ import annotations

import itertools
from typing import Any

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, metadata_fingerprint

IMAGE = "0d0c1c9e-5b1a-4f6e-9a57-2f1d1b0f8a11"
_seq = itertools.count(1000)


def label_record(
    status: str = "PENDING",
    *,
    event: str = "INSERT",
    image_id: str = IMAGE,
    receipt_id: int = 1,
    line_id: int = 1,
    word_id: int = 1,
    label: str = "GRAND_TOTAL",
) -> dict[str, Any]:
    k = keys.label_keys(image_id, receipt_id, line_id, word_id, label, status)
    image = {name: {"S": value} for name, value in k.items()} | {"validation_status": {"S": status}}
    return _record(event, k["PK"], k["SK"], image)


def metadata_record(
    *, validated: bool = False, event: str = "MODIFY", receipt_id: int = 1, merchant_name: str = "Trader Joe's"
) -> dict[str, Any]:
    """A metadata record; `validated`: its image holds a verdict on exactly its values (the validator's own write)."""
    k = keys.metadata_keys(IMAGE, receipt_id, merchant_name, None)
    image = {name: {"S": value} for name, value in k.items()} | {"merchant_name": {"S": merchant_name}}
    if validated:
        image[FINGERPRINT_ATTRIBUTE] = {"S": metadata_fingerprint({"merchant_name": merchant_name})}
        image["validation_status"] = {"S": "MATCHED"}
    return _record(event, k["PK"], k["SK"], image)


def word_record(event: str = "INSERT") -> dict[str, Any]:
    k = keys.word_keys(IMAGE, 1, 1, 1)
    image = {name: {"S": value} for name, value in k.items()} | {"text": {"S": "4.84"}}
    return _record(event, k["PK"], k["SK"], image)


def remove_record() -> dict[str, Any]:
    rec = label_record()
    rec["eventName"] = "REMOVE"
    rec["dynamodb"]["OldImage"] = rec["dynamodb"].pop("NewImage")
    return rec


def _record(event: str, pk: str, sk: str, image: dict[str, Any]) -> dict[str, Any]:
    seq = str(next(_seq)).rjust(21, "0")
    return {
        "eventID": f"evt-{seq}",
        "eventName": event,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1700000000,
            "Keys": {"PK": {"S": pk}, "SK": {"S": sk}},
            "NewImage": image,
            "SequenceNumber": seq,
            "SizeBytes": 200,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024",
    }
