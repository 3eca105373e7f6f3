"""What code can know about one receipt, computed once from `reading` only: rows, regions, arithmetic, and where
dates, phones, web addresses, opening hours and the store's name and address are printed.

`build_facts` is called once per receipt by whoever verifies its claims and the result is passed along: there is no
cache, so nothing is shared between threads. Labels are never read: facts never trust them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypedDict

from domain.checks.reading import contacts, dates, names
from domain.checks.reading.arithmetic import Arithmetic, multiply_out, solve
from domain.checks.reading.keywords import ANY_TOTAL, ROUNDING
from domain.checks.reading.money import parse_amount
from domain.checks.reading.rows import Regions, Row, build_rows, settle
from domain.model import ReceiptContext, ReceiptMetadata, ReceiptWord

WordKey = tuple[int, int]


@dataclass(frozen=True)
class ReceiptFacts:
    rows: list[Row]
    regions: Regions
    arithmetic: Arithmetic
    row_index: dict[WordKey, int]
    words: dict[WordKey, ReceiptWord]
    tender_cents: frozenset[int]
    largest_lower: int | None
    cents_amounts: int  # amounts printed with cents: tells whether this receipt's money has decimals
    dates: frozenset[WordKey]
    partial_dates: frozenset[WordKey]  # `12/01`: a date only where a date is expected
    times: frozenset[WordKey]
    phones: dict[WordKey, str]
    webs: frozenset[WordKey]
    hours: frozenset[WordKey]
    address_rows: frozenset[int]
    metadata: ReceiptMetadata | None = None
    merchant_name: str = ""
    merchant_tokens: frozenset[str] = frozenset()
    merchant_joined: str = ""
    merchant_rows: frozenset[int] = frozenset()
    address_meta_tokens: frozenset[str] = frozenset()
    metadata_phone: str = ""
    identities: dict[str, str | None] = field(default_factory=dict)

    @property
    def has_summary(self) -> bool:
        return self.regions.summary_start is not None

    def row_of(self, key: WordKey) -> Row | None:
        i = self.row_index.get(key)
        return None if i is None else self.rows[i]

    def is_item_row(self, index: int) -> bool:
        return index in self.regions.item_rows

    def in_items_block(self, index: int) -> bool:
        """Between the header and the totals: item lines and the lines that continue them."""
        start = self.regions.summary_start
        return bool(self.regions.item_rows) and start is not None and self.regions.header_end <= index < start

    def below_totals_start(self, index: int) -> bool:
        start = self.regions.summary_start
        return start is not None and index >= start

    @property
    def header_identity_end(self) -> int:
        """The row after the last header line that names the store or the sale (name, address, phone, date...)."""
        last = -1
        known_keys = self.dates | self.times | set(self.phones) | self.webs | self.hours
        for row in self.rows[: self.regions.header_end]:
            if set(row.keys) & known_keys or row.index in self.address_rows or row.index in self.merchant_rows:
                last = row.index
        return last + 1

    def structures(self, key: WordKey) -> set[str]:
        """What else the word or its row is known to be: refutes claims of a different kind."""
        row = self.row_of(key)
        found: set[str] = set()
        for name, keys in (("date", self.dates), ("time", self.times), ("web", self.webs), ("hours", self.hours)):
            if key in keys:
                found.add(name)
        if key in self.phones:
            found.add("phone")
        if row is None:
            return found
        if row.index in self.address_rows:
            found.add("address line")
        if self.is_item_row(row.index):
            found.add("item line")
        if "TENDER" in row.roles or any(contacts.MASKED_CARD.match(w.text) for w in row.words):
            found.add("payment line")
        if row.roles - {"COUNT", "TENDER", ANY_TOTAL, ROUNDING}:
            found.add("totals line")
        if any(k in self.dates or k in self.times for k in row.keys):
            found.add("date/time line")
        return found

    def identity(self, text: str) -> str | None:
        """What a word unmistakably is on its own, if anything: used to refute claims of another kind."""
        t = text.strip()
        if t not in self.identities:
            self.identities[t] = identity_of(t)
        return self.identities[t]


def identity_of(text: str) -> str | None:
    if dates.parse_time(text):
        return "a time"
    if dates.parse_date(text, partial=False):
        return "a date"
    if contacts.is_phone(text):
        return "a phone number"
    if contacts.is_web(text):
        return "a web address"
    if parse_amount(text) is not None:
        return "a money amount"
    return None


def build_facts(context: ReceiptContext) -> ReceiptFacts:
    """Reads the receipt once (labels are not read: facts never trust them)."""
    rows, regions = settle(build_rows(context))
    arithmetic = Arithmetic()
    multiply_out(rows[: regions.summary_start if regions.summary_start is not None else len(rows)], arithmetic)
    solve(rows, sorted(regions.item_rows), regions.summary_start, arithmetic)
    proven_subtotal = arithmetic.subtotal or arithmetic.total if arithmetic.item_rows else None
    if proven_subtotal is not None and proven_subtotal.row in regions.item_rows:
        # The items added up to this line: it closes the item block even though its keyword was not known.
        regions = Regions(
            header_end=regions.header_end,
            summary_start=proven_subtotal.row,
            item_rows=frozenset(i for i in regions.item_rows if i < proven_subtotal.row),
        )
    start = regions.summary_start if regions.summary_start is not None else len(rows) // 2
    lower = [a for row in rows[start:] if not (row.roles & {"COUNT", "CHANGE"}) for a in row.amounts]
    positives = [a.cents for a in lower if a.cents > 0]
    shapes = _find_shapes(rows)
    dated = shapes["dates"] | shapes["times"]
    address_rows = {
        r.index
        for r in rows
        if names.ADDRESS_PATTERN.search(r.text) and r.index not in regions.item_rows and not set(r.keys) & dated
    }
    meta = context.metadata
    identity: _Identity = {}
    if meta is not None and meta.merchant_name:
        tokens = frozenset(names.name_tokens(meta.merchant_name))
        joined = "".join(names.normalize_name(meta.merchant_name).split())
        merchant_rows = {
            r.index
            for r in rows
            if len(tokens & r.tokens) / max(1, len(tokens)) >= 0.5 or (len(joined) > 3 and joined in r.glued)
        }
        identity["merchant_name"] = meta.merchant_name
        identity["merchant_tokens"] = tokens
        identity["merchant_joined"] = joined
        identity["merchant_rows"] = frozenset(merchant_rows)
    if meta is not None and meta.address:
        meta_tokens = frozenset(names.address_tokens(meta.address))
        identity["address_meta_tokens"] = meta_tokens
        for r in rows:
            shared = meta_tokens & r.address_tokens
            if len(shared) >= 2 and any(t.isdigit() for t in shared) and r.index not in regions.item_rows:
                address_rows.add(r.index)
    if meta is not None and meta.phone_number:
        identity["metadata_phone"] = contacts.phone_digits(meta.phone_number)
    return ReceiptFacts(
        rows=rows,
        regions=regions,
        arithmetic=arithmetic,
        row_index={key: row.index for row in rows for key in row.keys},
        words={(w.line_id, w.word_id): w for w in context.words},
        tender_cents=frozenset(a.cents for row in rows[start:] if "TENDER" in row.roles for a in row.amounts),
        largest_lower=max(positives) if positives else None,
        cents_amounts=sum(len(row.amounts) for row in rows),
        address_rows=frozenset(address_rows),
        metadata=meta,
        **shapes,
        **identity,
    )


def _plausible_cover(row: Row, patterns: list[re.Pattern[str]], ok: Callable[[re.Match[str]], bool]) -> set[WordKey]:
    hits: set[WordKey] = set()
    for pattern in patterns:
        for m in pattern.finditer(row.text):
            if ok(m):
                hits |= row.words_in(m.start(), m.end())
    return hits


class _Shapes(TypedDict):
    """Where dates, times, web addresses, opening hours and phones are printed (ReceiptFacts' fields of that name)."""

    dates: frozenset[WordKey]
    partial_dates: frozenset[WordKey]
    times: frozenset[WordKey]
    webs: frozenset[WordKey]
    hours: frozenset[WordKey]
    phones: dict[WordKey, str]


class _Identity(TypedDict, total=False):
    """What the metadata says of the store, read against the rows (ReceiptFacts' fields of that name)."""

    merchant_name: str
    merchant_tokens: frozenset[str]
    merchant_joined: str
    merchant_rows: frozenset[int]
    address_meta_tokens: frozenset[str]
    metadata_phone: str


def _find_shapes(rows: list[Row]) -> _Shapes:
    found_dates: set[WordKey] = set()
    partial: set[WordKey] = set()
    times: set[WordKey] = set()
    webs: set[WordKey] = set()
    hours: set[WordKey] = set()
    phones: dict[WordKey, str] = {}
    for row in rows:
        found_dates |= _plausible_cover(row, dates.DATE_PATTERNS, dates.date_match_ok)
        partial |= _plausible_cover(row, dates.PARTIAL_DATE_PATTERNS, dates.date_match_ok)
        times |= _plausible_cover(row, [dates.TIME_PATTERN], dates.time_match_ok)
        webs |= row.covered(contacts.WEB_PATTERN)
        hours |= row.covered(contacts.HOURS_PATTERN)
        for pattern in contacts.PHONE_PATTERNS:
            for m in pattern.finditer(row.text):
                for key in row.words_in(m.start(), m.end()):
                    phones.setdefault(key, m.group(0))
    # A phone is not a date, an amount is not a phone: the more specific reading wins.
    found_dates -= set(phones) | webs
    partial -= set(phones) | webs | found_dates
    times -= hours  # `8:00-21:00` on an opening-hours line is not the time of the sale
    return {
        "dates": frozenset(found_dates),
        "partial_dates": frozenset(partial),
        "times": frozenset(times),
        "webs": frozenset(webs),
        "hours": frozenset(hours),
        "phones": phones,
    }
