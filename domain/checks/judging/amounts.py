"""Money labels (SUBTOTAL, TAX, GRAND_TOTAL, LINE_TOTAL, UNIT_PRICE, TIP, CHANGE, ...) and QUANTITY.

Each label has its judges in `JUDGES`: the word's form (is it an amount), its line's keywords, its position (items
or totals), and what the receipt's arithmetic says. Arithmetic is strong only when two independent relations agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from domain.checks.facts import ReceiptFacts
from domain.checks.judging.evidence import ev
from domain.checks.reading.keywords import ANY_TOTAL, INLINE_ROLES, ROUNDING, SUMMARY_ROLES
from domain.checks.reading.money import CURRENCY_OR_PUNCT, MEASURE, PRICE_PER_UNIT, Amount, fmt, parse_amount
from domain.checks.reading.rows import Row
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWord

FORM, POSITION, ARITH, KEYWORD, STYLE = (
    EvidenceKind.FORM,
    EvidenceKind.POSITION,
    EvidenceKind.ARITHMETIC,
    EvidenceKind.KEYWORD,
    EvidenceKind.STYLE,
)
S, R, U = Answer.SUPPORTS, Answer.REFUTES, Answer.UNKNOWN
WordKey = tuple[int, int]
# The summary labels and the keyword role their line carries.
ROLE_OF_LABEL = {
    "SUBTOTAL": "SUBTOTAL",
    "TAX": "TAX",
    "GRAND_TOTAL": "GRAND_TOTAL",
    "TIP": "TIP",
    "CHANGE": "CHANGE",
    "CASH_BACK": "CASH_BACK",
    "REFUND": "REFUND",
    "DISCOUNT": "DISCOUNT",
    "COUPON": "COUPON",
}
ITEM_AMOUNTS = frozenset({"LINE_TOTAL", "UNIT_PRICE"})
SUMMARY_AMOUNTS = frozenset({"SUBTOTAL", "TAX", "GRAND_TOTAL", "TIP", "CHANGE", "CASH_BACK", "REFUND"})
DEDUCTIONS = frozenset({"DISCOUNT", "COUPON"})
# Roles a line of each summary label may carry besides its own without saying it is something else.
_COMPATIBLE = {
    "GRAND_TOTAL": {ROUNDING, "TENDER"},  # `TOTAL ROUNDED`, `ROUNDING RM 12.30`, a card line repeating the total
    "SUBTOTAL": {"TAXABLE"},  # `TOTAL SALES (EXCLUDING GST)` is the base before tax
    "TAX": {"TAXABLE"},
    "CHANGE": {"TENDER"},  # `CASH CHANGE`
    "CASH_BACK": {"TENDER"},
}


class Claim:
    """One money claim being judged: the word, its amount (None when it is not one) and its row."""

    def __init__(self, facts: ReceiptFacts, label: str, word: ReceiptWord) -> None:
        self.facts, self.label, self.word = facts, label, word
        self.key: WordKey = (word.line_id, word.word_id)
        self.text = word.text.strip()
        self.amount: Amount | None = parse_amount(word.text)
        self.row: Row | None = facts.row_of(self.key)


Judge = Callable[[Claim], list[Evidence]]


def amount_evidence(facts: ReceiptFacts, label: str, word: ReceiptWord) -> list[Evidence]:
    """Questions for a money label: is the word an amount, what its line and place say, what the arithmetic says."""
    claim = Claim(facts, label, word)
    if claim.amount is None:
        return [_not_an_amount(claim)]
    out = [ev("amounts.shape", "Is the word a money amount?", S, word.text, FORM)]
    if claim.row is None:
        return out
    for judge in JUDGES.get(label, ()):
        out += judge(claim)
    return out


def _not_an_amount(c: Claim) -> Evidence:
    q, t = "Is the word a money amount?", c.text
    if CURRENCY_OR_PUNCT.fullmatch(t):
        return ev("amounts.shape", q, U, f"{t!r} is a currency sign or punctuation", FORM)
    if t.endswith("%"):
        # A rate, not an amount; only a discount is sometimes labelled on its `20%`.
        return ev("amounts.shape", q, R, f"{t!r} is a percentage", FORM, strong=c.label not in DEDUCTIONS)
    other = c.facts.identity(t)
    if other:
        return ev("amounts.shape", q, R, f"{t!r} is {other}, not an amount", FORM, strong=True)
    if not any(ch.isdigit() for ch in t):
        # A coupon is sometimes labelled on its description; the other amounts need digits.
        return ev("amounts.shape", q, R, f"{t!r} has no digits", FORM, strong=c.label != "COUPON")
    if c.label == "UNIT_PRICE" and PRICE_PER_UNIT.match(t):
        return ev("amounts.shape", q, S, f"{t!r} is a price per unit", FORM)
    a = c.facts.arithmetic
    if c.key in a.quantities:
        # quantity x unit price = line total names each factor's role exactly.
        return ev("amounts.product", q, R, f"{t!r} is the quantity of {a.products[c.key]}", ARITH, strong=True)
    if c.facts.cents_amounts >= 2:
        # This receipt prints money with cents; a number without them is a count or a code, or a misread amount.
        return ev("amounts.style", q, R, f"{t!r} is not written like this receipt's amounts", STYLE, strong=True)
    return ev("amounts.shape", q, R, f"{t!r} does not read as an amount", FORM)


# -- the line's keywords and the word's place ----------------------------------------------------------------------


def _roles(c: Claim) -> frozenset[str]:
    assert c.row is not None
    roles = c.row.roles
    if ANY_TOTAL in roles and c.label not in {"GRAND_TOTAL", "SUBTOTAL", "LINE_TOTAL"}:
        roles = (roles - {ANY_TOTAL}) | {"GRAND_TOTAL"}
    return roles - {ANY_TOTAL}


def _item_keyword(c: Claim) -> list[Evidence]:
    """LINE_TOTAL / UNIT_PRICE: a summary keyword on the line says it is not an item's amount."""
    assert c.row is not None
    summary = _roles(c) & (SUMMARY_ROLES | DEDUCTIONS | {"TAXABLE"})
    if not summary:
        return []
    q = f"What does the line of this amount say it is ({c.row.text!r})?"
    return [ev("amounts.keyword", q, R, f"a {'/'.join(sorted(summary))} line, not an item", KEYWORD, strong=True)]


