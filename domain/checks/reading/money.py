"""Money amounts as receipts print them: `12.40`, `$12.40`, `RM12.40`, `12,40 €`, `1,234.56`, `(3.00)`, `4.98 X`.

A pure parser: text in, cents out. It knows nothing about labels or evidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
    # `RS8`, `RM5` are postcodes and codes far more often than amounts: a letter code needs the decimals.
    letters_prefix = explicit and text.strip().lstrip("-−(").upper()[:1].isalpha()
    cents = _cents(s, explicit, letters_prefix)
    if cents is None:
        return None
    return Amount(cents=-cents if negative else cents, explicit=explicit)


def _cents(s: str, explicit: bool, letters_prefix: bool = False) -> int | None:
    m = _DECIMAL.match(s)
    if m:
        group = m.group("group")
        if group and group == m.group("sep"):
            return None  # `1.234.56`: a code, not an amount
        integer = re.sub(r"[,.\s']", "", m.group("int"))
        return int(integer) * 100 + int(m.group("dec"))
    if explicit and _INTEGER.match(s) and not letters_prefix:
        return int(s.replace(",", "")) * 100
    return None


def fmt(cents: int) -> str:
    return Amount(cents).text


# Fuel and weighed goods price per unit with three decimals: `1.885`, `$ 4.779/GAL`, `2,11/kg`.
PRICE_PER_UNIT = re.compile(r"^[$€£]?\d{1,4}[.,]\d{2,3}(?:/[A-Z]{1,4})?$", re.IGNORECASE)
# 63.255 litres, 1,250 kg: measured, not priced.
MEASURE = re.compile(r"^\d{1,4}[.,]\d{3}$")
# A currency sign or code printed as a word of its own (`RM 12.40`, `$ 3.00`), or punctuation.
CURRENCY_OR_PUNCT = re.compile(r"[$€£¥₹]|USD|EUR|GBP|CAD|AUD|MYR|SGD|INR|CHF|JPY|RM|[-:=*#.]+", re.IGNORECASE)


@dataclass(frozen=True)
class AmountAt:
    """An amount printed on the receipt, where it is."""

    key: WordKey
    row: int
    cents: int
