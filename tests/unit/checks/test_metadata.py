"""Merchant names and addresses, and the receipt metadata checked against the receipt."""

from __future__ import annotations

import pytest

from domain.checks import evaluate_metadata
from domain.checks.reading.names import normalize_name
from domain.model import Answer
from tests.fakes.receipts import FULL_GROCERY_LINES, GROCERY_META, make_context
from tests.unit.checks.decide import decide


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Trader Joe's", "TRADER JOES"),
        ("Trader Joe's #123", "trader joe's"),
        ("Ben & Jerry's", "BEN AND JERRYS"),
        ("Safeway - Downtown", "SAFEWAY"),
        ("The Home Depot", "HOME DEPOT"),
        ("Costco Wholesale Corp.", "COSTCO WHOLESALE"),
        ("Joe's Mkt", "Joe's Market"),
        ("Walgreens Store 1234", "WALGREENS"),
    ],
)
def test_names_that_are_the_same_store(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


@pytest.mark.parametrize(("a", "b"), [("Trader Joe's", "Whole Foods"), ("Target", "Walmart"), ("Ben's", "Jerry's")])
def test_names_that_differ(a: str, b: str) -> None:
    assert normalize_name(a) != normalize_name(b)


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("MAIN", "ADDRESS_LINE", "VALID"),
        ("ST", "ADDRESS_LINE", "VALID"),
        ("93101", "ADDRESS_LINE", "VALID"),
        ("TRADER", "ADDRESS_LINE", "INVALID"),  # the merchant name line
        ("4.49", "ADDRESS_LINE", "INVALID"),
        ("(805)", "ADDRESS_LINE", "INVALID"),
        ("BREAD", "ADDRESS_LINE", "INVALID"),
        ("JOE'S", "MERCHANT_NAME", "VALID"),
        ("MAIN", "MERCHANT_NAME", "INVALID"),  # an address line, and the name is printed elsewhere
        ("13.39", "MERCHANT_NAME", "INVALID"),
    ],
)
def test_identity_claims(text: str, label: str, expected: str | None) -> None:
    assert decide(make_context(FULL_GROCERY_LINES, metadata=GROCERY_META), text, label) == expected


def _answers(meta: dict[str, str]) -> dict[str, list[Answer]]:
    evidence = evaluate_metadata(make_context(FULL_GROCERY_LINES, metadata=meta))
    return {field: [e.answer for e in items] for field, items in evidence.items()}


def test_metadata_that_matches_the_receipt_is_supported() -> None:
    answers = _answers(GROCERY_META)
    assert answers == {
        "merchant_name": [Answer.SUPPORTS],
        "phone_number": [Answer.SUPPORTS],
        "address": [Answer.SUPPORTS],
    }


def test_metadata_of_another_store_is_refuted() -> None:
    answers = _answers(
        {
            "merchant_name": "Whole Foods Market",
            "address": "900 Elm Avenue, Reno, NV 89501",
            "phone_number": "775-555-0199",
        }
    )
    assert answers == {
        "merchant_name": [Answer.REFUTES],
        "phone_number": [Answer.REFUTES],
        "address": [Answer.REFUTES],
    }


def test_no_metadata_gives_no_evidence() -> None:
    assert evaluate_metadata(make_context(FULL_GROCERY_LINES)) == {
        "merchant_name": [],
        "phone_number": [],
        "address": [],
    }


@pytest.mark.parametrize("phone", ["n/a", "-", "none", "ext 12"])
def test_a_metadata_phone_without_a_number_matches_nothing(phone: str) -> None:
    """`n/a` has no digits; every text ends with the empty string, so it once matched every receipt's phone."""
    evidence = evaluate_metadata(make_context(FULL_GROCERY_LINES, metadata={**GROCERY_META, "phone_number": phone}))
    assert [e.answer for e in evidence["phone_number"]] == [Answer.UNKNOWN]
