"""Money amounts: parsing real-world spellings, the receipt's arithmetic, and the questions about amount labels.

Arithmetic never trusts the labels under verification: it reads the amounts printed on the receipt, finds the set that
adds up (items -> subtotal, subtotal + tax -> total, quantity x unit price -> line total) and only then compares the
claim with what the numbers say.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

from domain.model import Answer, Evidence

if TYPE_CHECKING:
    from domain.checks.facts import ReceiptFacts
    from domain.checks.layout import Row
    from domain.model import ReceiptWord

WordKey = tuple[int, int]

_CURRENCY_PREFIX = re.compile(
    r"^(?:US\$|USD|EUR|GBP|CAD|AUD|NZD|SGD|MYR|RM|S\$|A\$|C\$|R\$|RS\.?|INR|CHF|\$|€|£|¥|₹)\s*", re.IGNORECASE
)
_CURRENCY_SUFFIX = re.compile(r"\s*(?:USD|EUR|GBP|€|\$|£|KR|ZŁ|CHF)$", re.IGNORECASE)
# A decimal amount: optional thousands groups, a separator and exactly two decimals.
_DECIMAL = re.compile(r"^(?P<int>\d{1,3}(?:(?P<group>[,.\s'])\d{3})*|\d+)(?P<sep>[.,])(?P<dec>\d{2})$")
_INTEGER = re.compile(r"^\d{1,3}(?:,\d{3})*$|^\d+$")
# A single tax or price flag printed right after an amount (Walmart `4.98 X`, `12.40T`, `3.99*`).
_FLAG_SUFFIX = re.compile(r"(?<=\d)\s*(?:[A-Z]|\*|[A-Z]\*)$")


@dataclass(frozen=True)
class Amount:
    """A parsed money amount in cents; `explicit` when a currency sign or code made it unmistakably money."""

    cents: int
    explicit: bool = False

    @property
    def text(self) -> str:
        sign = "-" if self.cents < 0 else ""
        return f"{sign}{abs(self.cents) // 100}.{abs(self.cents) % 100:02d}"


def parse_amount(text: str) -> Amount | None:
    """Reads one money amount, or None when the text is not one (dates, phone numbers, codes, plain words)."""
    s = text.strip()
    if not s or len(s) > 24 or not any(c.isdigit() for c in s):
        return None
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1].strip()
    if s.endswith("-") or s.upper().endswith("CR"):
        negative, s = True, s[:-2].rstrip() if s.upper().endswith("CR") else s[:-1].rstrip()
    if s.startswith(("-", "−", "–")):
        negative, s = True, s[1:].lstrip()
    s = _FLAG_SUFFIX.sub("", s) if re.search(r"\d[.,]\d{2}\s*(?:[A-Z]|\*|[A-Z]\*)$", s) else s
    explicit = False
    stripped = _CURRENCY_PREFIX.sub("", s, count=1)
    if stripped != s:
        explicit, s = True, stripped
    stripped = _CURRENCY_SUFFIX.sub("", s, count=1)
    if stripped != s:
        explicit, s = True, stripped
    if s.startswith(("-", "−")) and not negative:
        negative, s = True, s[1:]
    cents = _cents(s, explicit)
    if cents is None:
        return None
    return Amount(cents=-cents if negative else cents, explicit=explicit)


def _cents(s: str, explicit: bool) -> int | None:
    m = _DECIMAL.match(s)
    if m:
        group = m.group("group")
        if group and group == m.group("sep"):
            return None  # `1.234.56`: a code, not an amount
        integer = re.sub(r"[,.\s']", "", m.group("int"))
        return int(integer) * 100 + int(m.group("dec"))
    if explicit and _INTEGER.match(s):
        return int(s.replace(",", "")) * 100
    return None


@dataclass(frozen=True)
class AmountAt:
    """An amount printed on the receipt, where it is."""

    key: WordKey
    row: int
    cents: int


@dataclass
class Arithmetic:
    """What the receipt's own numbers say, found without looking at any label."""

    item_sum: int | None = None
    item_count: int = 0
    subtotal: AmountAt | None = None
    total: AmountAt | None = None
    tax: list[AmountAt] = field(default_factory=list)
    equation: str = ""
    # word -> (quantity, unit price, line total) of an item line that multiplies out.
    item_rows: frozenset[int] = frozenset()  # item lines proven by adding up to a later amount
    products: dict[WordKey, str] = field(default_factory=dict)
    unit_prices: set[WordKey] = field(default_factory=set)
    line_totals: set[WordKey] = field(default_factory=set)
    quantities: set[WordKey] = field(default_factory=set)