def _item_position(c: Claim) -> list[Evidence]:
    """LINE_TOTAL / UNIT_PRICE: on an item line, or below the items in the totals."""
    assert c.row is not None
    f, row = c.facts, c.row
    q = "Is the amount on an item line?"
    if f.is_item_row(row.index):
        last = c.label == "LINE_TOTAL" and row.amounts[-1].key == c.key
        detail = "the last amount of an item line" if last else "an amount on an item line"
        return [ev("amounts.position", q, S, detail, POSITION)]
    if f.below_totals_start(row.index) and f.regions.item_rows:
        return [ev("amounts.position", q, R, "below the item lines, among the totals", POSITION, strong=True)]
    return []


def _summary_keyword(c: Claim) -> list[Evidence]:
    """A summary or deduction label: does its line's keyword name it, or something else?"""
    assert c.row is not None
    own = ROLE_OF_LABEL[c.label]
    roles = _roles(c)
    q = f"What does the line of this amount say it is ({c.row.text!r})?"
    if own in roles:
        return [ev("amounts.keyword", q, S, f"the line has a {own} keyword", KEYWORD)]
    others = roles - {own, "COUNT"} - _COMPATIBLE.get(c.label, set())
    if c.label in DEDUCTIONS:
        others -= DEDUCTIONS  # a coupon is a kind of discount; the line cannot tell them apart
    if others:
        return [ev("amounts.keyword", q, R, f"the line is a {'/'.join(sorted(others))} line", KEYWORD, strong=True)]
    if c.label == "GRAND_TOTAL" and roles & {"TENDER", ROUNDING}:
        return [ev("amounts.keyword", q, U, "a payment or rounding line, which often repeats the total", KEYWORD)]
    if c.facts.is_item_row(c.row.index) and c.label not in DEDUCTIONS:
        return [ev("amounts.keyword", q, R, f"an item line without a {own} keyword", KEYWORD)]
    return []


