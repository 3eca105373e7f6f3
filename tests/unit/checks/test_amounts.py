"""Amounts: real-world spellings, and claims decided by the receipt's own arithmetic and keywords."""

from __future__ import annotations

import pytest

from domain.checks.reading.money import parse_amount
from tests.fakes.receipts import FULL_GROCERY_LINES, GROCERY_META, make_context
from tests.unit.checks.decide import decide


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("12.40", 1240),
        ("$1,234.56", 123456),
        ("12,50", 1250),
        ("1.234,56", 123456),
        ("1.00-", -100),
        ("(2.00)", -200),
        ("-3.50", -350),
        ("USD 5.00", 500),
        ("RM 12.50", 1250),
        ("RM12.50", 1250),
        ("€3,99", 399),
        ("3,99 €", 399),
        ("£7.20", 720),
        ("$5", 500),
        ("4.98 X", 498),
        ("12.40T", 1240),
        ("$-1.00", -100),
    ],
)
def test_parses_real_world_amounts(text: str, cents: int) -> None:
    amount = parse_amount(text)
    assert amount is not None, text
    assert amount.cents == cents


@pytest.mark.parametrize(
    "text",
    [
        "12/01",
        "ABC",
        "805-555-0100",
        "805.555.0100",
        "8055550100",
        "15:42",
        "2019.01.15",
        "1.234.56",
        "12",
        "",
        "$",
        "#1234",
        "12.5",
        "TOTAL",
    ],
)
def test_rejects_what_is_not_an_amount(text: str) -> None:
    assert parse_amount(text) is None


@pytest.mark.parametrize(
    ("text", "label", "occurrence", "expected"),
    [
        ("13.39", "GRAND_TOTAL", 0, "VALID"),  # total keyword and 12.40 + 0.99 = 13.39
        ("12.40", "GRAND_TOTAL", 0, "INVALID"),  # the subtotal line
        ("0.99", "GRAND_TOTAL", 1, "INVALID"),  # the tax line
        ("TOTAL", "GRAND_TOTAL", 0, "INVALID"),  # the keyword, not the value
        ("13.39", "GRAND_TOTAL", 1, None),  # the payment line repeats the total: a keyword alone decides nothing
        ("12.40", "SUBTOTAL", 0, "VALID"),  # item lines add up to it
        ("13.39", "SUBTOTAL", 0, "INVALID"),
        ("0.99", "TAX", 1, "VALID"),
        ("0.99", "TAX", 0, "INVALID"),  # same value, but on an item line above the totals
        ("3.00", "LINE_TOTAL", 0, "VALID"),  # 2 x 1.50 = 3.00
        ("1.50", "UNIT_PRICE", 0, "VALID"),
        ("1.50", "LINE_TOTAL", 0, "INVALID"),
        ("3.00", "UNIT_PRICE", 0, "INVALID"),
        ("2", "QUANTITY", 0, "VALID"),
        ("2", "UNIT_PRICE", 0, "INVALID"),
        ("4.49", "LINE_TOTAL", 0, "VALID"),
        ("12.40", "LINE_TOTAL", 0, "INVALID"),
        ("4.49", "TIP", 0, "INVALID"),
        ("BANANAS", "LINE_TOTAL", 0, "INVALID"),
    ],
)
def test_amount_claims(text: str, label: str, occurrence: int, expected: str | None) -> None:
    context = make_context(FULL_GROCERY_LINES, metadata=GROCERY_META)
    assert decide(context, text, label, occurrence) == expected


def test_arithmetic_refutes_a_total_label_on_the_wrong_amount_even_without_keywords() -> None:
    """Labels are not trusted: with no keywords at all, the numbers still say which amount is the total."""
    rows = ["CAFE LUNA", "SOUP 4.00", "SALAD 6.00", "10.00", "0.80", "10.80"]
    context = make_context(rows)
    assert decide(context, "10.80", "GRAND_TOTAL") is None or decide(context, "10.80", "GRAND_TOTAL") == "VALID"
    assert decide(context, "4.00", "GRAND_TOTAL") != "VALID"


def test_change_is_tender_minus_total() -> None:
    rows = ["DELI", "SANDWICH 7.50", "SUBTOTAL 7.50", "TAX 0.60", "TOTAL 8.10", "CASH 10.00", "CHANGE 1.90"]
    context = make_context(rows)
    assert decide(context, "1.90", "CHANGE") == "VALID"
    assert decide(context, "1.90", "CASH_BACK") is None  # only the line's keyword says otherwise: not enough alone
    assert decide(context, "8.10", "GRAND_TOTAL") == "VALID"


def test_tip_is_not_tax() -> None:
    rows = ["BISTRO", "PASTA 15.00", "SUBTOTAL 15.00", "TAX 1.20", "TIP 3.00", "TOTAL 19.20"]
    context = make_context(rows)
    assert decide(context, "3.00", "TAX") is None  # the TIP keyword alone does not decide (39% on real receipts)
    assert decide(context, "3.00", "TIP") in {"VALID", None}
    assert decide(context, "19.20", "GRAND_TOTAL") == "VALID"


def test_a_product_named_like_a_keyword_is_still_an_item() -> None:
    rows = ["GIFTS", "CHANGE PURSE 4.00", "GREETING CARD 3.00", "SUBTOTAL 7.00", "TAX 0.56", "TOTAL 7.56"]
    context = make_context(rows)
    assert decide(context, "4.00", "LINE_TOTAL") == "VALID"
    assert decide(context, "4.00", "CHANGE") == "INVALID"
