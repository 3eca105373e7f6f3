"""The local filter matches the record cut down to the fields its patterns name (cli/stream_filter.py): the answer
must be the one moto's EventBridge matcher gives on the whole record, for the project's patterns and for patterns
that name a field at different depths, test for absence, or use prefix and anything-but."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cli.stream_events import event_record, shallow_record
from cli.stream_filter import StreamFilter, project

OTHER_PATTERNS = (
    {"dynamodb": {"NewImage": {"TYPE": {"S": [{"prefix": "RECEIPT_W"}]}, "note": [{"exists": False}]}}},
    {"dynamodb": [{"exists": True}], "eventName": [{"anything-but": ["REMOVE"]}]},
    {"dynamodb": {"OldImage": {"validation_status": {"S": ["VALID", "INVALID"]}}}},
)

texts = st.sampled_from(["RECEIPT_WORD_LABEL", "RECEIPT_METADATA", "RECEIPT_WORD", "PENDING", "VALID", "x"])
attribute_values = st.one_of(
    texts.map(lambda s: {"S": s}),
    st.sampled_from([{"N": "1"}, {"S": ["PENDING"]}, {"BOOL": True}, {"NULL": True}, "PENDING", ["PENDING"], {}]),
    st.binary(max_size=3).map(lambda b: {"B": b}),
)
images = st.one_of(
    st.dictionaries(
        st.sampled_from(["TYPE", "validation_status", "note", "text", "PK"]) | st.text(max_size=3),
        attribute_values,
        max_size=5,
    ),
    st.sampled_from([[], "image", None]),
)
bodies = st.one_of(
    st.fixed_dictionaries(
        {"SequenceNumber": st.integers(1, 10**6).map(str)},
        optional={"NewImage": images, "OldImage": images, "Keys": images},
    ),
)
records = st.fixed_dictionaries(
    {"dynamodb": bodies},
    optional={"eventName": st.sampled_from(["INSERT", "MODIFY", "REMOVE"]), "eventID": st.text(max_size=4)},
)


def _whole_record_answer(flt: StreamFilter, record: dict[str, Any]) -> bool:
    return any(p.matches_event(dict(record)) for p in flt.patterns)


@settings(max_examples=600, deadline=None)
@given(records)
def test_the_cut_down_record_gets_the_whole_records_answer(raw: dict[str, Any]) -> None:
    shallow = shallow_record(raw, "arn:stream", "us-east-1")
    whole = event_record(shallow)
    for flt in (StreamFilter(), StreamFilter(OTHER_PATTERNS)):
        assert flt.matches(shallow) == _whole_record_answer(flt, whole)
        assert flt.matches(whole) == _whole_record_answer(flt, whole)


def test_the_fields_named_are_merged_with_a_leaf_winning_over_an_object() -> None:
    flt = StreamFilter(OTHER_PATTERNS)
    assert flt.fields == {"dynamodb": None, "eventName": None}
    assert StreamFilter().fields == {
        "eventName": None,
        "dynamodb": {"NewImage": {"TYPE": {"S": None}, "validation_status": {"S": None}}},
    }
    record = {"eventName": "INSERT", "dynamodb": {"NewImage": {"TYPE": {"S": "X"}, "text": {"S": "big"}}, "Keys": {}}}
    assert project(record, StreamFilter().fields or {}) == {
        "eventName": "INSERT",
        "dynamodb": {"NewImage": {"TYPE": {"S": "X"}}},
    }


def test_a_combinator_falls_back_to_the_whole_record() -> None:
    either = {"$or": [{"eventName": ["INSERT"]}, {"dynamodb": {"NewImage": {"TYPE": {"S": ["X"]}}}}]}
    assert StreamFilter([either]).fields is None
