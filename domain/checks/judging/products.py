"""PRODUCT_NAME: words on an item line (or the line just above one), not in the header or under the totals."""

from __future__ import annotations

import re

from domain.checks.facts import ReceiptFacts
from domain.checks.judging.evidence import ev
from domain.checks.reading.keywords import ANY_TOTAL, INLINE_ROLES, row_roles
from domain.checks.reading.rows import Row, WordKey
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWord

S, R, U = Answer.SUPPORTS, Answer.REFUTES, Answer.UNKNOWN
FORM, POSITION, KEYWORD, METADATA, ARITH = (
    EvidenceKind.FORM,
    EvidenceKind.POSITION,
    EvidenceKind.KEYWORD,
    EvidenceKind.METADATA,
    EvidenceKind.ARITHMETIC,
)
_NOT_A_NAME = re.compile(
    r"^(?:EA|EACH|LB|LBS|KG|OZ|@|X|[A-Z]|[-*#/.:]+|QTY|NET|WT|T|F|N|TF|TX|SR|ZR|EUR|USD|GBP|RM|MYR|PCS|PC)$",
    re.IGNORECASE,
)


def product_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """A product name is words on an item line; code cannot tell it from a cashier's name on the same line, so the
    item line alone is weak: the word's form (a name, not a unit or a flag) must agree."""
    key = (word.line_id, word.word_id)
    text = word.text.strip()
    q = "Is the word on an item line, where product names are?"
    identity = facts.identity(text)
    if identity:
        return [ev("layout.product", q, R, f"{text!r} is {identity}", FORM, strong=True)]
    row = facts.row_of(key)
    if row is None:
        return []
    own = facts.structures(key) & {"date", "time", "phone", "web", "hours"}
    if own:
        return [ev("layout.product", q, R, f"{text!r} is part of a {'/'.join(sorted(own))}", FORM, strong=True)]
    out: list[Evidence] = []
    below = facts.below_totals_start(row.index) and bool(facts.regions.item_rows)
    if below:
        out.append(ev("layout.product", q, R, "below the totals", POSITION, strong=True))
    by_line = _line_says(facts, key, text, row)
    if by_line is not None:
        return [*out, by_line]
    if not any(c.isalpha() for c in text):
        return [*out, _no_letters(facts, key, text)]
    return _by_place(facts, key, text, row, out, below=below)


def _line_says(facts: ReceiptFacts, key: WordKey, text: str, row: Row) -> Evidence | None:
    """What the word's line alone says: a qualified total, another keyword's line, an address or date/time line."""
    q = "Is the word on an item line, where product names are?"
    if row.roles == {ANY_TOTAL}:
        return ev("layout.product", q, U, "a qualified total line such as `FUEL TOTAL`", KEYWORD)
    if row.roles - INLINE_ROLES - {"COUNT", ANY_TOTAL}:
        return ev("layout.product", q, R, f"on a {'/'.join(sorted(row.roles))} line", KEYWORD, strong=True)
    lines = facts.structures(key) & {"address line", "date/time line"}
    if lines:
        return ev("layout.product", q, R, f"{text!r} is on a {'/'.join(sorted(lines))}", POSITION, strong=True)
    return None


def _no_letters(facts: ReceiptFacts, key: WordKey, text: str) -> Evidence:
    """A word without letters is no name: a code, the item's quantity, or some other number."""
    q = "Is the word a name?"
    digits = sum(c.isdigit() for c in text)
    if digits >= 8 and text.isdigit():
        return ev("layout.product", q, R, f"{text!r} is a code", FORM, strong=True)
    if key in facts.arithmetic.quantities:
        return ev("layout.product", q, R, f"{text!r} is the item's quantity", ARITH)
    return ev("layout.product", q, U, f"{text!r} has no letters", FORM)


def _written_like_a_name(text: str) -> bool:
    letters = sum(c.isalpha() for c in text)
    return (
        letters >= 2
        and letters > sum(c.isdigit() for c in text)
        and "/" not in text
        and not _NOT_A_NAME.match(text)
        and not row_roles(text)  # `DISCOUNT` on `TOTAL DISCOUNT 8.40` is the line's keyword, not a product
    )


def _by_place(
    facts: ReceiptFacts, key: WordKey, text: str, row: Row, out: list[Evidence], *, below: bool
) -> list[Evidence]:
    """Where the line stands: an item line, the line above one, the header, or elsewhere."""
    q = "Is the word on an item line, where product names are?"
    named = _written_like_a_name(text)
    if facts.is_item_row(row.index):
        if row.amounts[-1].cents <= 0:  # `CLUB PRICE 19.96-` under an item is a deduction, not an item
            return [*out, ev("layout.product", q, U, "a deduction line among the items", POSITION)]
        out.append(ev("layout.product", q, S, row.text, POSITION, strong=named and facts.has_summary))
        if named and not row.roles:
            out.append(ev("layout.name", "Is the word written like a name?", S, text, FORM))
        return out
    if below:
        return out
    if facts.is_item_row(row.index + 1) and row.index >= facts.regions.header_end:
        return [ev("layout.product", q, S, "the line above an item line", POSITION)]
    if row.index < facts.regions.header_end:
        top = row.index < facts.header_identity_end  # above the store's name, address or the date: not an item
        detail = "in the header" + (", above the store's name, address or date" if top else "")
        out.append(ev("layout.product", q, R, detail, POSITION, strong=top))
        if row.index in facts.merchant_rows or row.index in facts.address_rows or key in facts.phones:
            detail = "on the store's name, address or phone line"
            out.append(ev("layout.identity", "Is the line about the store?", R, detail, METADATA, strong=True))
        return out
    return [ev("layout.product", q, U, "not on an item line", POSITION)]
