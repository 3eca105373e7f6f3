"""From printed lines to OCR words: split on spaces, number lines and words, place bounding boxes.

A receipt is planned as lines of segments (a segment is one printed thing: a product name, an amount, a keyword);
here each segment becomes the words OCR would return, each word keeping what it really is (its role).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import Decimal

from domain.labels import AMOUNT_LABELS


@dataclass
class Seg:
    """One printed thing on a line. `role` is what it really is (a label name, or None when no label fits)."""

    text: str
    role: str | None = None
    key: str | None = None  # name of the fact this segment prints (e.g. "total", "item3.unit")
    cue: str | None = None  # the role of the value this keyword introduces ("TOTAL" -> GRAND_TOTAL)
    value: Decimal | None = None  # the money amount printed, when it is one
    family: str | None = None  # what it looks like when it has no role: money | when | count | contact | text
    also: frozenset[str] = frozenset()  # labels that would also be defensible on it
    right: bool = False  # printed in the right-hand (amount) column
    labelled: bool = False  # the labeler proposed its role as a label


@dataclass
class Line:
    segs: list[Seg]
    align: str = "left"  # left | center
    indent: int = 0


@dataclass(slots=True)
class Word:
    """One OCR word and everything the generator knows about it."""

    line_id: int
    word_id: int
    text: str
    role: str | None
    key: str | None = None
    cue: str | None = None
    value: Decimal | None = None
    family: str = "text"
    also: frozenset[str] = frozenset()
    labelled: bool = False
    box: dict[str, float] | None = field(default=None, repr=False)
    pos: tuple[int, int] = (0, 0)  # (line_id, word_id), set by `layout`


_NONE: frozenset[str] = frozenset()
FAMILIES: dict[str, str] = {
    "MERCHANT_NAME": "name",
    "PRODUCT_NAME": "name",
    "ADDRESS_LINE": "place",
    "PHONE_NUMBER": "contact",
    "WEBSITE": "contact",
    "STORE_HOURS": "contact",
    "LOYALTY_ID": "contact",
    "DATE": "when",
    "TIME": "when",
    "PAYMENT_METHOD": "payment",
    "QUANTITY": "count",
    **{label: "money" for label in AMOUNT_LABELS},
}


_DIGITS = frozenset("0123456789")


def _split(seg: Seg, into: list[tuple[str, Seg, bool]]) -> None:
    """Words of a segment and whether each carries the segment's role. Amounts: only the word with digits
    (`RM 12.50` -> `RM` is the currency, not the amount)."""
    money = seg.value is not None or seg.role in AMOUNT_LABELS
    for w in seg.text.split():
        into.append((w, seg, not money or not _DIGITS.isdisjoint(w)))


def _family(seg: Seg, carries: bool) -> str:
    if carries and seg.role:
        return FAMILIES.get(seg.role, "text")
    if carries and seg.family:
        return seg.family
    return "text"


def layout(lines: list[Line], rng: random.Random, *, boxes: bool) -> list[Word]:
    """Numbers lines and words from the top, 1-based, and (with `boxes`) places them on a 0..1 page,
    origin bottom-left, so the top line has the largest y and words of a line share y."""
    width_chars = rng.randint(32, 46)
    margin = rng.uniform(0.03, 0.09)
    char_w = (1 - 2 * margin) / width_chars
    spacing = min(0.034, 0.94 / max(len(lines), 1))
    top = rng.uniform(0.965, 0.985)
    words: list[Word] = []
    height = round(0.7 * spacing, 4)
    for index, line in enumerate(lines):
        line_id = index + 1
        y = max(round(top - (index + 1) * spacing + 0.15 * spacing, 4), 0.0)
        for word_id, (col, text, seg, carries) in enumerate(_columns(line, width_chars), start=1):
            box = None
            if boxes:
                x = min(margin + col * char_w, 0.99)
                w = max(min(len(text) * char_w, 0.995 - x), 0.001)
                box = {"x": round(x, 4), "y": y, "width": round(w, 4), "height": height}
            role = seg.role if carries else None
            words.append(
                Word(
                    line_id,
                    word_id,
                    text,
                    role,
                    seg.key if carries else None,
                    seg.cue,
                    seg.value if carries else None,
                    _family(seg, carries),
                    seg.also if carries else _NONE,
                    seg.labelled and role is not None,
                    box,
                    (line_id, word_id),
                )
            )
    return words


def _columns(line: Line, width: int) -> list[tuple[int, str, Seg, bool]]:
    """Character column of every word: left part flows from the margin, right part ends at the right edge."""
    left: list[tuple[str, Seg, bool]] = []
    right: list[tuple[str, Seg, bool]] = []
    for seg in line.segs:
        _split(seg, right if seg.right else left)
    out: list[tuple[int, str, Seg, bool]] = []
    left_len = sum(len(w) + 1 for w, _, _ in left) - 1
    col = max((width - left_len) // 2, 0) if line.align == "center" else line.indent
    for text, seg, carries in left:
        out.append((col, text, seg, carries))
        col += len(text) + 1
    if right:
        right_len = sum(len(w) + 1 for w, _, _ in right) - 1
        col = max(width - right_len, col + 2 if left else 0)
        for text, seg, carries in right:
            out.append((col, text, seg, carries))
            col += len(text) + 1
    return out