def _summary_position(c: Claim) -> list[Evidence]:
    """A summary label: its amount sits below the items; an item line above the totals holds an item's amount."""
    assert c.row is not None
    f, row = c.facts, c.row
    q = "Is the amount below the item lines, where the totals are?"
    if f.is_item_row(row.index) and f.has_summary:
        proven = row.index in f.arithmetic.item_rows
        detail = "an item line above the totals" + (" (the item lines add up)" if proven else "")
        return [ev("amounts.position", q, R, detail, POSITION, strong=proven)]
    if f.below_totals_start(row.index):
        return [ev("amounts.position", q, S, "in the totals block", POSITION)]
    if f.has_summary and row.index < f.regions.header_end:
        return [ev("amounts.position", q, R, "above the item lines", POSITION, strong=bool(f.regions.item_rows))]
    return []


# -- arithmetic ---------------------------------------------------------------------------------------------------


def _grand_total_sums(c: Claim) -> list[Evidence]:
    assert c.amount is not None and c.row is not None
    a, cents = c.facts.arithmetic, c.amount.cents
    q = "Is this the amount that the receipt's amounts add up to?"
    out: list[Evidence] = []
    double = a.confirmations("total") >= 2
    why = "; ".join([a.equation, *a.total_relations[1:]])
    if a.total is not None and a.total.key == c.key:
        out.append(ev("amounts.sum", q, S, why, ARITH, strong=double))
    elif a.total is not None and a.near_total(cents):
        out.append(ev("amounts.sum", q, S, f"{why}; printed again here as {c.amount.text}", ARITH))
    elif a.total is not None and double and "GRAND_TOTAL" not in c.row.roles:
        # A larger amount printed under the total may be the final balance (a tip or a fee added): weak there.
        later = c.row.index > a.total.row and cents > a.total.cents
        out.append(ev("amounts.sum", q, R, f"{why}, not {c.amount.text}", ARITH, strong=not later))
    if cents > 0 and cents in c.facts.tender_cents and "TENDER" not in c.row.roles:
        out.append(
            ev("amounts.payment", "Does the payment line repeat this amount?", S, f"paid {c.amount.text}", ARITH)
        )
    return out


def _subtotal_sums(c: Claim) -> list[Evidence]:
    assert c.amount is not None and c.row is not None
    a, cents = c.facts.arithmetic, c.amount.cents
    q = "Do the item lines add up to this amount?"
    double = a.confirmations("subtotal") >= 2
    if a.subtotal is not None and a.subtotal.key == c.key:
        detail = "; ".join(a.subtotal_relations) + f": {a.equation or fmt(cents)}"
        return [ev("amounts.items_sum", q, S, detail, ARITH, strong=double)]
    if a.subtotal is not None and a.subtotal.cents == cents:
        return [ev("amounts.items_sum", q, S, f"the subtotal {fmt(cents)} printed again", ARITH)]
    if a.subtotal is not None and double and "SUBTOTAL" not in c.row.roles:
        detail = f"{a.item_count} item lines sum to {fmt(a.item_sum or 0)}, {a.equation}; not {c.amount.text}"
        return [ev("amounts.items_sum", q, R, detail, ARITH, strong=True)]
    return []


