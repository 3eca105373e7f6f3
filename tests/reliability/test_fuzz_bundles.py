"""Fuzzing the bundle importer (CONTRACT §2): whatever a file holds, `parse_bundle_lines` either refuses it with a
BundleError or returns receipts that round-trip through export and that the table accepts."""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.bundles import BundleError, context_to_bundle, parse_bundle_lines
from domain.labels import ALL_LABELS, LEGACY_ALIASES
from domain.store.repository import DynamoReceiptRepository

text = st.text(max_size=40) | st.text(alphabet=st.characters(codec="utf-8"), max_size=2000)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
    max_leaves=25,
)
ids = st.integers(1, 99999)
unit = st.floats(0, 1, allow_nan=False)
# DynamoDB numbers stop at 1E-130: tinier values get their own test below, so the fuzzing can look further.
storable_unit = unit.filter(lambda f: f == 0 or f >= 1e-120)


@st.composite
def contained_box(draw: st.DrawFn) -> dict[str, float]:
    """A box inside the receipt (x + width <= 1, y + height <= 1)."""
    x, y = draw(storable_unit), draw(storable_unit)
    width = draw(st.floats(0, 1 - x, allow_nan=False).filter(lambda f: f == 0 or f >= 1e-120))
    height = draw(st.floats(0, 1 - y, allow_nan=False).filter(lambda f: f == 0 or f >= 1e-120))
    return {"x": x, "y": y, "width": width, "height": height}


@st.composite
def bundles(
    draw: st.DrawFn, unit: st.SearchStrategy[float] = unit, box: st.SearchStrategy[dict[str, float]] | None = None
) -> dict[str, Any]:
    """A bundle the contract allows: unique word ids, labels on existing words, known label names."""
    if box is None:
        box = st.fixed_dictionaries({"x": unit, "y": unit, "width": unit, "height": unit})
    keys = draw(st.lists(st.tuples(ids, ids), min_size=1, max_size=25, unique=True))
    words = []
    for line_id, word_id in keys:
        word: dict[str, Any] = {"line_id": line_id, "word_id": word_id, "text": draw(text)}
        if draw(st.booleans()):
            word["bounding_box"] = draw(box)
        if draw(st.booleans()):
            word["confidence"] = draw(unit)
        words.append(word)
    names = st.sampled_from([*ALL_LABELS, *(a.lower() for a in LEGACY_ALIASES)])
    labelled = draw(st.lists(st.tuples(st.sampled_from(keys), names), max_size=20))
    labels, seen = [], set()
    for (line_id, word_id), name in labelled:
        canonical = LEGACY_ALIASES.get(name.upper(), name.upper())
        if (line_id, word_id, canonical) in seen:
            continue
        seen.add((line_id, word_id, canonical))
        label: dict[str, Any] = {"line_id": line_id, "word_id": word_id, "label": name}
        label["validation_status"] = draw(st.sampled_from(["PENDING", "VALID", "INVALID", "NEEDS_REVIEW", "NONE"]))
        if draw(st.booleans()):
            label["label_proposed_by"] = draw(text)
        if draw(st.booleans()):
            label["reasoning"] = draw(text)
        labels.append(label)
    bundle: dict[str, Any] = {
        "image_id": str(draw(st.uuids())),
        "receipt_id": draw(ids),
        "words": words,
        "labels": labels,
    }
    if draw(st.booleans()):
        bundle["metadata"] = {
            "merchant_name": draw(st.none() | text),
            "address": draw(st.none() | text),
            "phone_number": draw(st.none() | text),
            "place_id": draw(st.none() | st.text(st.characters(codec="ascii"), min_size=1, max_size=40)),
        }
    return bundle


def refused_or_parsed(lines: list[str]) -> Any:
    """The importer's only permitted outcomes: parsed receipts, or BundleError naming each problem by line."""
    try:
        return parse_bundle_lines(lines)
    except BundleError as exc:
        assert exc.problems, "a refusal must name its problems"
        for problem in exc.problems:
            assert 1 <= problem.line <= len(lines), problem
        return None


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=200), max_size=5))
def test_any_text_is_refused_or_parsed(lines: list[str]) -> None:
    refused_or_parsed(lines)


@settings(max_examples=200, deadline=None)
@given(st.lists(json_values, min_size=1, max_size=4))
def test_any_json_is_refused_or_parsed(values: list[Any]) -> None:
    refused_or_parsed([json.dumps(v) for v in values])


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


