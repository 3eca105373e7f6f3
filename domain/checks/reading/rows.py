"""Where things sit on a receipt: visual rows, their keyword roles and amounts, and the receipt's regions.

Bounding boxes (0..1, origin bottom-left, so the top of the receipt has the largest y) put OCR lines that share a
baseline into one row, the way a reader sees `TOTAL ........ 13.39`; without boxes the line order stands in for it.
Rows are built once and never changed afterwards.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from domain.checks.reading.keywords import INLINE_ROLES, row_roles
from domain.checks.reading.money import AmountAt, parse_amount
from domain.checks.reading.names import address_token, word_token
from domain.model import ReceiptContext, ReceiptWord

WordKey = tuple[int, int]


@dataclass(frozen=True)
class Row:
    """One visual row: its words left to right, its keyword roles, amounts, counts and comparable tokens."""

    index: int
    words: tuple[ReceiptWord, ...]
    text: str
    roles: frozenset[str]
    amounts: tuple[AmountAt, ...]
    quantities: tuple[tuple[WordKey, float], ...]
    tokens: frozenset[str]  # comparable name tokens
    glued: str  # the row's name tokens without spaces (`TRADERJOES`)
    address_tokens: frozenset[str]
    spans: tuple[tuple[int, int], ...]

    @property
    def keys(self) -> list[WordKey]:
        return [(w.line_id, w.word_id) for w in self.words]

    def covered(self, pattern: re.Pattern[str]) -> set[WordKey]:
        """The words (by key) that a match of `pattern` on the row text touches."""
        hits: set[WordKey] = set()
        for m in pattern.finditer(self.text):
            hits |= self.words_in(m.start(), m.end())
        return hits

    def words_in(self, start: int, end: int) -> set[WordKey]:
        """The words (by key) that the text span start..end of the row touches."""
        return {
            (w.line_id, w.word_id) for w, (a, b) in zip(self.words, self.spans, strict=True) if a < end and start < b
        }

    def without_summary_roles(self) -> Row:
        """The same row with only the roles an item line may carry (`CHANGE PURSE` above the totals is a product)."""
        return replace(self, roles=self.roles & (INLINE_ROLES | {"COUNT"}))


def make_row(index: int, words: list[ReceiptWord]) -> Row:
    """Reads one row once: text, keyword roles, amounts, counts and name/address tokens."""
    spans, pos = [], 0
    for w in words:
        spans.append((pos, pos + len(w.text)))
        pos += len(w.text) + 1
    text = " ".join(w.text for w in words)
    amounts, quantities = [], []
    for w in words:
        amount = parse_amount(w.text)
        if amount is not None:
            amounts.append(AmountAt(key=(w.line_id, w.word_id), row=index, cents=amount.cents))
        q = _quantity(w.text)
        if q is not None:
            quantities.append(((w.line_id, w.word_id), q))
    tokens = [word_token(w.text) for w in words]
    return Row(
        index=index,
        words=tuple(words),
        text=text,
        roles=row_roles(text),
        amounts=tuple(amounts),
        quantities=tuple(quantities),
        tokens=frozenset(t for t in tokens if t),
        glued="".join(tokens),
        address_tokens=frozenset(t for t in (address_token(w.text) for w in words) if t),
        spans=tuple(spans),
    )


def build_rows(context: ReceiptContext) -> list[Row]:
    """Groups the words into visual rows, top of the receipt first."""
    by_line: dict[int, list[ReceiptWord]] = {}
    for w in context.words:
        by_line.setdefault(w.line_id, []).append(w)
    lines = [sorted(ws, key=lambda w: w.word_id) for _, ws in sorted(by_line.items())]
    boxed = all(w.bounding_box is not None for ws in lines for w in ws) and len(lines) > 1
    groups: list[list[ReceiptWord]] = []
    if boxed:
        lines.sort(key=lambda ws: -_centre_y(ws))
        for ws in lines:
            if groups and abs(_centre_y(groups[-1]) - _centre_y(ws)) < 0.5 * min(_height(groups[-1]), _height(ws)):
                groups[-1] = groups[-1] + ws
            else:
                groups.append(list(ws))
        groups = [sorted(g, key=lambda w: w.bounding_box.x if w.bounding_box else 0.0) for g in groups]
    else:
        groups = lines
    return [make_row(i, ws) for i, ws in enumerate(groups)]


def _centre_y(words: list[ReceiptWord]) -> float:
    ys = [w.bounding_box.y + w.bounding_box.height / 2 for w in words if w.bounding_box]
    return sum(ys) / len(ys) if ys else 0.0


def _height(words: list[ReceiptWord]) -> float:
    hs = [w.bounding_box.height for w in words if w.bounding_box]
    return max(hs) if hs else 0.0


_QTY = re.compile(r"^(?:[xX]\s*)?(\d{1,3})(?:\s*[xX@])?$|^(?:QTY:?)(\d{1,3})$", re.IGNORECASE)


def _quantity(text: str) -> float | None:
    """A count printed on an item line: `2`, `2x`, `x2`, `2@`."""
    m = _QTY.match(text.strip())
    if not m:
        return None
    value = int(m.group(1) or m.group(2))
    return float(value) if 0 < value < 1000 else None


@dataclass(frozen=True)
class Regions:
    """Header (above the first item line), items, summary (from the first subtotal/total line down)."""

    header_end: int
    summary_start: int | None
    item_rows: frozenset[int]


def find_regions(rows: list[Row]) -> Regions:
    """Locates the summary block first (it has unmistakable keywords), then the item lines above it."""
    summary_start = _summary_start(rows)
    limit = summary_start if summary_start is not None else len(rows)
    items: set[int] = set()
    for row in rows[:limit]:
        if row.amounts and row.amounts[-1].key == _last_key(row) and not (row.roles - INLINE_ROLES - {"COUNT"}):
            items.add(row.index)
    if summary_start is None:
        items = {i for i in items if not (rows[i].roles & {"GRAND_TOTAL", "TAX"})}
    header_end = min(items) if items else (summary_start if summary_start is not None else 0)
    return Regions(header_end=header_end, summary_start=summary_start, item_rows=frozenset(items))


def _last_key(row: Row) -> WordKey:
    """The last word carrying digits (a trailing tax flag such as `T` or `F` does not end the line)."""
    for w in reversed(row.words):
        if any(c.isdigit() for c in w.text):
            return (w.line_id, w.word_id)
    return (-1, -1)


def settle(rows: list[Row]) -> tuple[list[Row], Regions]:
    """Rows and regions, with summary keywords above the totals dropped (a header's `TAX INVOICE`, `CASH & CARRY` in
    a store's name, `GREETING CARD` among the items are not summary lines)."""
    regions = find_regions(rows)
    top = regions.summary_start if regions.summary_start is not None else regions.header_end
    rows = [r.without_summary_roles() if r.index < top else r for r in rows]
    return rows, find_regions(rows)


def _summary_start(rows: list[Row]) -> int | None:
    for roles in (("SUBTOTAL",), ("TAX", "GRAND_TOTAL")):
        for row in rows:
            if row.amounts and any(r in row.roles for r in roles):
                return row.index
    return None
