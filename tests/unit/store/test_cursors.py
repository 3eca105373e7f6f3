"""The listings' cursors: their format on the wire never changes (running Step Functions executions hold them), and a
cursor of another listing is refused before anything is read."""

from __future__ import annotations

import json

import pytest

from domain.model import ReceiptRef, ValidationStatus
from domain.store.repository import (
    DynamoReceiptRepository,
    ForeignCursor,
    entity_cursor,
    receipt_cursor,
)

REF = ReceiptRef(image_id="3f2a0b1c-0000-4000-8000-000000000001", receipt_id=7)
GSI3_CURSOR = "IMAGE#3f2a0b1c-0000-4000-8000-000000000001#RECEIPT#00007#~"
ENTITY_CURSOR = (
    '{"PK": {"S": "IMAGE#3f2a0b1c-0000-4000-8000-000000000001"}, '
    '"SK": {"S": "RECEIPT#00007#METADATA"}, "TYPE": {"S": "RECEIPT_METADATA"}}'
)


def untouched() -> DynamoReceiptRepository:
    """A repository whose client has no methods: any DynamoDB call would raise AttributeError."""
    return DynamoReceiptRepository("unused", client=object())


def test_the_gsi3_cursor_keeps_its_wire_format() -> None:
    assert receipt_cursor(REF) == GSI3_CURSOR


def test_the_gsitype_cursor_keeps_its_wire_format() -> None:
    item = {"PK": "IMAGE#3f2a0b1c-0000-4000-8000-000000000001", "SK": "RECEIPT#00007#METADATA"}
    cursor = entity_cursor({**item, "TYPE": "RECEIPT_METADATA", "merchant_name": "not in the cursor"})
    assert cursor == ENTITY_CURSOR
    assert json.loads(cursor) == {k: {"S": v} for k, v in {**item, "TYPE": "RECEIPT_METADATA"}.items()}


@pytest.mark.parametrize("cursor", [ENTITY_CURSOR, "12", "RECEIPT#00007"])
@pytest.mark.parametrize("segment", [None, "3"])
def test_a_status_listing_refuses_a_cursor_that_is_no_gsi3_position(cursor: str, segment: str | None) -> None:
    with pytest.raises(ForeignCursor, match="expected a GSI3 position"):
        untouched().receipts_with_statuses((ValidationStatus.PENDING,), after=cursor, segment=segment)


@pytest.mark.parametrize("cursor", [GSI3_CURSOR, "12", '{"PK": {"S": "IMAGE#x"}}', "{not json"])
def test_the_metadata_listing_refuses_a_cursor_that_is_no_gsitype_position(cursor: str) -> None:
    with pytest.raises(ForeignCursor, match="expected a GSITYPE position"):
        untouched().receipts_with_metadata(after=cursor)


def test_own_cursors_are_accepted_without_reading_yet() -> None:
    """Checking a cursor reads nothing; the listing reads when it is iterated."""
    repo = untouched()
    statuses = repo.receipts_with_statuses((ValidationStatus.PENDING,), after=GSI3_CURSOR)
    metadata = repo.receipts_with_metadata(after=ENTITY_CURSOR)
    with pytest.raises(AttributeError):
        next(statuses)
    with pytest.raises(AttributeError):
        next(metadata)
