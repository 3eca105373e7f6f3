"""The receipt's own arithmetic, found without looking at any label: which printed amounts add up.

Relations found: item lines -> subtotal (a running sum equal to a later amount), subtotal + extras -> total (extras:
tax, tip, a rounding adjustment), quantity x unit price -> line total, tendered - change -> total, and a tax included
in a tax-inclusive total (`GST @6% INCLUDED IN TOTAL`). Each is one relation; `confirmations` counts how many
independent relations agree on an amount, since a single coincidence on a receipt full of numbers proves little.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from domain.checks.reading.keywords import ROUNDING
from domain.checks.reading.money import AmountAt, fmt
from domain.checks.reading.rows import Row

WordKey = tuple[int, int]
MAX_SUMMARY_AMOUNTS = 40
# Cash rounding (to 0.05 in Malaysia, 0.10 elsewhere) leaves a printed total this close to the exact one.
ROUNDING_CENTS = 5
# Tax rates a tax-inclusive total may carry (GST 6%, VAT 20%, ...), in percent.
_INCLUSIVE_RATES = (5, 6, 7, 8, 10, 12, 15, 16, 19, 20, 21, 23, 25)


@dataclass
class Arithmetic:
    """What the receipt's own numbers say."""

    item_sum: int | None = None
    item_count: int = 0
    subtotal: AmountAt | None = None
    total: AmountAt | None = None
    tax: list[AmountAt] = field(default_factory=list)
    adjustments: list[AmountAt] = field(default_factory=list)  # rounding adjustments between subtotal and total
    equation: str = ""
    item_rows: frozenset[int] = frozenset()  # item lines proven by adding up to a later amount
    # word -> "q x unit = total" of an item line that multiplies out.
    products: dict[WordKey, str] = field(default_factory=dict)
    unit_prices: set[WordKey] = field(default_factory=set)
    line_totals: set[WordKey] = field(default_factory=set)
    quantities: set[WordKey] = field(default_factory=set)
    # Independent relations that agree on the total / subtotal / tax (items sum, sum, tender, inclusive tax).
    total_relations: list[str] = field(default_factory=list)
    subtotal_relations: list[str] = field(default_factory=list)
    tax_relations: list[str] = field(default_factory=list)

    def confirmations(self, what: str) -> int:
        return len(
            {"total": self.total_relations, "subtotal": self.subtotal_relations, "tax": self.tax_relations}[what]
        )

    def near_total(self, cents: int) -> bool:
        """The amount is the total, give or take a cash rounding (`TOTAL 12.32` / `TOTAL ROUNDED 12.30`)."""
        return self.total is not None and abs(self.total.cents - cents) <= ROUNDING_CENTS


def solve(rows: list[Row], item_rows: list[int], summary_start: int | None, arith: Arithmetic) -> None:
    """Finds what the item lines add up to, then subtotal + extras = total below it, then the relations that confirm.

    The items are proven when a later amount equals their running sum: that amount is the subtotal (or, with no
    subtotal printed, the total), whatever its keyword says, which also finds subtotals under unknown keywords.
    """
    _sum_items(rows, item_rows, summary_start, arith)
    best = _best_equation(rows, _summary_amounts(rows, summary_start, arith), arith)
    if best:
        _record_equation(rows, best, arith)
    elif arith.subtotal is not None and _summary_total(rows, arith.subtotal):
        # Tax-inclusive receipts: the items add up to the total itself (`TOTAL INCL. GST 13.39`).
        arith.total = arith.subtotal
        arith.subtotal = None
        arith.equation = f"{arith.item_count} item lines sum to {fmt(arith.total.cents)}"
        arith.total_relations.append("items sum to the total")
    if arith.total is not None:
        _confirm_total(rows, arith)


_Equation = tuple[AmountAt, list[AmountAt], AmountAt]  # subtotal, extras, total


def _sum_items(rows: list[Row], item_rows: list[int], summary_start: int | None, arith: Arithmetic) -> None:
    """The item lines' running sum, proven by a later amount equal to it: that amount is the subtotal."""
    counted = [i for i in item_rows if not _only_a_unit_price(rows[i], arith)]
    matches: list[tuple[AmountAt, int, list[int]]] = []
    running = 0
    seen: list[int] = []
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


