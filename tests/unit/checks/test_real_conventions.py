"""Real receipt conventions (the phrasebook's shapes, generalised): each built from a receipt of that shape.

The receipts here are written the way SROIE and WildReceipt receipts are: tax-inclusive totals, rounding, many total
spellings, totals repeated on payment lines, month-name dates, OCR-glued words, currency prefixes and comma
decimals, merchant names made of receipt words. None is a phrasebook row copied: each varies the shape.
"""

from __future__ import annotations

import pytest

from domain.checks import build_facts
from domain.checks.reading.keywords import row_roles
from domain.checks.reading.money import parse_amount
from tests.fakes.receipts import make_context
from tests.unit.checks.decide import decide

# A Malaysian GST-era receipt: the total includes the tax; the tax is printed as a part of it.
GST_INCLUSIVE = [
    "PERNIAGAAN SRI MAJU SDN BHD",
    "LOT 7, JALAN BUNGA RAYA 2/3",
    "TEL: 03-7877 1234",
    "TAX INVOICE",
    "DATE: 02/JAN/2017 TIME: 10:15AM",
    "NASI LEMAK 1 4.50 SR",
    "TEH TARIK 1 2.00 SR",
    "ROTI CANAI 2 2.40 SR",
    "TOTAL QTY: 4",
    "TOTAL SALES (INCLUSIVE OF GST) : 8.90",
    "GST @6% INCLUDED IN TOTAL RM 0.50",
    "CASH 10.00",
    "CHANGE 1.10",
]


def test_a_tax_inclusive_total_is_the_total_and_its_included_tax_is_the_tax() -> None:
    context = make_context(GST_INCLUSIVE)
    facts = build_facts(context)
    total = facts.arithmetic.total
    assert total is not None and total.cents == 890
    # Items add up to it, the cash minus the change pays it, the included tax is 6/106 of it: three relations.
    assert facts.arithmetic.confirmations("total") >= 2
    assert decide(context, "8.90", "GRAND_TOTAL") == "VALID"
    assert decide(context, "0.50", "TAX") != "INVALID"
    assert decide(context, "8.90", "TAX") != "VALID"  # the GST keyword on the total's line does not make it tax
    assert decide(context, "4.50", "GRAND_TOTAL") != "VALID"


def test_rounding_adjustments_and_rounded_totals_still_add_up() -> None:
    rows = [
        "KEDAI ROTI",
        "BUN KAYA 2 3.10",
        "ROTI BAKAR 1 4.20",
        "SUB TOTAL 7.30",
        "GST 6% 0.44",
        "ROUNDING ADJ -0.04",
        "TOTAL ROUNDED 7.70",
        "CASH RM 10.00",
        "CHANGE RM 2.30",
    ]
    context = make_context(rows)
    facts = build_facts(context)
    assert facts.arithmetic.total is not None and facts.arithmetic.total.cents == 770
    assert [a.cents for a in facts.arithmetic.adjustments] == [-4]
    assert decide(context, "7.70", "GRAND_TOTAL") == "VALID"
    assert decide(context, "7.30", "SUBTOTAL") == "VALID"
    assert decide(context, "0.44", "TAX") == "VALID"
    assert decide(context, "-0.04", "TAX") != "VALID"  # the adjustment is not the tax


@pytest.mark.parametrize(
    ("line", "roles"),
    [
        ("NETT TOTAL: 12.30", {"GRAND_TOTAL"}),
        ("TOTAL PAYABLE: 45.00", {"GRAND_TOTAL"}),
        ("Total Amt Payable : 9.90", {"GRAND_TOTAL"}),
        ("TOTAL SALES (INCLUSIVE OF GST) : 8.90", {"GRAND_TOTAL"}),
        ("TOTAL INCL. GST@6% RM 21.20", {"GRAND_TOTAL"}),
        ("TOTAL (GST INCL) 15.00", {"GRAND_TOTAL"}),
        ("TOTAL RM INCL. OF GST 7.00", {"GRAND_TOTAL"}),
        ("FINAL TOTAL 63.10", {"GRAND_TOTAL"}),
        ("TOTAL ROUNDED 7.70", {"GRAND_TOTAL"}),
        ("ROUNDED TOTAL (RM): 7.70", {"GRAND_TOTAL"}),
        ("TOTAL AFTER ADJ INCL GST 30.05", {"GRAND_TOTAL"}),
        ("RECEIPTTOTAL: 13.39", {"GRAND_TOTAL"}),
        ("TOTAL QTY: 4", {"COUNT"}),
        ("TOTAL 0% SUPPLIES: 0.00", {"TAXABLE"}),
        ("TOTAL 6% SUPPLIES (EXCL. GST): 8.40", {"TAXABLE"}),
        ("TOTAL SALES (EXCLUDING GST) : 8.40", {"TAXABLE"}),
        ("TOTAL SAVINGS 1.20", {"DISCOUNT"}),
        ("TOTAL GST : 0.50", {"TAX"}),
        ("GST @6% INCLUDED IN TOTAL RM 0.50", {"TAX"}),
        ("SalesTax7.25% 0.90", {"TAX"}),
        ("TOTALTAX 1.10", {"TAX"}),
        ("6%GST 0.42", {"TAX"}),
        ("ROUNDING ADJ -0.02", {"ROUNDING"}),
        ("CHANGE DUE : 2.30", {"CHANGE"}),
        ("CASH TENDERED 20.00", {"TENDER"}),
    ],
)
def test_the_ways_receipts_spell_totals_and_lines_that_only_look_like_them(line: str, roles: set[str]) -> None:
    assert set(row_roles(line)) == roles


