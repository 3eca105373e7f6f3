"""Where things sit on a receipt: visual rows, what each row's keywords say it is, and the receipt's regions.

Bounding boxes (0..1, origin bottom-left, so the top of the receipt has the largest y) put OCR lines that share a
baseline into one row, the way a reader sees `TOTAL ........ 13.39`; without boxes the line order stands in for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.checks.amounts import AmountAt, parse_amount
from domain.model import Answer, Evidence, ReceiptContext, ReceiptWord

if TYPE_CHECKING:
    from domain.checks.facts import ReceiptFacts

WordKey = tuple[int, int]

# Row keywords, most specific first. A bare TOTAL only means the grand total when nothing more specific is on the row.
_ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "SUBTOTAL",
        re.compile(
            r"\bSUB\s*-?\s*(?:TOTAL|TTL|TOT)\b|\bNET\s+SALES?\b|\bMERCHANDISE\s+TOTAL\b|\bZWISCHENSUMME\b"
            r"|\bSOUS[\s-]TOTAL\b|\bSUBTOTALE?\b|\bTOTAL\s+PARCIAL\b"
        ),
    ),
    (
        "TAX",
        re.compile(
            r"\b(?:SALES\s+)?TAX(?:ES)?\d?\b|\bTX\b|\bVAT\b|\bGST\b|\bHST\b|\bPST\b|\bSST\b|\bIVA\b|\bMWST\b"
            r"|\bUST\b|\bTVA\b|\bBTW\b|\bMOMS\b|\bIMPUESTOS?\b"
        ),
    ),
    ("TIP", re.compile(r"\bTIPS?\b|\bGRATUITY\b")),
    ("CASH_BACK", re.compile(r"\bCASH\s*-?\s*BACK\b")),
    ("CHANGE", re.compile(r"\bCHANGE(?:\s+DUE)?\b|\bCHG\b|\bR(?:Ü|UE|U)CKGELD\b|\bWECHSELGELD\b|\bMONNAIE\b")),
    ("REFUND", re.compile(r"\bREFUND(?:ED)?\b|\bRETURN(?:ED)?\b")),
    ("COUPON", re.compile(r"\bCOUPONS?\b|\bVOUCHER\b|\bCPN\b")),
    ("DISCOUNT", re.compile(r"\bDISCOUNTS?\b|\bDISC\b|\bSAVINGS?\b|\bYOU\s+SAVED\b|\bMARKDOWN\b|\bPROMO\b")),
    (
        "TENDER",
        re.compile(
            r"\bVISA\b|\bMASTER\s*CARD\b|\bMC\b|\bAMEX\b|\bAMERICAN\s+EXPRESS\b|\bDISCOVER\b|\bDEBIT\b|\bCREDIT\b"
            r"|\bCASH\b(?!\s*-?\s*BACK)|\bTEND(?:ER|ERED)?\b|\bEBT\b|\bGIFT\s*CARD\b|\b(?:APPLE|GOOGLE)\s*PAY\b"
            r"|\bAMOUNT\s+PAID\b|\bPAYMENT\b|\bCARD\b|\bMAESTRO\b|\bINTERAC\b|\bEFTPOS\b|\bJCB\b|\bUNIONPAY\b"
        ),
    ),
    ("COUNT", re.compile(r"\b(?:#\s*)?(?:OF\s+)?ITEMS?\b(?:\s+SOLD|\s+COUNT)?|\bQTY\b")),
]
_STRONG_TOTAL = re.compile(
    r"\bGRAND\s+TOTAL\b|\b(?:AMOUNT|AMT|BALANCE|TOTAL)\s+DUE\b|\bTOTAL\s+(?:AMOUNT|AMT|PURCHASE)\b"
    r"|\b(?:ORDER|INVOICE|BILL)\s+TOTAL\b|\bSUMME\b|\bGESAMT(?:BETRAG)?\b|\bTOTALE\b|\bJUMLAH\b|\bMONTANT\b"
)
_BARE_TOTAL = re.compile(r"(?<!SUB)(?<!SUB\s)(?<!SUB-)\b(?:TOTAL|TTL|TOT)\b")
# `FUEL TOTAL`, `FOOD TOTAL`, `TOTAL SALES`: a qualified total may be an item's, a subtotal or the total.
_QUALIFIED_TOTAL = re.compile(r"\b(?!GRAND\b|SUB\b)[A-Z]{2,}\s+(?:TOTAL|TTL)\b|\bTOTAL\s+SALES?\b")
# Roles that may legitimately appear among the item lines (an instant saving under an item).
INLINE_ROLES = frozenset({"DISCOUNT", "COUPON"})
# A total whose kind the keywords leave open (see _QUALIFIED_TOTAL).
ANY_TOTAL = "ANY_TOTAL"


def row_roles(text: str) -> frozenset[str]:
    """What a row's keywords say it is, e.g. `SUBTOTAL 12.40` -> {SUBTOTAL}; `TOTAL TAX 0.99` -> {TAX}."""
    up = text.upper()
    roles = {role for role, pattern in _ROLE_PATTERNS if pattern.search(up)}
    if _STRONG_TOTAL.search(up) and "SUBTOTAL" not in roles:
        roles.add("GRAND_TOTAL")
    elif _BARE_TOTAL.search(up) and not roles - {"TENDER"}:
        roles.add(ANY_TOTAL if _QUALIFIED_TOTAL.search(up) else "GRAND_TOTAL")
    if "GRAND_TOTAL" in roles and "COUNT" in roles:
        roles.discard("COUNT")  # `TOTAL 3 ITEMS 13.39`
    return frozenset(roles)