def _tax_sums(c: Claim) -> list[Evidence]:
    assert c.amount is not None and c.row is not None
    a, cents = c.facts.arithmetic, c.amount.cents
    q = "Is this the amount that takes the subtotal to the total?"
    out: list[Evidence] = []
    double = a.confirmations("tax") >= 2
    if any(t.key == c.key for t in a.tax):
        out.append(ev("amounts.sum", q, S, "; ".join([a.equation, *a.tax_relations]), ARITH, strong=double))
    elif any(t.cents == cents for t in a.tax) and c.row.index in a.item_rows:
        detail = f"the tax is the {c.amount.text} of {a.equation}; this one is added into the subtotal"
        out.append(ev("amounts.sum", q, R, detail, ARITH))
    elif any(t.cents == cents for t in a.tax):
        out.append(ev("amounts.sum", q, S, f"the tax {c.amount.text} printed again", ARITH))
    elif a.total is not None and double and "TAX" not in c.row.roles:
        out.append(ev("amounts.sum", q, R, f"{a.equation}, no {c.amount.text}", ARITH, strong=True))
    if a.subtotal is not None and a.subtotal.cents > 0 and cents > 0:
        rate = cents / a.subtotal.cents
        rq = "Is it a plausible tax rate of the subtotal?"
        out.append(ev("amounts.rate", rq, S if rate <= 0.3 else R, f"{rate:.1%} of {fmt(a.subtotal.cents)}", ARITH))
    return out


def _item_product(c: Claim) -> list[Evidence]:
    """LINE_TOTAL / UNIT_PRICE / QUANTITY: quantity x unit price = line total, and the item lines' sum."""
    assert c.row is not None
    a, row = c.facts.arithmetic, c.row
    q = "Does quantity x unit price = line total hold for this word?"
    if c.key in a.products:
        eq = a.products[c.key]
        role = {"QUANTITY": a.quantities, "UNIT_PRICE": a.unit_prices, "LINE_TOTAL": a.line_totals}[c.label]
        if c.key in role:
            return [ev("amounts.product", q, S, eq, ARITH, strong=True)]
        return [ev("amounts.product", q, R, f"{eq}: the word is another factor", ARITH, strong=True)]
    last = bool(row.amounts) and row.amounts[-1].key == c.key
    deduction = bool(row.roles & DEDUCTIONS) or (bool(row.amounts) and row.amounts[-1].cents < 0)
    if last and row.index in a.item_rows and c.label in ITEM_AMOUNTS and not deduction:
        double = a.confirmations("subtotal") >= 2
        detail = f"item lines sum to the subtotal {fmt(a.item_sum or 0)}"
        question = "Is it one of the line amounts that add up to the subtotal?"
        answer = S if c.label == "LINE_TOTAL" else R
        return [ev("amounts.items_sum", question, answer, detail, ARITH, strong=double)]
    return []


def _change(c: Claim) -> list[Evidence]:
    assert c.amount is not None
    a, tendered = c.facts.arithmetic, c.facts.tender_cents
    if a.total is None or not any(t - a.total.cents == c.amount.cents for t in tendered):
        return []
    detail = f"tendered - {fmt(a.total.cents)} = {c.amount.text}"
    return [ev("amounts.change", "Is it what was tendered minus the total?", S, detail, ARITH)]


def _price_sign(c: Claim) -> list[Evidence]:
    assert c.amount is not None
    if c.amount.cents >= 0:
        return []
    return [ev("amounts.sign", "Is the amount a price (not a deduction)?", R, c.amount.text, FORM)]


def _deduction_sign(c: Claim) -> list[Evidence]:
    assert c.amount is not None
    if c.amount.cents >= 0:
        return []
    return [ev("amounts.sign", "Is the amount a deduction?", S, c.amount.text, FORM)]


