"""Receipt shapes seen in the wild: unknown subtotal keywords, fuel, German and Malaysian receipts."""

from __future__ import annotations

from domain.checks import build_facts as analyze
from tests.fakes.receipts import make_context
from tests.unit.checks.decide import decide


def test_the_running_sum_finds_a_subtotal_under_a_keyword_it_does_not_know() -> None:
    rows = ["LADEN", "BROT 2,50", "KAESE 4,20", "ZWISCHENSTAND 6,70", "MWST 7% 0,47", "ZU ZAHLEN 7,17"]
    context = make_context(rows)
    facts = analyze(context)
    assert facts.arithmetic.subtotal is not None and facts.arithmetic.subtotal.cents == 670
    assert facts.arithmetic.total is not None and facts.arithmetic.total.cents == 717
    assert decide(context, "6,70", "SUBTOTAL") != "INVALID"
    assert decide(context, "4,20", "SUBTOTAL") == "INVALID"  # a proven item line
    assert decide(context, "4,20", "LINE_TOTAL") == "VALID"


def test_german_keywords() -> None:
    rows = ["MARKT", "BROT 2,50", "KAESE 4,20", "ZWISCHENSUMME 6,70", "UST 19% 1,27", "SUMME 7,97", "RÜCKGELD 2,03"]
    context = make_context(rows)
    assert decide(context, "6,70", "SUBTOTAL") == "VALID"
    assert decide(context, "1,27", "TAX") == "VALID"
    assert decide(context, "7,97", "GRAND_TOTAL") == "VALID"
    assert decide(context, "2,03", "CASH_BACK") is None  # the RÜCKGELD keyword alone does not decide
    assert decide(context, "19%", "TAX") == "INVALID"  # the rate, not the amount


def test_fuel_receipt() -> None:
    rows = [
        "SHELL",
        "LOT 11, JALAN SS 2/24",
        "12/05/2024 08:15",
        "PUMP # 04",
        "DIESEL",
        "LITRES 39.273",
        "PRICE/L 1.720",
        "FUEL TOTAL 67.55",
        "TOTAL 67.55",
        "VISA 67.55",
    ]
    context = make_context(rows)
    assert decide(context, "DIESEL", "PRODUCT_NAME") != "INVALID"  # a product line without its price
    assert decide(context, "39.273", "QUANTITY") != "INVALID"  # litres, three decimals
    assert decide(context, "1.720", "UNIT_PRICE") != "INVALID"  # a price per litre
    assert decide(context, "67.55", "LINE_TOTAL") != "INVALID"  # `FUEL TOTAL` is the item's total
    assert decide(context, "2/24", "ADDRESS_LINE") != "INVALID"  # a lot number, not a date
    assert decide(context, "SHELL", "PRODUCT_NAME") is None  # the header's top: position alone does not decide
    assert decide(context, "39.273", "PHONE_NUMBER") == "INVALID"


def test_national_phone_numbers() -> None:
    rows = ["KEDAI", "TEL 03-2161 6000", "Phone 065 9413 4683", "+49 35 606883", "NASI 5.00", "TOTAL 5.00"]
    context = make_context(rows)
    for word in ("03-2161", "6000", "065", "4683", "+49", "606883"):
        assert decide(context, word, "PHONE_NUMBER") == "VALID", word
    assert decide(context, "+49", "PRODUCT_NAME") == "INVALID"


def test_a_date_elsewhere_makes_a_loose_number_not_the_date() -> None:
    rows = ["CAFE", "15/01/2019 15:42", "2 LATTE 9.00", "TOTAL 9.00", "TABLE 12"]
    context = make_context(rows)
    assert decide(context, "12", "DATE") == "INVALID"
    assert decide(context, "2", "TIME") == "INVALID"