@dataclass
class Row:
    """One visual row: its words left to right, its keyword roles and its amounts."""

    index: int
    words: list[ReceiptWord]
    text: str = ""
    roles: frozenset[str] = frozenset()
    amounts: list[AmountAt] = field(default_factory=list)
    quantities: list[tuple[WordKey, float]] = field(default_factory=list)
    tokens: frozenset[str] = frozenset()  # comparable name tokens, filled by the receipt's facts
    glued: str = ""  # the row's name tokens without spaces (`TRADERJOES`)
    address_tokens: frozenset[str] = frozenset()
    _spans: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        pos, spans = 0, []
        for w in self.words:
            spans.append((pos, pos + len(w.text)))
            pos += len(w.text) + 1
        self._spans = spans
        self.text = " ".join(w.text for w in self.words)

    def covered(self, pattern: re.Pattern[str]) -> set[WordKey]:
        """The words (by key) that a match of `pattern` on the row text touches."""
        hits: set[WordKey] = set()
        for m in pattern.finditer(self.text):
            for w, (start, end) in zip(self.words, self._spans, strict=True):
                if start < m.end() and m.start() < end:
                    hits.add((w.line_id, w.word_id))
        return hits


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
    rows = []
    for i, ws in enumerate(groups):
        row = Row(index=i, words=ws)
        row.roles = row_roles(row.text)
        for w in ws:
            amount = parse_amount(w.text)
            if amount is not None:
                row.amounts.append(AmountAt(key=(w.line_id, w.word_id), row=i, cents=amount.cents))
            q = _quantity(w.text)
            if q is not None:
                row.quantities.append(((w.line_id, w.word_id), q))
        rows.append(row)
    return rows


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


def _summary_start(rows: list[Row]) -> int | None:
    for roles in (("SUBTOTAL",), ("TAX", "GRAND_TOTAL")):
        for row in rows:
            if row.amounts and any(r in row.roles for r in roles):
                return row.index
    return None


_NOT_A_NAME = re.compile(r"^(?:EA|EACH|LB|LBS|KG|OZ|@|X|[A-Z]|[-*#/.:]+|QTY|NET|WT|T|F|N|TF|TX)$", re.IGNORECASE)


def product_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """A product name is words on an item line (or the line just above one); code cannot tell it from a cashier's
    name on the same line, so support is not decisive unless the line is clearly between header and totals."""
    key = (word.line_id, word.word_id)
    text = word.text.strip()
    q = "Is the word on an item line, where product names are?"
    identity = facts.identity(text)
    if identity:
        return [_ev(q, Answer.REFUTES, f"{text!r} is {identity}", "product", decisive=True)]
    row = facts.row_of(key)
    if row is None:
        return []
    if row.roles == {ANY_TOTAL}:
        return [_ev(q, Answer.UNKNOWN, "a qualified total line such as `FUEL TOTAL`", "product")]
    if row.roles - INLINE_ROLES - {"COUNT"}:
        return [_ev(q, Answer.REFUTES, f"on a {'/'.join(sorted(row.roles))} line", "product", decisive=True)]
    other = facts.structures(key) & {"date", "time", "phone", "web", "hours", "address line", "date/time line"}
    if other:
        return [_ev(q, Answer.REFUTES, f"{text!r} is on a {'/'.join(sorted(other))}", "product", decisive=True)]
    letters = sum(c.isalpha() for c in text)
    if letters == 0:
        digits = sum(c.isdigit() for c in text)
        if key in facts.arithmetic.quantities or (digits >= 8 and text.isdigit()):
            detail = f"{text!r} is the item's quantity or code"
            return [_ev("Is the word a name?", Answer.REFUTES, detail, "product", decisive=True)]
        return [_ev("Is the word a name?", Answer.UNKNOWN, f"{text!r} has no letters", "product")]
    if facts.is_item_row(row.index):
        named = letters >= 2 and not _NOT_A_NAME.match(text) and not row.roles
        return [_ev(q, Answer.SUPPORTS, row.text, "product", decisive=named and facts.has_summary)]
    start = facts.regions.summary_start
    if start is not None and row.index > start:
        return [_ev(q, Answer.REFUTES, "below the totals", "product", decisive=True)]
    if facts.is_item_row(row.index + 1) and row.index >= facts.regions.header_end:
        return [_ev(q, Answer.SUPPORTS, "the line above an item line", "product")]
    named_elsewhere = (
        row.index in facts.merchant_rows or row.index in facts.address_rows or key in facts.phones or key in facts.hours
    )
    if row.index < facts.regions.header_end:
        detail = "in the header" + (" on the store's name, address or phone line" if named_elsewhere else "")
        top = row.index < facts.header_identity_end  # above the store's name, address or the date: not an item
        return [_ev(q, Answer.REFUTES, detail, "product", decisive=named_elsewhere or top)]
    return [_ev(q, Answer.UNKNOWN, "not on an item line", "product")]


def _ev(question: str, answer: Answer, detail: str, check: str, decisive: bool = False) -> Evidence:
    return Evidence(question=question, answer=answer, detail=detail, source=f"rule:layout.{check}", decisive=decisive)
