"""Rows, keyword roles, regions, and the layout questions (product names, merchant position)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from domain.checks import build_facts as analyze
from domain.checks.reading.keywords import row_roles
from domain.model import BoundingBox, ReceiptContext, ReceiptRef, ReceiptWord
from tests.fakes.receipts import FULL_GROCERY_LINES, GROCERY_META, IMAGE, label_on, make_context
from tests.unit.checks.decide import decide


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("SUBTOTAL 12.40", {"SUBTOTAL"}),
        ("SUB TOTAL 12.40", {"SUBTOTAL"}),
        ("Sub-Total: 12.40", {"SUBTOTAL"}),
        ("TOTAL 13.39", {"GRAND_TOTAL"}),
        ("BALANCE DUE 13.39", {"GRAND_TOTAL"}),
        ("Amount Due $13.39", {"GRAND_TOTAL"}),
        ("TOTAL TAX 0.99", {"TAX"}),
        ("SALES TAX 8.25% 0.99", {"TAX"}),
        ("VAT 20% 2.00", {"TAX"}),
        ("GST 0.50", {"TAX"}),
        ("TOTAL SAVINGS 1.00", {"DISCOUNT"}),
        ("CHANGE DUE 1.90", {"CHANGE"}),
        ("CASH BACK 20.00", {"CASH_BACK"}),
        ("CASH 20.00", {"TENDER"}),
        ("VISA 13.39", {"TENDER"}),
        ("GRATUITY 3.00", {"TIP"}),
        ("COUPON -1.00", {"COUPON"}),
        ("BANANAS 0.99", set()),
    ],
)
def test_row_roles(text: str, roles: set[str]) -> None:
    assert set(row_roles(text)) == roles


def _word(line: int, word: int, text: str, x: float, y: float) -> ReceiptWord:
    box = BoundingBox(x=x, y=y, width=0.1, height=0.02)
    return ReceiptWord(image_id=IMAGE, receipt_id=1, line_id=line, word_id=word, text=text, bounding_box=box)


def test_lines_on_one_baseline_form_one_row_and_top_is_large_y() -> None:
    """OCR often splits `TOTAL ....... 13.39` into two lines; the boxes put them back on one row."""
    words = [
        _word(3, 1, "13.39", 0.8, 0.301),  # listed first, but it is on the same baseline as TOTAL
        _word(1, 1, "SHOP", 0.4, 0.9),
        _word(2, 1, "TOTAL", 0.1, 0.3),
    ]
    facts = analyze(ReceiptContext(ref=ReceiptRef(image_id=IMAGE, receipt_id=1), words=words))
    assert [r.text for r in facts.rows] == ["SHOP", "TOTAL 13.39"]
    assert facts.rows[1].roles == {"GRAND_TOTAL"}


def test_without_boxes_the_line_order_stands_in() -> None:
    facts = analyze(make_context(FULL_GROCERY_LINES, boxes=False))
    assert facts.rows[0].text.startswith("TRADER")
    assert facts.regions.summary_start is not None
    assert facts.arithmetic.total is not None and facts.arithmetic.total.cents == 1339


def test_facts_are_read_once_per_receipt_and_never_shared_between_threads() -> None:
    """No cache: each call reads its receipt afresh, so sweeper threads share nothing; results do not depend on it."""
    import domain.checks.facts as facts_module
    from domain.checks import evaluate_claims

    assert not [n for n, v in vars(facts_module).items() if (isinstance(v, dict) and n.isupper()) or n == "_CACHE"]
    context = make_context(FULL_GROCERY_LINES, metadata=GROCERY_META)
    assert analyze(context) is not analyze(context)
    claims = [label_on(context, t, lb) for t, lb in (("13.39", "GRAND_TOTAL"), ("BANANAS", "PRODUCT_NAME"))]
    once = evaluate_claims(context, claims)
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: evaluate_claims(context, claims), range(16)))
    assert all(r == once for r in results)


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("BANANAS", "PRODUCT_NAME", "VALID"),
        ("MILK", "PRODUCT_NAME", "VALID"),
        ("SUBTOTAL", "PRODUCT_NAME", "INVALID"),
        ("THANK", "PRODUCT_NAME", None),  # below the totals: position alone (92% on real receipts) does not decide
        ("TRADER", "PRODUCT_NAME", "INVALID"),  # the store's name line
        ("0.99", "PRODUCT_NAME", "INVALID"),
        ("@", "PRODUCT_NAME", None),
        ("BANANAS", "MERCHANT_NAME", "INVALID"),
        ("TRADER", "MERCHANT_NAME", "VALID"),
    ],
)
def test_layout_claims(text: str, label: str, expected: str | None) -> None:
    assert decide(make_context(FULL_GROCERY_LINES, metadata=GROCERY_META), text, label) == expected
