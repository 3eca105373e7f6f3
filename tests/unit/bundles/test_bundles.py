"""Bundle files are validated whole: every problem named by line and field, nothing written on failure."""

from __future__ import annotations

import json

import pytest

from domain.bundles import BundleError, parse_bundle_lines
from tests.fakes.receipts import sample_bundle


def good(**over) -> dict:
    """The sample bundle (tests/fakes/receipts.py) with fields replaced by `over`."""
    return {**sample_bundle(), **over}


def problems_of(lines: list[str]) -> list[str]:
    with pytest.raises(BundleError) as exc:
        parse_bundle_lines(lines)
    return [str(p) for p in exc.value.problems]


@pytest.mark.parametrize(
    ("bundle", "expected"),
    [
        ("{not json", "line 1: malformed JSON"),
        ("[1, 2]", "line 1: expected a JSON object"),
        (json.dumps({"receipt_id": 1, "words": []}), "line 1, image_id: Field required"),
        (json.dumps(good(receipt_id="1")), "line 1, receipt_id: Input should be a valid integer"),
        (json.dumps(good(receipt_id=100000)), "line 1, receipt_id: Input should be less than or equal to 99999"),
        (json.dumps(good(image_id="not-a-uuid")), "line 1, image_id: 'not-a-uuid' is not a UUID"),
        (
            json.dumps(good(words=[{"line_id": 0, "word_id": 1, "text": "x"}], labels=[])),
            "line 1, words[0].line_id: Input should be greater than or equal to 1",
        ),
        (
            json.dumps(good(words=[{"line_id": 1, "word_id": 1, "text": 5}], labels=[])),
            "line 1, words[0].text: Input should be a valid string",
        ),
        (
            json.dumps(
                good(
                    words=[
                        {
                            "line_id": 1,
                            "word_id": 1,
                            "text": "a",
                            "bounding_box": {"x": 2, "y": 0, "width": 0, "height": 0},
                        }
                    ],
                    labels=[],
                )
            ),
            "line 1, words[0].bounding_box.x: Input should be less than or equal to 1",
        ),
        (
            json.dumps(good(labels=[{"line_id": 1, "word_id": 1, "label": "FAVOURITE_COLOUR"}])),
            "line 1, labels[0].label: unknown label 'FAVOURITE_COLOUR'",
        ),
        (
            json.dumps(good(labels=[{"line_id": 9, "word_id": 1, "label": "DATE"}])),
            "line 1, labels[0]: label DATE is on line 9 word 1, which is not among the words",
        ),
        (
            json.dumps(
                good(
                    words=[{"line_id": 1, "word_id": 1, "text": "a"}, {"line_id": 1, "word_id": 1, "text": "b"}],
                    labels=[],
                )
            ),
            "line 1, words[1]: duplicate word id line 1 word 1",
        ),
        (
            json.dumps(good(labels=[{"line_id": 1, "word_id": 1, "label": "DATE", "validation_status": "MAYBE"}])),
            "line 1, labels[0].validation_status: Input should be",
        ),
        (json.dumps(good(colour="red")), "line 1, colour: Extra inputs are not permitted"),
    ],
)
def test_each_problem_is_named(bundle, expected):
    problems = problems_of([bundle])
    assert any(p.startswith(expected) for p in problems), problems


def test_every_problem_of_every_line_is_reported():
    lines = [json.dumps(good()), "{oops", "", json.dumps(good(receipt_id=2, image_id="x")), json.dumps(good())]
    problems = problems_of(lines)
    assert any(p.startswith("line 2: malformed JSON") for p in problems)
    assert any(p.startswith("line 4, image_id") for p in problems)
    assert any(p.startswith("line 5, receipt_id: receipt") and "line 1" in p for p in problems)
    assert not any(p.startswith("line 1") for p in problems)


def test_aliases_are_mapped_and_reported():
    parsed = parse_bundle_lines([json.dumps(good(labels=[{"line_id": 1, "word_id": 1, "label": "business_name"}]))])
    assert parsed.contexts[0].labels[0].label == "MERCHANT_NAME"
    assert [str(n) for n in parsed.notes] == [
        "line 1, labels[0].label: legacy alias 'business_name' mapped to MERCHANT_NAME"
    ]


def test_lines_are_derived_from_words():
    b = good(
        words=[
            {
                "line_id": 2,
                "word_id": 2,
                "text": "DUE",
                "bounding_box": {"x": 0.3, "y": 0.1, "width": 0.1, "height": 0.02},
            },
            {
                "line_id": 2,
                "word_id": 1,
                "text": "TOTAL",
                "bounding_box": {"x": 0.1, "y": 0.1, "width": 0.15, "height": 0.03},
            },
        ],
        labels=[],
    )
    ctx = parse_bundle_lines([json.dumps(b)]).contexts[0]
    (line,) = ctx.lines
    assert line.text == "TOTAL DUE"
    assert line.bounding_box.x == 0.1 and line.bounding_box.width == pytest.approx(0.3)
    assert line.bounding_box.height == pytest.approx(0.03)