def _summary_amounts(rows: list[Row], summary_start: int | None, arith: Arithmetic) -> list[AmountAt]:
    """The non-zero amounts of the totals block: from the subtotal (or the summary's start) down, bounded."""
    anchored = arith.subtotal is not None or summary_start is not None
    start = arith.subtotal.row if arith.subtotal else (summary_start if summary_start is not None else len(rows) // 2)
    lower = [a for row in rows[start:] if not row.roles & {"COUNT", "CHANGE"} for a in row.amounts if a.cents != 0]
    # The totals block is short; bounding it keeps the search cubic in a constant, not in the receipt's length.
    return lower[:MAX_SUMMARY_AMOUNTS] if anchored else lower[-MAX_SUMMARY_AMOUNTS:]


def _best_equation(rows: list[Row], lower: list[AmountAt], arith: Arithmetic) -> _Equation | None:
    """subtotal + extras = total for the first base (the proven subtotal, else each positive amount) that has one."""
    base = [arith.subtotal] if arith.subtotal else [a for a in lower if a.cents > 0]
    for s in base:
        best = _equation_from(rows, s, lower)
        if best:
            return best
    return None


def _equation_from(rows: list[Row], s: AmountAt, lower: list[AmountAt]) -> _Equation | None:
    """The largest total below `s` equal to `s` plus one extra, else plus two."""
    # Extras may be negative only as a rounding adjustment (`ROUNDING ADJ -0.02`).
    others = [a for a in lower if a.key != s.key and a.row > s.row and (a.cents > 0 or _rounding(rows, a))]
    by_cents: dict[int, list[AmountAt]] = {}
    for a in others:
        if a.cents > 0:
            by_cents.setdefault(a.cents, []).append(a)
    best: _Equation | None = None
    for n in (1, 2):
        for extras in combinations(others, n):
            target = s.cents + sum(e.cents for e in extras)
            floor = max(e.row for e in extras)
            hit = next((t for t in by_cents.get(target, ()) if t.row > floor), None)
            if hit and (best is None or hit.cents > best[2].cents):
                best = (s, list(extras), hit)
        if best:
            return best
    return None


def _record_equation(rows: list[Row], best: _Equation, arith: Arithmetic) -> None:
    """The equation found, and the relations it confirms."""
    s, extras, total = best
    arith.subtotal, arith.total = s, total
    arith.tax = [e for e in extras if not _rounding(rows, e)]
    arith.adjustments = [e for e in extras if _rounding(rows, e)]
    arith.equation = " + ".join(fmt(a.cents) for a in [s, *extras]) + f" = {fmt(total.cents)}"
    arith.total_relations.append("subtotal + extras = total")
    arith.subtotal_relations.append("subtotal + extras = total")
    arith.tax_relations.append("subtotal + tax = total")
    if arith.item_sum == s.cents:
        arith.subtotal_relations.append("items sum to the subtotal")
        arith.total_relations.append("items sum to the subtotal")
        arith.tax_relations.append("items sum to the subtotal")


def _rounding(rows: list[Row], a: AmountAt) -> bool:
    return ROUNDING in rows[a.row].roles and abs(a.cents) <= 2 * ROUNDING_CENTS


def _summary_total(rows: list[Row], a: AmountAt) -> bool:
    return "GRAND_TOTAL" in rows[a.row].roles


def _confirm_total(rows: list[Row], arith: Arithmetic) -> None:
    """Relations independent of the sums: tendered - change = total; an included tax that is r/(100+r) of it."""
    assert arith.total is not None
    total = arith.total.cents
    below = rows[arith.total.row + 1 :]
    tendered = [a.cents for r in below if "TENDER" in r.roles for a in r.amounts]
    change = [a.cents for r in below if "CHANGE" in r.roles for a in r.amounts]
    if any(t - c == total for t in tendered for c in change) or (total in tendered and not change):
        arith.total_relations.append("tendered - change = total")
    if not arith.tax:
        for r in rows:
            if "TAX" not in r.roles:
                continue
            for a in r.amounts:
                if a.cents > 0 and any(abs(total * p / (100 + p) - a.cents) <= 1 for p in _INCLUSIVE_RATES):
                    arith.tax = [a]
                    arith.total_relations.append("the included tax is a rate of the total")
                    arith.tax_relations.append("a rate of the tax-inclusive total")
                    return


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