def test_lines_with_total_in_them_that_are_not_the_total() -> None:
    rows = [
        "SYARIKAT BAKERIES",
        "ROTI GANDUM 2 5.60",
        "KEK PANDAN 1 7.90",
        "TOTAL QTY: 3",
        "TOTAL SAVINGS 1.20",
        "NETT TOTAL: 13.50",
        "TOTAL 0% SUPPLIES: 0.00",
        "CASH 20.00",
        "CHANGE 6.50",
    ]
    context = make_context(rows)
    assert decide(context, "13.50", "GRAND_TOTAL") == "VALID"
    assert decide(context, "1.20", "GRAND_TOTAL") != "VALID"
    # A count on a quantity line: amount style and keyword agree it is no total, but neither held up on real
    # receipts (43%, 39%), so together they still leave it to the LLM.
    assert decide(context, "3", "GRAND_TOTAL") is None


def test_a_total_repeated_on_a_payment_or_rounding_line_is_not_refuted() -> None:
    rows = [
        "CORNER DELI",
        "SANDWICH 7.50",
        "COFFEE 2.80",
        "SUBTOTAL 10.30",
        "TAX 0.82",
        "TOTAL 11.12",
        "ROUNDING RM 11.10",
        "VISA 11.12",
    ]
    context = make_context(rows)
    assert decide(context, "11.12", "GRAND_TOTAL", 0) == "VALID"
    assert decide(context, "11.12", "GRAND_TOTAL", 1) != "INVALID"  # the card line repeats it
    assert decide(context, "11.10", "GRAND_TOTAL") != "INVALID"  # the rounded total


@pytest.mark.parametrize(
    ("rows", "words"),
    [
        (["SHOP", "02/JAN/2017 14:05", "MILK 3.00", "TOTAL 3.00"], ["02/JAN/2017"]),
        (["SHOP", "29 JUN 2018 15:30", "MILK 3.00", "TOTAL 3.00"], ["29", "JUN", "2018"]),
        (["SHOP", "12Feb'19 9:41PM", "MILK 3.00", "TOTAL 3.00"], ["12Feb'19"]),
        (["SHOP", "Jul20'19 11:02", "MILK 3.00", "TOTAL 3.00"], ["Jul20'19"]),
        (["SHOP", "DATE:18/03/18 TIME:10:22", "MILK 3.00", "TOTAL 3.00"], ["DATE:18/03/18"]),
        (["SHOP", "ORD #12 -REG #03- 14-Mar-2019 08:15:33", "MILK 3.00", "TOTAL 3.00"], ["14-Mar-2019"]),
        (["SHOP", "963808 23/03/201608:48", "MILK 3.00", "TOTAL 3.00"], ["23/03/201608:48"]),
    ],
)
def test_dates_with_month_names_split_or_glued_are_dates(rows: list[str], words: list[str]) -> None:
    context = make_context(rows)
    for word in words:
        assert decide(context, word, "DATE") == "VALID", word
    assert decide(context, "3.00", "DATE") == "INVALID"


@pytest.mark.parametrize(
    ("line", "word"),
    [
        ("12/01/2019 3:42PM", "3:42PM"),
        ("12/01/2019 11:05am", "11:05am"),
        ("12/01/2019 9:41:07 PM", "9:41:07"),
        ("963808 23/03/201608:48", "23/03/201608:48"),
        ("TIME:10:22", "TIME:10:22"),
    ],
)
def test_times_glued_to_am_pm_or_to_dates_are_times(line: str, word: str) -> None:
    context = make_context(["SHOP", line, "MILK 3.00", "TOTAL 3.00"])
    assert decide(context, word, "TIME") == "VALID"


