"""`from_item` reads every AttributeValue as the Decimal route (boto3's TypeDeserializer, then whole numbers to int and
the rest to float) reads it, types included, while skipping that route for everyday values (domain/store/codec.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.store.codec import _dynamo_to_plain, from_item

_de = TypeDeserializer()

digits = st.text("0123456789", min_size=1, max_size=40)
numbers = st.one_of(
    st.integers().map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda f: str(Decimal(repr(f)))),
    st.tuples(st.sampled_from(["", "-"]), digits, st.none() | digits).map(
        lambda t: f"{t[0]}{t[1]}" + (f".{t[2]}" if t[2] is not None else "")
    ),
    st.sampled_from(["0", "-0", "0.0", "-0.0", "0.0000000", "5.0000000", "1E+2", "1e-7", "+1", "1.", ".5", "x", ""]),
    st.sampled_from(
        ["1" * 38, "-" + "9" * 38, "1" * 39, "9" * 45, "0" * 40 + "1", "1" * 31 + ".123456", "1" * 33 + ".5"]
    ),
)
scalars = st.one_of(
    st.text().map(lambda s: {"S": s}),
    numbers.map(lambda n: {"N": n}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
    st.lists(st.text(), min_size=1, max_size=3, unique=True).map(lambda ss: {"SS": ss}),
    st.lists(st.integers().map(str), min_size=1, max_size=3, unique=True).map(lambda ns: {"NS": ns}),
    st.binary(max_size=4).map(lambda b: {"B": b}),
    st.sampled_from([{}, {"S": 1}, {"N": 2}, {"X": "y"}, {"S": "a", "N": "1"}, {"BOOL": "yes"}, {"M": []}, {"L": {}}]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: {"L": xs}),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(lambda m: {"M": m}),
    ),
    max_leaves=10,
)


def _typed(value: Any) -> Any:
    """The value with each scalar's type beside it: 1 == 1.0 == True in Python, and must not pass here."""
    if isinstance(value, dict):
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    if isinstance(value, Binary):
        return ("Binary", bytes(value))
    return (type(value).__name__, repr(value))


def _outcome(read: Any, value: Any) -> Any:
    try:
        return _typed(read(value))
    except Exception as exc:  # the same failure, by type, is what must match
        return ("raised", type(exc).__name__)


@settings(max_examples=1000, deadline=None)
@given(values)
def test_a_value_reads_as_the_decimal_route_reads_it(value: dict[str, Any]) -> None:
    assert _outcome(lambda v: from_item({"a": v})["a"], value) == _outcome(
        lambda v: _dynamo_to_plain(_de.deserialize(v)), value
    )


def test_the_everyday_values_read_as_expected() -> None:
    item = {
        "text": {"S": "12.50"},
        "box": {"M": {"x": {"N": "0.9297"}, "n": {"N": "3"}, "big": {"N": "1E+2"}, "zero": {"N": "0.0000000"}}},
        "flags": {"L": [{"BOOL": True}, {"NULL": True}]},
    }
    assert from_item(item) == {
        "text": "12.50",
        "box": {"x": 0.9297, "n": 3, "big": 100, "zero": 0},
        "flags": [True, None],
    }
    assert isinstance(from_item(item)["box"]["x"], float) and isinstance(from_item(item)["box"]["big"], int)