@settings(max_examples=200, deadline=None)
@given(bundles(), st.data())
def test_a_valid_bundle_with_one_field_broken_is_refused_or_parsed(bundle: dict[str, Any], data: st.DataObject) -> None:
    broken = copy.deepcopy(bundle)
    path = data.draw(st.sampled_from(_paths(broken)))
    target = broken
    for part in path[:-1]:
        target = target[part]
    if data.draw(st.booleans()):
        target[path[-1]] = data.draw(json_values)
    elif isinstance(target, dict):
        del target[path[-1]]
    else:
        target.pop(path[-1])
    refused_or_parsed([json.dumps(broken)])


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        bundles(storable_unit, box=contained_box()),
        min_size=1,
        max_size=3,
        unique_by=lambda b: (b["image_id"], b["receipt_id"]),
    )
)
def test_valid_bundles_round_trip_through_export(items: list[dict[str, Any]]) -> None:
    """Boxes stay inside the receipt here; boxes that overshoot it have their own test below."""
    parsed = parse_bundle_lines([json.dumps(b) for b in items])
    assert len(parsed.contexts) == len(items)
    exported = [json.dumps(context_to_bundle(c), ensure_ascii=False) for c in parsed.contexts]
    again = parse_bundle_lines(exported)
    assert [c.model_dump() for c in again.contexts] == [c.model_dump() for c in parsed.contexts]


def test_a_line_derived_from_words_that_overshoot_the_edge_round_trips() -> None:
    """Found by the fuzz test: OCR boxes often overshoot the receipt's edge a little (each of x, y, width, height is
    still within 0..1, so the parser accepts them), but the line derived from them is their union, width 1.05 here:
    export writes that line, and importing the export is refused ("less than or equal to 1")."""
    bundle = {
        "image_id": str(uuid.uuid4()),
        "receipt_id": 1,
        "words": [
            {
                "line_id": 1,
                "word_id": 1,
                "text": "TOTAL",
                "bounding_box": {"x": 0.0, "y": 0.1, "width": 0.3, "height": 0.02},
            },
            {
                "line_id": 1,
                "word_id": 2,
                "text": "4.84",
                "bounding_box": {"x": 0.6, "y": 0.1, "width": 0.45, "height": 0.02},
            },
        ],
        "labels": [{"line_id": 1, "word_id": 2, "label": "GRAND_TOTAL"}],
    }
    parsed = parse_bundle_lines([json.dumps(bundle)])
    again = parse_bundle_lines([json.dumps(context_to_bundle(parsed.contexts[0]))])
    assert again.contexts[0].model_dump() == parsed.contexts[0].model_dump()


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bundles(storable_unit))
def test_every_accepted_bundle_can_be_written(table: DynamoReceiptRepository, bundle: dict[str, Any]) -> None:
    """ "Refused as a whole, before anything is written": what the parser accepts, the table must accept too."""
    bundle["image_id"] = str(uuid.uuid4())  # fresh partition per example on the shared table
    parsed = parse_bundle_lines([json.dumps(bundle)])
    table.write_contexts(parsed.contexts)
    loaded = table.load_receipt(parsed.contexts[0].ref)
    assert loaded is not None and len(loaded.labels) == len(parsed.contexts[0].labels)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("word_text", "W" * 420_000),  # one item over DynamoDB's 400 KB limit
        ("merchant_name", "M" * 3000),  # GSI1PK over the 2,048-byte partition key limit
        ("place_id", "P" * 3000),  # GSI2PK likewise
        ("confidence", 2.2250738585072014e-308),  # below DynamoDB's smallest number (1E-130)
        ("height", 1e-200),
    ],
)
def test_bundles_the_table_cannot_hold_are_refused_before_anything_is_written(
    table: DynamoReceiptRepository, field: str, value: Any
) -> None:
    """Found by the fuzz test: each of these passed the parser, then failed the import halfway (ClientError or
    decimal.Underflow from boto3's serializer), leaving the receipts of earlier batches written."""
    bundle = {
        "image_id": str(uuid.uuid4()),
        "receipt_id": 1,
        "words": [{"line_id": 1, "word_id": 1, "text": "TOTAL"}, {"line_id": 1, "word_id": 2, "text": "4.84"}],
        "labels": [{"line_id": 1, "word_id": 2, "label": "GRAND_TOTAL"}],
        "metadata": {"merchant_name": "Trader Joe's"},
    }
    if field == "word_text":
        bundle["words"][0]["text"] = value
    elif field == "confidence":
        bundle["words"][0]["confidence"] = value
    elif field == "height":
        bundle["words"][0]["bounding_box"] = {"x": 0.1, "y": 0.9, "width": 0.2, "height": value}
    else:
        bundle["metadata"][field] = value
    try:
        parsed = parse_bundle_lines([json.dumps(bundle)])
    except BundleError:
        return  # refused up front, as the contract says
    table.write_contexts(parsed.contexts)  # accepted: then the table must take it
    assert table.load_receipt(parsed.contexts[0].ref) is not None
