"""Classifying stream records and coalescing them by receipt; the handler's re-check agrees with the filter."""

from __future__ import annotations

import copy

import pytest

from cli.stream_filter import StreamFilter
from domain.fingerprint import FINGERPRINT_ATTRIBUTE
from stream_handlers.coalesce import plan_batch
from stream_handlers.records import Ignored, IgnoreReason, MalformedRecord, Work, WorkKind, classify
from tests.unit.stream.records_factory import label_record, metadata_record, remove_record, word_record


def seq(record: dict) -> str:
    return record["dynamodb"]["SequenceNumber"]


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
        (metadata_record(validated=True), IgnoreReason.VALIDATOR_WRITE),
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
    """Every record the handler treats as work passes the mapping's filter (no real change is filtered out); the only
    records that pass the filter and are not work are metadata holding a verdict on exactly their values."""
    flt = StreamFilter()
    stale = metadata_record(validated=True)
    stale["dynamodb"]["NewImage"]["merchant_name"] = {"S": "Trader Joe's Market"}  # edited after the verdict
    null_fingerprint = metadata_record()
    null_fingerprint["dynamodb"]["NewImage"][FINGERPRINT_ATTRIBUTE] = {"NULL": True}
    records = [
        label_record("PENDING"),
        label_record("PENDING", event="MODIFY"),
        label_record("VALID", event="MODIFY"),
        label_record("INVALID"),
        label_record("NONE"),
        metadata_record(),
        metadata_record(event="INSERT"),
        metadata_record(validated=True),
        stale,
        null_fingerprint,
        word_record(),
        remove_record(),
    ]
    for record in records:
        out = classify(record)
        passes = flt.matches(record)
        if isinstance(out, Work):
            assert passes, record["dynamodb"]["Keys"]
        else:
            assert not passes or out.reason is IgnoreReason.VALIDATOR_WRITE, record["dynamodb"]["Keys"]
    assert isinstance(classify(stale), Work) and isinstance(classify(null_fingerprint), Work)


def test_metadata_is_work_unless_it_holds_a_verdict_on_its_own_values() -> None:
    validated = metadata_record(validated=True)
    assert classify(validated) == Ignored(seq(validated), IgnoreReason.VALIDATOR_WRITE)
    other_attribute = metadata_record(validated=True)
    other_attribute["dynamodb"]["NewImage"]["merchant_category"] = {"S": "grocery"}  # nothing a verdict reads
    assert isinstance(classify(other_attribute), Ignored)
    for name, value in [
        ("merchant_name", {"S": "Whole Foods"}),
        ("address", {"S": "1 Main St"}),
        ("phone_number", {"S": "805 555 0100"}),
        ("place_id", {"S": "ChIJ123"}),
        ("merchant_name", {"NULL": True}),
        ("merchant_name", {"N": "7"}),  # not a string: never what a verdict was written for
    ]:
        edited = metadata_record(validated=True)
        edited["dynamodb"]["NewImage"][name] = value
        assert isinstance(classify(edited), Work), (name, value)


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