def test_ocr_glued_words_keep_their_meaning() -> None:
    rows = [
        "ANAHEIM HARDWARE",
        "2621ORANGETHORPEAVE",
        "FULLERTON, CA 92833",
        "HAMMER 12.99",
        "NAILS 3.49",
        "SUBTOTAL 16.48",
        "SalesTax7.25% 1.19",
        "RECEIPTTOTAL: 17.67",
    ]
    context = make_context(
        rows, metadata={"merchant_name": "Anaheim Hardware", "address": "2621 Orangethorpe Ave, Fullerton"}
    )
    assert decide(context, "17.67", "GRAND_TOTAL") == "VALID"
    assert decide(context, "1.19", "TAX") == "VALID"
    assert decide(context, "2621ORANGETHORPEAVE", "ADDRESS_LINE") != "INVALID"
    assert decide(context, "SalesTax7.25%", "TAX") == "INVALID"  # the rate's word, not the amount


def test_words_split_by_ocr_still_read_as_one() -> None:
    rows = ["CAFE", "LATTE 4.50", "MUFFIN 3.25", "SUB TOTAL 7.75", "T A X 0.62", "TOTAL : 8.37"]
    context = make_context(rows)
    assert decide(context, "7.75", "SUBTOTAL") == "VALID"
    assert decide(context, "8.37", "GRAND_TOTAL") == "VALID"
    assert decide(context, "0.62", "TAX") != "INVALID"


@pytest.mark.parametrize(
    ("text", "cents"),
    [("RM13.39", 1339), ("$13.39", 1339), ("£9.99", 999), ("13,39", 1339), ("RM 1,234.50", 123450), ("-RM0.02", -2)],
)
def test_currency_prefixes_and_comma_decimals_are_money(text: str, cents: int) -> None:
    amount = parse_amount(text)
    assert amount is not None and amount.cents == cents


@pytest.mark.parametrize("text", ["RS8", "RM5", "SR", "E14"])
def test_codes_with_a_currency_like_prefix_are_not_money(text: str) -> None:
    assert parse_amount(text) is None


def test_amounts_with_a_currency_prefix_decide_like_plain_ones() -> None:
    rows = ["KEDAI", "MEE GORENG RM6.50", "AIS KOSONG RM1.00", "TOTAL RM7.50"]
    context = make_context(rows)
    assert decide(context, "RM7.50", "GRAND_TOTAL") == "VALID"
    rows = ["CAFE", "Cappuccino 3,20", "Croissant 2,10", "Total 5,30"]
    assert decide(make_context(rows), "5,30", "GRAND_TOTAL") == "VALID"


def test_merchant_names_made_of_receipt_words_are_names() -> None:
    rows = [
        "CASH & CARRY MART SDN BHD",
        "GOLDEN TRADING",
        "NO 3, JALAN PUDU",
        "SUGAR 1 2.80",
        "FLOUR 1 3.20",
        "TOTAL 6.00",
        "CASH 10.00",
        "CHANGE 4.00",
    ]
    context = make_context(rows, metadata={"merchant_name": "Cash & Carry Mart Sdn Bhd"})
    for word in ("CASH", "CARRY", "MART", "SDN", "BHD"):
        assert decide(context, word, "MERCHANT_NAME") == "VALID", word
    assert decide(context, "CASH", "PAYMENT_METHOD", 0) != "VALID"  # the store's name, not how it was paid
    assert decide(context, "CASH", "PAYMENT_METHOD", 1) == "VALID"
    assert decide(context, "6.00", "GRAND_TOTAL") == "VALID"
    # Without metadata, a store-name word is still not refuted for its receipt words.
    bare = make_context(rows)
    for word in ("CASH", "TRADING", "MART"):
        assert decide(bare, word, "MERCHANT_NAME") != "INVALID", word


def test_one_arithmetic_relation_alone_decides_nothing() -> None:
    """12.40 + 0.99 = 13.39 with nothing else agreeing (no item lines add up, no payment repeats it) is one
    coincidence among a receipt's numbers: it neither confirms nor refutes on its own."""
    rows = ["PARKING", "ENTRY 08:02", "12.40", "0.99", "13.39"]
    context = make_context(rows)
    facts = build_facts(context)
    assert facts.arithmetic.total is not None and facts.arithmetic.confirmations("total") == 1
    assert decide(context, "12.40", "GRAND_TOTAL") is None
    assert decide(context, "13.39", "GRAND_TOTAL") is None


def test_addresses_written_the_malaysian_way_read_as_addresses() -> None:
    rows = [
        "PETRONAS STATION",
        "LOT 84, JALAN TUN RAZAK",
        "51405 KUALA LUMPUR",
        "TAMAN MELAWATI",
        "DIESEL 40.00",
        "TOTAL 40.00",
    ]
    context = make_context(rows)
    for word in ("LOT", "JALAN", "RAZAK", "51405", "KUALA", "MELAWATI"):
        assert decide(context, word, "ADDRESS_LINE") == "VALID", word
    assert decide(context, "DIESEL", "ADDRESS_LINE") != "VALID"
    assert decide(context, "51405", "PHONE_NUMBER") != "VALID"
