"""Phone numbers, web addresses, opening hours, loyalty ids and payment methods."""

from __future__ import annotations

import pytest

from domain.checks.reading.contacts import is_phone, is_web
from tests.fakes.receipts import FULL_GROCERY_LINES, GROCERY_META, make_context
from tests.unit.checks.decide import decide


@pytest.mark.parametrize(
    "text", ["(805) 555-0100", "805-555-0100", "805.555.0100", "1-800-555-0100", "+44 20 7946 0958", "+61 2 9374 4000"]
)
def test_phone_shapes(text: str) -> None:
    assert is_phone(text)


@pytest.mark.parametrize("text", ["12.40", "15/01/2019", "12345", "805-55-0100", "ABC-DEF-GHIJ"])
def test_not_phone_shapes(text: str) -> None:
    assert not is_phone(text)


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("www.traderjoes.com", True),
        ("traderjoes.com", True),
        ("https://shop.example.co.uk/receipt", True),
        ("help@store.com", True),
        ("WWW.TARGET.COM", True),
        ("12.40", False),
        ("TRADER", False),
        ("J.CREW", False),
    ],
)
def test_web_shapes(text: str, ok: bool) -> None:
    assert is_web(text) is ok


CONTACTS = [
    "PIZZA PLACE",
    "PH: 805-555-0100",
    "+44 20 7946 0958",
    "visit pizzaplace.com",
    "STORE HOURS",
    "MON-FRI 8AM-9PM",
    "SAT 9:00-17:00",
    "OPEN 24 HOURS",
    "PIZZA 12.00",
    "TOTAL 12.00",
    "MASTERCARD XXXX4321 12.00",
    "REWARDS # 987654321",
]


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("805-555-0100", "PHONE_NUMBER", "VALID"),
        ("+44", "PHONE_NUMBER", "VALID"),
        ("0958", "PHONE_NUMBER", "VALID"),
        ("PH:", "PHONE_NUMBER", "INVALID"),
        ("12.00", "PHONE_NUMBER", "INVALID"),
        ("PIZZA", "PHONE_NUMBER", "INVALID"),
        ("pizzaplace.com", "WEBSITE", "VALID"),
        ("visit", "WEBSITE", "INVALID"),
        ("805-555-0100", "WEBSITE", "INVALID"),
        ("MON-FRI", "STORE_HOURS", "VALID"),
        ("8AM-9PM", "STORE_HOURS", "VALID"),
        ("9:00-17:00", "STORE_HOURS", "VALID"),
        ("24", "STORE_HOURS", "VALID"),
        ("12.00", "STORE_HOURS", "INVALID"),
        ("REWARDS", "STORE_HOURS", "INVALID"),
        ("987654321", "LOYALTY_ID", None),  # an id on a member line: form and keyword agree, measured < 0.99
        ("REWARDS", "LOYALTY_ID", "INVALID"),
        ("12.00", "LOYALTY_ID", "INVALID"),
        ("MASTERCARD", "PAYMENT_METHOD", "VALID"),
        ("XXXX4321", "PAYMENT_METHOD", "VALID"),
        ("PIZZA", "PAYMENT_METHOD", "INVALID"),
        ("12.00", "PAYMENT_METHOD", "INVALID"),
    ],
)
def test_contact_claims(text: str, label: str, expected: str | None) -> None:
    assert decide(make_context(CONTACTS), text, label) == expected


def test_phone_matches_the_metadata_digits() -> None:
    context = make_context(FULL_GROCERY_LINES, metadata=GROCERY_META)
    assert decide(context, "(805)", "PHONE_NUMBER") == "VALID"
    assert decide(context, "TEL", "PHONE_NUMBER") == "INVALID"
