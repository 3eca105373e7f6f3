"""What code can know about one receipt, computed once: rows, regions, arithmetic, and where dates, phones, web
addresses, opening hours and the store's name and address are printed.

`analyze` memoizes per context object, so verifying 60 labels of a receipt parses it once.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from domain.checks import contacts, dates_times, layout, metadata
from domain.checks.amounts import Arithmetic, multiply_out, parse_amount, solve
from domain.checks.layout import Regions, Row
from domain.model import ReceiptContext, ReceiptMetadata, ReceiptWord

WordKey = tuple[int, int]


@dataclass
class ReceiptFacts:
    rows: list[Row]
    regions: Regions
    arithmetic: Arithmetic
    row_index: dict[WordKey, int]
    words: dict[WordKey, ReceiptWord] = field(default_factory=dict)
    tender_cents: set[int] = field(default_factory=set)
    largest_lower: int | None = None
    cents_amounts: int = 0  # amounts printed with cents: tells whether this receipt's money has decimals
    dates: set[WordKey] = field(default_factory=set)
    partial_dates: set[WordKey] = field(default_factory=set)  # `12/01`: a date only where a date is expected
    times: set[WordKey] = field(default_factory=set)
    phones: dict[WordKey, str] = field(default_factory=dict)
    webs: set[WordKey] = field(default_factory=set)
    hours: set[WordKey] = field(default_factory=set)
    metadata: ReceiptMetadata | None = None
    merchant_name: str = ""
    merchant_tokens: set[str] = field(default_factory=set)
    merchant_joined: str = ""
    merchant_rows: set[int] = field(default_factory=set)
    address_meta_tokens: set[str] = field(default_factory=set)
    address_rows: set[int] = field(default_factory=set)
    metadata_phone: str = ""

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

    @property
    def header_identity_end(self) -> int:
        """The row after the last header line that names the store or the sale (name, address, phone, date...)."""
        last = -1
        for row in self.rows[: self.regions.header_end]:
            keys = {(w.line_id, w.word_id) for w in row.words}
            known = keys & (self.dates | self.times | set(self.phones) | self.webs | self.hours)
            if known or row.index in self.address_rows or row.index in self.merchant_rows:
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
        if row.roles - {"COUNT", "TENDER", layout.ANY_TOTAL}:
            found.add("totals line")
        if any(k in self.dates or k in self.times for k in ((w.line_id, w.word_id) for w in row.words)):
            found.add("date/time line")
        return found

    def identity(self, text: str) -> str | None:
        """What a word unmistakably is on its own, if anything: used to refute claims of another kind."""
        t = text.strip()
        if dates_times.parse_time(t):
            return "a time"
        if dates_times.parse_date(t, partial=False):
            return "a date"
        if contacts.is_phone(t):
            return "a phone number"
        if contacts.is_web(t):
            return "a web address"
        if parse_amount(t) is not None:
            return "a money amount"
        return None


_CACHE: OrderedDict[int, tuple[ReceiptContext, ReceiptFacts]] = OrderedDict()
_CACHE_SIZE = 16


def analyze(context: ReceiptContext) -> ReceiptFacts:
    """The facts of `context`, built once per context object (labels are not read: facts never trust them)."""
    hit = _CACHE.get(id(context))
    if hit is not None and hit[0] is context:
        _CACHE.move_to_end(id(context))
        return hit[1]
    facts = build_facts(context)
    _CACHE[id(context)] = (context, facts)
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return facts


def build_facts(context: ReceiptContext) -> ReceiptFacts:
    rows = layout.build_rows(context)
    regions = layout.find_regions(rows)
    if regions.summary_start is not None:
        for row in rows[: regions.summary_start]:
            # Above the totals, `CHANGE PURSE` or `GREETING CARD` are products, not summary lines.
            row.roles = row.roles & (layout.INLINE_ROLES | {"COUNT"})
        regions = layout.find_regions(rows)
    start = regions.summary_start if regions.summary_start is not None else len(rows) // 2
    arithmetic = Arithmetic()
    multiply_out(rows[: start if regions.summary_start is not None else len(rows)], arithmetic)
    solve(rows, sorted(regions.item_rows), regions.summary_start, arithmetic)
    if arithmetic.subtotal is not None and arithmetic.subtotal.row in regions.item_rows:
        # The items added up to this line: it closes the item block even though its keyword was not known.
        regions = layout.Regions(
            header_end=regions.header_end,
            summary_start=arithmetic.subtotal.row,
            item_rows=frozenset(i for i in regions.item_rows if i < arithmetic.subtotal.row),
        )
        start = arithmetic.subtotal.row
    lower = [
        a for row in rows[start:] if "COUNT" not in row.roles and not (row.roles & {"CHANGE"}) for a in row.amounts
    ]
    facts = ReceiptFacts(
        rows=rows,
        words={(w.line_id, w.word_id): w for w in context.words},
        regions=regions,
        arithmetic=arithmetic,
        row_index={(w.line_id, w.word_id): row.index for row in rows for w in row.words},
    )
    facts.tender_cents = {a.cents for row in rows[start:] if "TENDER" in row.roles for a in row.amounts}
    facts.cents_amounts = sum(len(row.amounts) for row in rows)
    positives = [a.cents for a in lower if a.cents > 0]
    facts.largest_lower = max(positives) if positives else None
    _find_shapes(facts)
    _find_identity(facts, context.metadata)
    return facts


def _plausible_cover(row: Row, patterns: list, ok) -> set[WordKey]:  # type: ignore[type-arg]
    hits: set[WordKey] = set()
    for pattern in patterns:
        for m in pattern.finditer(row.text):
            if ok(m):
                hits |= _words_in(row, m.start(), m.end())
    return hits


def _words_in(row: Row, start: int, end: int) -> set[WordKey]:
    pos, out = 0, set()
    for w in row.words:
        if pos < end and start < pos + len(w.text):
            out.add((w.line_id, w.word_id))
        pos += len(w.text) + 1
    return out


def _find_shapes(facts: ReceiptFacts) -> None:
    for row in facts.rows:
        facts.dates |= _plausible_cover(row, dates_times.DATE_PATTERNS[:-1], dates_times.date_match_ok)
        facts.partial_dates |= _plausible_cover(row, dates_times.DATE_PATTERNS[-1:], dates_times.date_match_ok)
        facts.times |= _plausible_cover(row, [dates_times.TIME_PATTERN], dates_times.time_match_ok)
        facts.webs |= row.covered(contacts.WEB_PATTERN)
        facts.hours |= row.covered(contacts.HOURS_PATTERN)
        for pattern in contacts.PHONE_PATTERNS:
            for m in pattern.finditer(row.text):
                for key in _words_in(row, m.start(), m.end()):
                    facts.phones.setdefault(key, m.group(0))
    # A phone is not a date, an amount is not a phone: the more specific reading wins.
    facts.dates -= set(facts.phones) | facts.webs
    facts.partial_dates -= set(facts.phones) | facts.webs | facts.dates
    facts.times -= facts.hours  # `8:00-21:00` on an opening-hours line is not the time of the sale


def _find_identity(facts: ReceiptFacts, meta: ReceiptMetadata | None) -> None:
    facts.metadata = meta
    for row in facts.rows:
        row.tokens = frozenset(t for t in (metadata.word_token(w.text) for w in row.words) if t)
        row.glued = "".join(metadata.word_token(w.text) for w in row.words)
        row.address_tokens = frozenset(t for t in (metadata.address_token(w.text) for w in row.words) if t)
        if metadata.ADDRESS_PATTERN.search(row.text) and not facts.is_item_row(row.index):
            facts.address_rows.add(row.index)
    if meta is None:
        return
    if meta.merchant_name:
        facts.merchant_name = meta.merchant_name
        facts.merchant_tokens = metadata.name_tokens(meta.merchant_name)
        facts.merchant_joined = "".join(metadata.normalize_name(meta.merchant_name).split())
        for row in facts.rows:
            share = len(facts.merchant_tokens & row.tokens) / max(1, len(facts.merchant_tokens))
            if share >= 0.5 or (len(facts.merchant_joined) > 3 and facts.merchant_joined in row.glued):
                facts.merchant_rows.add(row.index)
    if meta.address:
        facts.address_meta_tokens = metadata.address_tokens(meta.address)
        for row in facts.rows:
            shared = facts.address_meta_tokens & row.address_tokens
            if len(shared) >= 2 and any(t.isdigit() for t in shared) and not facts.is_item_row(row.index):
                facts.address_rows.add(row.index)
    if meta.phone_number:
        facts.metadata_phone = contacts.phone_digits(meta.phone_number)