JUDGES: dict[str, tuple[Judge, ...]] = {
    "GRAND_TOTAL": (_summary_keyword, _summary_position, _grand_total_sums),
    "SUBTOTAL": (_summary_keyword, _summary_position, _subtotal_sums),
    "TAX": (_summary_keyword, _summary_position, _tax_sums),
    "TIP": (_summary_keyword, _summary_position),
    "CHANGE": (_summary_keyword, _summary_position, _change),
    "CASH_BACK": (_summary_keyword, _summary_position),
    "REFUND": (_summary_keyword, _summary_position, _deduction_sign),
    "DISCOUNT": (_summary_keyword, _deduction_sign),
    "COUPON": (_summary_keyword, _deduction_sign),
    "LINE_TOTAL": (_item_keyword, _item_position, _item_product, _price_sign),
    "UNIT_PRICE": (_item_keyword, _item_position, _item_product),
}


# -- QUANTITY -------------------------------------------------------------------------------------------------------

_UNIT_WORD = re.compile(
    r"(?:\b|/)(?:LB|LBS|KG|G|OZ|L|ML|EA|EACH|GAL|GALLONS?|LITRES?|LITERS?|LTR|KWH|PCS|PC|UNITS?)\b|@", re.IGNORECASE
)
INLINE_AND_COUNT = INLINE_ROLES | {"COUNT"}


def quantity_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """A quantity is a small count or a weight on an item line; it multiplies out to the line total."""
    c = Claim(facts, "QUANTITY", word)
    key, text, row = c.key, c.text, c.row
    q = "Is the word a count or weight of an item?"
    identity = facts.identity(text)
    if identity and identity != "a money amount":
        return [ev("amounts.quantity", q, R, f"{text!r} is {identity}", FORM, strong=True)]
    own = facts.structures(key) & {"date", "time", "phone", "web", "hours"}
    if own:
        return [ev("amounts.quantity", q, R, f"{text!r} is part of a {'/'.join(sorted(own))}", FORM, strong=True)]
    if "address line" in facts.structures(key):
        return [ev("amounts.quantity", q, R, f"{text!r} is on an address line", POSITION, strong=True)]
    if not any(ch.isdigit() for ch in text):
        return [ev("amounts.quantity", q, R, f"{text!r} has no digits", FORM, strong=True)]
    if row is not None and row.roles - INLINE_AND_COUNT - {ANY_TOTAL}:
        detail = f"on a {'/'.join(sorted(row.roles))} line"
        return [ev("amounts.quantity", q, R, detail, KEYWORD, strong=True), *_below_items(c)]
    out = _item_product(c) if row is not None else []
    if any(e.strong for e in out):
        return out
    if MEASURE.match(text):
        return [*out, ev("amounts.quantity", q, S, f"{text!r} is a measured quantity", FORM)]
    if identity == "a money amount" and _below_items(c):
        return _below_items(c)
    weighed = row is not None and bool(_UNIT_WORD.search(row.text))
    if identity == "a money amount" and not weighed:
        last = row is not None and bool(row.amounts) and row.amounts[-1].key == key
        on_item = last and row is not None and facts.is_item_row(row.index)
        detail = f"{text!r} is a price" + (", the line's last amount" if last else "")
        return [ev("amounts.quantity", q, R, detail, POSITION if on_item else FORM, strong=on_item)]
    digits = sum(ch.isdigit() for ch in text)
    counted = row is not None and any(k == key for k, _ in row.quantities)
    if not counted and identity is None and digits >= 5 and text.isdigit():
        return [ev("amounts.quantity", q, R, f"{text!r} is a code, not a count", FORM, strong=True)]
    if counted or weighed:
        out.append(ev("amounts.quantity", q, S, f"{text!r} has the shape of a count or weight", FORM))
    if row is not None and (facts.is_item_row(row.index) or facts.is_item_row(row.index + 1)):
        out.append(ev("amounts.item_line", "Is it on an item line?", S, row.text, POSITION))
    return out


def _below_items(c: Claim) -> list[Evidence]:
    if c.row is None or not c.facts.below_totals_start(c.row.index) or not c.facts.regions.item_rows:
        return []
    detail = f"{c.text!r} is below the item lines"
    return [ev("amounts.quantity", "Is the word on an item line?", R, detail, POSITION, strong=True)]
