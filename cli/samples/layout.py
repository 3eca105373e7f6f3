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
    pos: tuple[int, int] = (0, 0)

    def __post_init__(self) -> None:
        self.pos = (self.line_id, self.word_id)


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


def _is_digit_word(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def _split(seg: Seg) -> list[tuple[str, bool]]:
    """Words of a segment and whether each carries the segment's role. Amounts: only the word with digits
    (`RM 12.50` -> `RM` is the currency, not the amount)."""
    words = seg.text.split()
    money = seg.value is not None or seg.role in AMOUNT_LABELS
    return [(w, not money or _is_digit_word(w)) for w in words]


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
    for index, line in enumerate(lines):
        line_id = index + 1
        y = round(top - (index + 1) * spacing + 0.15 * spacing, 4)
        height = round(0.7 * spacing, 4)
        placed = _columns(line, width_chars)
        for word_id, (col, text, seg, carries) in enumerate(placed, start=1):
            box = None
            if boxes:
                x = min(margin + col * char_w, 0.99)
                w = min(len(text) * char_w, 0.995 - x)
                box = {"x": round(x, 4), "y": max(y, 0.0), "width": round(max(w, 0.001), 4), "height": height}
            words.append(
                Word(
                    line_id=line_id,
                    word_id=word_id,
                    text=text,
                    role=seg.role if carries else None,
                    key=seg.key if carries else None,
                    cue=seg.cue,
                    value=seg.value if carries else None,
                    family=_family(seg, carries),
                    also=seg.also if carries else frozenset(),
                    labelled=seg.labelled and carries and seg.role is not None,
                    box=box,
                )
            )
    return words


def _columns(line: Line, width: int) -> list[tuple[int, str, Seg, bool]]:
    """Character column of every word: left part flows from the margin, right part ends at the right edge."""
    left = [(w, seg, c) for seg in line.segs if not seg.right for w, c in _split(seg)]
    right = [(w, seg, c) for seg in line.segs if seg.right for w, c in _split(seg)]
    out: list[tuple[int, str, Seg, bool]] = []
    left_len = sum(len(w) for w, _, _ in left) + max(len(left) - 1, 0)
    col = max((width - left_len) // 2, 0) if line.align == "center" else line.indent
    for text, seg, carries in left:
        out.append((col, text, seg, carries))
        col += len(text) + 1
    right_len = sum(len(w) for w, _, _ in right) + max(len(right) - 1, 0)
    col = max(width - right_len, col + 2 if left else 0)
    for text, seg, carries in right:
        out.append((col, text, seg, carries))
        col += len(text) + 1
    return out
