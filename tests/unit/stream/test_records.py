"""Classifying stream records and coalescing them by receipt; the handler's re-check agrees with the filter."""

from __future__ import annotations

import copy

import pytest

from cli.stream_filter import StreamFilter
from stream_handlers.coalesce import plan_batch
from stream_handlers.records import Ignored, IgnoreReason, MalformedRecord, Work, WorkKind, classify
from tests.unit.stream.records_factory import label_record, metadata_record, remove_record, word_record


def test_pending_label_is_work() -> None:
    out = classify(label_record("PENDING", line_id=3, word_id=2, label="TAX"))
    assert isinstance(out, Work)
    assert out.kind is WorkKind.LABEL and out.label == "TAX" and out.ref.receipt_id == 1


@pytest.mark.parametrize(
    ("record", "reason"),
    [
        (label_record("VALID", event="MODIFY"), IgnoreReason.NOT_PENDING),  # the validator's own verdict write
        (label_record("NEEDS_REVIEW", event="MODIFY"), IgnoreReason.NOT_PENDING),
        (remove_record(), IgnoreReason.REMOVE),
        (word_record(), IgnoreReason.OTHER_ENTITY),
        (metadata_record(marker=True), IgnoreReason.VALIDATOR_WRITE),
    ],
)
def test_ignored(record: dict, reason: IgnoreReason) -> None:
    out = classify(record)
    assert isinstance(out, Ignored) and out.reason is reason


def test_metadata_not_written_by_validator_is_work() -> None:
    out = classify(metadata_record())
    assert isinstance(out, Work) and out.kind is WorkKind.METADATA


def _broken(mutate) -> dict:
    rec = copy.deepcopy(label_record())
    mutate(rec)
    return rec


@pytest.mark.parametrize(
    "record",
    [
        {"eventName": "INSERT"},  # no dynamodb body
        _broken(lambda r: r["dynamodb"].pop("SequenceNumber")),
        _broken(lambda r: r["dynamodb"].pop("Keys")),
        _broken(lambda r: r["dynamodb"]["Keys"].pop("SK")),
        _broken(lambda r: r["dynamodb"].pop("NewImage")),
        _broken(lambda r: r.__setitem__("eventName", "UPSERT")),
        _broken(lambda r: r.__setitem__("eventName", ["INSERT"])),  # unhashable
        _broken(lambda r: r["dynamodb"].__setitem__("SequenceNumber", ["1"])),
        _broken(lambda r: r["dynamodb"]["NewImage"].__setitem__("validation_status", {"N": "1"})),
        _broken(
            lambda r: r["dynamodb"]["Keys"]["SK"].__setitem__("S", "RECEIPT#00001#LINE#00001#WORD#00001#LABEL#FOO")
        ),
        _broken(lambda r: r["dynamodb"]["Keys"]["PK"].__setitem__("S", "USER#1")),
        _broken(lambda r: r["dynamodb"]["Keys"]["SK"].__setitem__("S", "RECEIPT#00001#METADATA")),  # TYPE mismatch
        "not a record",
    ],
)
def test_malformed(record) -> None:
    with pytest.raises(MalformedRecord):
        classify(record)


def test_classify_agrees_with_the_mapping_filter() -> None:
    """What passes the event source mapping's filter is exactly what the handler treats as work."""
    flt = StreamFilter()
    null_marker = metadata_record()
    null_marker["dynamodb"]["NewImage"]["validator_marker"] = {"NULL": True}
    records = [
        label_record("PENDING"),
        label_record("PENDING", event="MODIFY"),
        label_record("VALID", event="MODIFY"),
        label_record("INVALID"),
        label_record("NONE"),
        metadata_record(),
        metadata_record(event="INSERT"),
        metadata_record(marker=True),
        null_marker,
        word_record(),
        remove_record(),
    ]
    for record in records:
        assert flt.matches(record) == isinstance(classify(record), Work), record["dynamodb"]["Keys"]


def test_plan_coalesces_by_receipt_and_counts_the_rest() -> None:
    records = [
        label_record(receipt_id=1, line_id=1),
        label_record(receipt_id=2, line_id=1),
        label_record(receipt_id=1, line_id=2),
        metadata_record(receipt_id=1),
        label_record("VALID", event="MODIFY"),
        remove_record(),
        {"eventName": "INSERT"},
    ]
    plan = plan_batch(records)
    assert plan.records == 7
    assert [r.receipt_id for r in plan.receipts] == [1, 2]
    first = next(iter(plan.receipts.values()))
    assert len(first.sequence_numbers) == 3 and first.metadata and len(first.labels) == 2
    assert plan.ignored == {IgnoreReason.NOT_PENDING: 1, IgnoreReason.REMOVE: 1}
    assert len(plan.malformed) == 1