def fmt(cents: int) -> str:
    return Amount(cents).text


MAX_SUMMARY_AMOUNTS = 40


def solve(rows: list[Row], item_rows: list[int], summary_start: int | None, arith: Arithmetic) -> None:
    """Finds what the item lines add up to, then subtotal + extras = total below it.

    The items are proven when a later amount equals their running sum: that amount is the subtotal (or, with no
    subtotal printed, the total), whatever its keyword says, which also finds subtotals under unknown keywords.
    """
    counted = [i for i in item_rows if not _only_a_unit_price(rows[i], arith)]
    matches: list[tuple[AmountAt, int, list[int]]] = []
    running, seen = 0, []
    counted_set = set(counted)
    for row in rows:
        if len(seen) >= 2:
            hit = next((a for a in row.amounts if a.cents == running and a.cents > 0), None)
            if hit:
                matches.append((hit, running, list(seen)))
        if row.index in counted_set:
            running += row.amounts[-1].cents
            seen.append(row.index)
    last_item = max(counted) if counted else -1
    chosen = next((m for m in matches if m[0].row not in counted_set), None)
    if chosen is None:
        # An "item" line equal to the sum of all lines above it, right before the totals: an unlabelled subtotal.
        chosen = next((m for m in matches if m[0].row == last_item and summary_start is not None), None)
    if chosen:
        arith.subtotal, arith.item_sum, items = chosen[0], chosen[1], chosen[2]
        arith.item_rows, arith.item_count = frozenset(items), len(items)
    anchored = arith.subtotal is not None or summary_start is not None
    start = arith.subtotal.row if arith.subtotal else (summary_start if summary_start is not None else len(rows) // 2)
    lower = [a for row in rows[start:] if not row.roles & {"COUNT", "CHANGE"} for a in row.amounts if a.cents > 0]
    # The totals block is short; bounding it keeps the search cubic in a constant, not in the receipt's length.
    lower = lower[:MAX_SUMMARY_AMOUNTS] if anchored else lower[-MAX_SUMMARY_AMOUNTS:]
    base = [arith.subtotal] if arith.subtotal else lower
    best: tuple[AmountAt, list[AmountAt], AmountAt] | None = None
    for s in base:
        others = [a for a in lower if a.key != s.key and a.row > s.row]
        by_cents: dict[int, list[AmountAt]] = {}
        for a in others:
            by_cents.setdefault(a.cents, []).append(a)
        for n in (1, 2):
            for extras in combinations(others, n):
                target = s.cents + sum(e.cents for e in extras)
                floor = max(e.row for e in extras)
                hit = next((t for t in by_cents.get(target, ()) if t.row > floor), None)
                if hit and (best is None or hit.cents > best[2].cents):
                    best = (s, list(extras), hit)
            if best:
                break
        if best:
            break
    if best:
        s, extras, total = best
        arith.subtotal, arith.tax, arith.total = s, extras, total
        arith.equation = " + ".join(fmt(a.cents) for a in [s, *extras]) + f" = {fmt(total.cents)}"


def _only_a_unit_price(row: Row, arith: Arithmetic) -> bool:
    """`2 @ 1.50` under its item line: the line's last amount is a unit price, not a line total."""
    last = row.amounts[-1].key
    return last in arith.unit_prices and last not in arith.line_totals


def _before(unit: AmountAt, total: AmountAt, row: Row) -> bool:
    """`1 1,73 € 1,73 €`: with quantity one, the unit price and the line total are both printed, unit first."""
    keys = [a.key for a in row.amounts]
    return unit.key in keys and total.key in keys and keys.index(unit.key) < keys.index(total.key)


def multiply_out(rows: list[Row], arith: Arithmetic) -> None:
    """Marks quantity x unit price = line total on an item line (or the line below it)."""
    for i, row in enumerate(rows):
        candidates = list(row.amounts)
        for j in (i - 1, i + 1):
            if 0 <= j < len(rows):
                candidates += rows[j].amounts
        for qkey, qty in row.quantities:
            for unit in row.amounts:
                for total in candidates:
                    if total.key == unit.key or (qty < 2 and not _before(unit, total, row)):
                        continue
                    if round(unit.cents * qty) == total.cents:
                        arith.quantities.add(qkey)
                        arith.unit_prices.add(unit.key)
                        arith.line_totals.add(total.key)
                        eq = f"{qty:g} x {fmt(unit.cents)} = {fmt(total.cents)}"
                        for k in (qkey, unit.key, total.key):
                            arith.products[k] = eq


# --- questions about amount labels ---------------------------------------------------------------------------------

ANY_TOTAL = "ANY_TOTAL"
# Fuel and weighed goods price per unit with three decimals: `1.885`, `$ 4.779/GAL`, `2,11/kg`.
_PRICE_PER_UNIT = re.compile(r"^[$€£]?\d{1,4}[.,]\d{2,3}(?:/[A-Z]{1,4})?$", re.IGNORECASE)
SUMMARY_ROLES = frozenset({"SUBTOTAL", "TAX", "GRAND_TOTAL", "TIP", "CHANGE", "CASH_BACK", "REFUND", "TENDER"})
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


def _ev(question: str, answer: Answer, detail: str, check: str, decisive: bool = False) -> Evidence:
    return Evidence(question=question, answer=answer, detail=detail, source=f"rule:amounts.{check}", decisive=decisive)


def amount_evidence(facts: ReceiptFacts, label: str, word: ReceiptWord) -> list[Evidence]:
    """Questions for a money label: is the word an amount, what its line says it is, and what the arithmetic says."""
    key = (word.line_id, word.word_id)
    amount = parse_amount(word.text)
    if amount is None:
        return [_not_an_amount(facts, label, word)]
    row = facts.row_of(key)
    out: list[Evidence] = [_ev("Is the word a money amount?", Answer.SUPPORTS, word.text, "shape")]
    if row is None:
        return out
    out += _keyword_evidence(facts, label, row, key)
    out += _arithmetic_evidence(facts, label, row, key, amount)
    return out


def _not_an_amount(facts: ReceiptFacts, label: str, word: ReceiptWord) -> Evidence:
    text = word.text.strip()
    q = "Is the word a money amount?"
    if re.fullmatch(r"[$€£¥₹]|USD|EUR|GBP|CAD|AUD|MYR|SGD|INR|CHF|JPY|RM|[-:=*#.]+", text, re.IGNORECASE):
        return _ev(q, Answer.UNKNOWN, f"{text!r} is a currency sign or punctuation", "shape")
    if text.endswith("%"):
        # A rate, not an amount; only a discount is sometimes labelled on its `20%`.
        return _ev(
            q, Answer.REFUTES, f"{text!r} is a percentage", "shape", decisive=label not in {"DISCOUNT", "COUPON"}
        )
    other = facts.identity(text)
    if other:
        return _ev(q, Answer.REFUTES, f"{text!r} is {other}, not an amount", "shape", decisive=True)
    if not any(c.isdigit() for c in text):
        # A coupon is sometimes labelled on its description; the other amounts need digits.
        return _ev(q, Answer.REFUTES, f"{text!r} has no digits", "shape", decisive=label != "COUPON")
    if label == "UNIT_PRICE" and _PRICE_PER_UNIT.match(text):
        return _ev(q, Answer.SUPPORTS, f"{text!r} is a price per unit", "shape")
    key = (word.line_id, word.word_id)
    if key in facts.arithmetic.quantities:
        return _ev(q, Answer.REFUTES, f"{text!r} is the quantity of {facts.arithmetic.products[key]}", "shape", True)
    if re.fullmatch(r"[xX]?\d{1,4}[xX@]?", text) and facts.cents_amounts >= 2:
        # This receipt prints money with cents, so a bare whole number on it is a count or a code.
        return _ev(q, Answer.REFUTES, f"{text!r} is a whole number; amounts here have cents", "shape", True)
    if facts.cents_amounts >= 2 and not text.endswith("%"):
        return _ev(q, Answer.REFUTES, f"{text!r} is not written like this receipt's amounts", "shape", True)
    return _ev(q, Answer.REFUTES, f"{text!r} does not read as an amount", "shape")


def _keyword_evidence(facts: ReceiptFacts, label: str, row: Row, key: WordKey) -> list[Evidence]:
    roles = row.roles
    if ANY_TOTAL in roles:
        if label in {"GRAND_TOTAL", "SUBTOTAL", "LINE_TOTAL"}:
            return []
        roles = (roles - {ANY_TOTAL}) | {"GRAND_TOTAL"}
    own = ROLE_OF_LABEL.get(label)
    q = f"What does the line of this amount say it is ({row.text!r})?"
    if label in {"LINE_TOTAL", "UNIT_PRICE"}:
        summary = roles & (SUMMARY_ROLES | {"DISCOUNT", "COUPON"})
        if summary:
            return [_ev(q, Answer.REFUTES, f"a {'/'.join(sorted(summary))} line, not an item", "keyword", True)]
        if facts.is_item_row(row.index):
            if label == "LINE_TOTAL" and row.amounts and row.amounts[-1].key == key:
                return [_ev(q, Answer.SUPPORTS, "the last amount of an item line", "keyword")]
            return [_ev(q, Answer.SUPPORTS, "an amount on an item line", "keyword")]
        return []
    if own is None:
        return []
    if own in roles:
        return [_ev(q, Answer.SUPPORTS, f"the line has a {own} keyword", "keyword")]
    others = roles - {own}
    if label in {"DISCOUNT", "COUPON"}:
        others -= {"DISCOUNT", "COUPON"}  # a coupon is a kind of discount; the line cannot tell them apart
    if others == {"TENDER"} and own == "GRAND_TOTAL":
        # Without a total line, the payment line's amount is the only total printed.
        elsewhere = any("GRAND_TOTAL" in r.roles for r in facts.rows if r.index != row.index)
        return [_ev(q, Answer.REFUTES, "the line is a payment line", "keyword", decisive=elsewhere)]
    if others:
        return [_ev(q, Answer.REFUTES, f"the line is a {'/'.join(sorted(others))} line", "keyword", True)]
    if facts.is_item_row(row.index) and facts.has_summary and label not in {"DISCOUNT", "COUPON"}:
        # Decisive only when the item lines are proven by adding up to the subtotal.
        proven = row.index in facts.arithmetic.item_rows
        return [_ev(q, Answer.REFUTES, "an item line above the totals", "keyword", decisive=proven)]
    return []


def _arithmetic_evidence(facts: ReceiptFacts, label: str, row: Row, key: WordKey, amount: Amount) -> list[Evidence]:
    a = facts.arithmetic
    out: list[Evidence] = []
    if label == "GRAND_TOTAL":
        q = "Is this the amount that subtotal plus tax adds up to?"
        if a.total and a.total.key == key:
            out.append(_ev(q, Answer.SUPPORTS, a.equation, "sum", decisive="GRAND_TOTAL" in row.roles))
        elif a.total and a.item_rows and amount.cents != a.total.cents and "GRAND_TOTAL" not in row.roles:
            # The items add up to the subtotal and subtotal + extras to the total: this amount is not it.
            out.append(_ev(q, Answer.REFUTES, f"{a.equation}, not {amount.text}", "sum", decisive=True))
        pq = "Does the payment line repeat this amount?"
        if amount.cents > 0 and amount.cents in facts.tender_cents and "TENDER" not in row.roles:
            out.append(_ev(pq, Answer.SUPPORTS, f"paid {amount.text}", "payment"))
        if facts.largest_lower and amount.cents == facts.largest_lower and "GRAND_TOTAL" in row.roles:
            out.append(_ev("Is it the largest amount of the lower part?", Answer.SUPPORTS, amount.text, "largest"))
    elif label == "SUBTOTAL":
        q = "Do the item lines add up to this amount?"
        if a.subtotal and a.subtotal.key == key and a.item_sum == amount.cents:
            detail = f"{a.item_count} item lines sum to {amount.text}"
            out.append(_ev(q, Answer.SUPPORTS, detail, "items_sum", decisive="SUBTOTAL" in row.roles))
        elif a.subtotal and a.subtotal.key == key and a.total:
            out.append(_ev("Is it the base of subtotal + tax = total?", Answer.SUPPORTS, a.equation, "sum"))
        elif a.item_rows and a.item_sum != amount.cents and "SUBTOTAL" not in row.roles:
            detail = f"{a.item_count} item lines sum to {fmt(a.item_sum or 0)}, not {amount.text}"
            out.append(_ev(q, Answer.REFUTES, detail, "items_sum", decisive=True))
    elif label == "TAX":
        q = "Is this the amount that takes the subtotal to the total?"
        if any(t.key == key for t in a.tax):
            out.append(_ev(q, Answer.SUPPORTS, a.equation, "sum", decisive="TAX" in row.roles))
        elif a.total and a.item_rows and "TAX" not in row.roles and all(t.cents != amount.cents for t in a.tax):
            out.append(_ev(q, Answer.REFUTES, f"{a.equation}, no {amount.text}", "sum", decisive=True))
        if a.subtotal and a.subtotal.cents > 0 and amount.cents > 0:
            rate = amount.cents / a.subtotal.cents
            rq = "Is it a plausible tax rate of the subtotal?"
            ok = rate <= 0.3
            out.append(
                _ev(rq, Answer.SUPPORTS if ok else Answer.REFUTES, f"{rate:.1%} of {fmt(a.subtotal.cents)}", "rate")
            )
    elif label in {"LINE_TOTAL", "UNIT_PRICE", "QUANTITY"}:
        out += _product_evidence(facts, label, row, key)
    elif label == "CHANGE" and facts.tender_cents and a.total:
        q = "Is it what was tendered minus the total?"
        if any(t - a.total.cents == amount.cents for t in facts.tender_cents):
            out.append(_ev(q, Answer.SUPPORTS, f"tendered - {fmt(a.total.cents)} = {amount.text}", "change"))
    elif label == "LINE_TOTAL" and amount.cents < 0:
        out.append(_ev("Is the amount a price (not a deduction)?", Answer.REFUTES, amount.text, "sign"))
    elif label in {"DISCOUNT", "COUPON", "REFUND"} and amount.cents < 0:
        out.append(_ev("Is the amount a deduction?", Answer.SUPPORTS, amount.text, "sign"))
    return out


def _product_evidence(facts: ReceiptFacts, label: str, row: Row, key: WordKey) -> list[Evidence]:
    a = facts.arithmetic
    q = "Does quantity x unit price = line total hold for this word?"
    if key not in a.products:
        last = bool(row.amounts) and row.amounts[-1].key == key
        deduction = bool(row.roles & {"DISCOUNT", "COUPON"}) or (bool(row.amounts) and row.amounts[-1].cents < 0)
        if last and row.index in a.item_rows and label in {"LINE_TOTAL", "UNIT_PRICE"} and not deduction:
            detail = f"item lines sum to the subtotal {fmt(a.item_sum or 0)}"
            question = "Is it one of the line amounts that add up to the subtotal?"
            answer = Answer.SUPPORTS if label == "LINE_TOTAL" else Answer.REFUTES
            return [_ev(question, answer, detail, "items_sum", decisive=True)]
        return []
    eq = a.products[key]
    role = {"QUANTITY": a.quantities, "UNIT_PRICE": a.unit_prices, "LINE_TOTAL": a.line_totals}[label]
    if key in role:
        return [_ev(q, Answer.SUPPORTS, eq, "product", decisive=True)]
    return [_ev(q, Answer.REFUTES, f"{eq}: the word is another factor", "product", decisive=True)]


_UNIT_WORD = re.compile(
    r"(?:\b|/)(?:LB|LBS|KG|G|OZ|L|ML|EA|EACH|GAL|GALLONS?|LITRES?|LITERS?|LTR|KWH)\b|@", re.IGNORECASE
)
_MEASURE = re.compile(r"^\d{1,4}[.,]\d{3}$")  # 63.255 litres, 1,250 kg: measured, not priced


def quantity_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """A quantity is a small count or a weight on an item line; it multiplies out to the line total."""
    key = (word.line_id, word.word_id)
    text = word.text.strip()
    q = "Is the word a count or weight of an item?"
    row = facts.row_of(key)
    identity = facts.identity(text)
    if identity and identity != "a money amount":
        return [_ev(q, Answer.REFUTES, f"{text!r} is {identity}", "quantity", decisive=True)]
    other = facts.structures(key) & {"date", "time", "phone", "web", "hours", "address line"}
    if other:
        return [_ev(q, Answer.REFUTES, f"{text!r} is on a {'/'.join(sorted(other))}", "quantity", decisive=True)]
    if not any(c.isdigit() for c in text):
        return [_ev(q, Answer.REFUTES, f"{text!r} has no digits", "quantity", decisive=True)]
    if row is not None and row.roles - INLINE_AND_COUNT:
        return [_ev(q, Answer.REFUTES, f"on a {'/'.join(sorted(row.roles))} line", "quantity", decisive=True)]
    out = _product_evidence(facts, "QUANTITY", row, key) if row is not None else []
    if any(e.decisive for e in out):
        return out
    counted = row is not None and any(k == key for k, _ in row.quantities)
    weighed = row is not None and bool(_UNIT_WORD.search(row.text))
    if _MEASURE.match(text):
        out.append(_ev(q, Answer.SUPPORTS, f"{text!r} is a measured quantity", "quantity"))
        return out
    below = row is not None and facts.regions.summary_start is not None and row.index >= facts.regions.summary_start
    if identity == "a money amount" and below:
        return [_ev(q, Answer.REFUTES, f"{text!r} is an amount below the item lines", "quantity", decisive=True)]
    if identity == "a money amount" and not weighed:
        last = row is not None and bool(row.amounts) and row.amounts[-1].key == key
        return [
            _ev(
                q,
                Answer.REFUTES,
                f"{text!r} is a price" + (", the line's last amount" if last else ""),
                "quantity",
                decisive=last and facts.is_item_row(row.index) if row else False,
            )
        ]
    digits = sum(c.isdigit() for c in text)
    if not counted and identity is None and digits >= 5 and text.isdigit():
        return [_ev(q, Answer.REFUTES, f"{text!r} is a code, not a count", "quantity", decisive=True)]
    if counted or weighed:
        out.append(_ev(q, Answer.SUPPORTS, f"{text!r} has the shape of a count or weight", "quantity"))
    if row is not None and (facts.is_item_row(row.index) or facts.is_item_row(row.index + 1)):
        out.append(_ev("Is it on an item line?", Answer.SUPPORTS, row.text, "item_line"))
    return out


INLINE_AND_COUNT = frozenset({"DISCOUNT", "COUPON", "COUNT"})
