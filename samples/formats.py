"""How amounts, quantities, dates and times are printed on receipts of different countries and tills.

The renderers and their inverses live together so the generator (and its tests) can read back exactly what it
printed, without borrowing any validator's parsing rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, time
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


@dataclass(frozen=True)
class MoneyStyle:
    """One till's way of printing money: `RM 12.50`, `12,50 €`, `$1,234.56`, `1.00-`."""

    symbol: str = "$"
    placement: str = "prefix"  # none | prefix | prefix_space | suffix_space
    decimal: str = "."
    thousands: str = ","
    negative: str = "minus"  # minus | trailing | parens

    def as_dict(self) -> dict[str, str]:
        return {
            "symbol": self.symbol,
            "placement": self.placement,
            "decimal": self.decimal,
            "thousands": self.thousands,
            "negative": self.negative,
        }

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> MoneyStyle:
        return cls(**data)


def money(value: Decimal | int | float | str) -> Decimal:
    """Rounds to cents the way tills do (half up)."""
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _digits(value: Decimal, style: MoneyStyle, places: int) -> str:
    text = f"{abs(value):.{places}f}"
    whole, _, frac = text.partition(".")
    if style.thousands and len(whole) > 3:
        groups = []
        while len(whole) > 3:
            groups.insert(0, whole[-3:])
            whole = whole[:-3]
        groups.insert(0, whole)
        whole = style.thousands.join(groups)
    return f"{whole}{style.decimal}{frac}" if places else whole


def render_amount(value: Decimal, style: MoneyStyle, *, symbol: bool = False, places: int = 2) -> str:
    """Prints `value`; with `symbol`, the currency is attached as the style places it (may add a separate word)."""
    body = _digits(value, style, places)
    negative = value < 0
    use_symbol = symbol and style.placement != "none" and style.symbol
    if use_symbol and style.placement == "prefix":
        body = f"{style.symbol}{body}"
    if negative:
        if style.negative == "trailing":
            body = f"{body}-"
        elif style.negative == "parens":
            body = f"({body})"
        else:
            body = f"-{body}"
    if use_symbol and style.placement == "prefix_space":
        return f"{style.symbol} {body}"
    if use_symbol and style.placement == "suffix_space":
        return f"{body} {style.symbol}"
    return body


_UNIT_SUFFIX = re.compile(r"/[A-Za-z]+$")


def parse_amount(text: str, style: MoneyStyle) -> Decimal:
    """The inverse of `render_amount` for the word that carries the digits (`$3.459/GAL` included)."""
    body = _UNIT_SUFFIX.sub("", text.strip())
    negative = False
    if body.startswith("(") and body.endswith(")"):
        negative, body = True, body[1:-1]
    if body.endswith("-"):
        negative, body = True, body[:-1]
    if body.startswith("-"):
        negative, body = True, body[1:]
    if style.symbol and body.startswith(style.symbol):
        body = body[len(style.symbol) :]
    if style.thousands:
        body = body.replace(style.thousands, "")
    body = body.replace(style.decimal, ".")
    if not re.fullmatch(r"\d+(\.\d+)?", body):
        raise ValueError(f"{text!r} is not an amount in style {style}")
    value = Decimal(body)
    return -value if negative else value


def render_quantity(value: Decimal, style: MoneyStyle) -> str:
    """Counts print bare (`2`); weights and volumes with the locale's decimal mark (`1,250`)."""
    if value == value.to_integral_value():
        return str(int(value))
    return str(value).replace(".", style.decimal)


def parse_quantity(text: str, style: MoneyStyle) -> Decimal:
    return Decimal(text.replace(style.decimal, "."))


# Date formats by name; each renders one or more words.
DATE_FORMATS: dict[str, str] = {
    "mdy_slash": "{m:02d}/{d:02d}/{Y}",
    "mdy_slash_short": "{m}/{d}/{y:02d}",
    "mdy_dash_short": "{m:02d}-{d:02d}-{y:02d}",
    "dmy_slash": "{d:02d}/{m:02d}/{Y}",
    "dmy_slash_short": "{d:02d}/{m:02d}/{y:02d}",
    "dmy_dash": "{d:02d}-{m:02d}-{Y}",
    "dmy_dot": "{d:02d}.{m:02d}.{Y}",
    "ymd_dot": "{Y}.{m:02d}.{d:02d}",
    "ymd_iso": "{Y}-{m:02d}-{d:02d}",
    "mon_d_y": "{MON} {d} {Y}",
    "mon_d_comma_y": "{Mon} {d}, {Y}",
    "d_mon_y": "{d:02d} {MON} {Y}",
    "d_mon_y_dash": "{d:02d}-{MON}-{y:02d}",
}


def render_date(value: date, fmt: str) -> str:
    mon = MONTHS[value.month - 1]
    return DATE_FORMATS[fmt].format(
        d=value.day, m=value.month, Y=value.year, y=value.year % 100, MON=mon, Mon=mon.title()
    )


TIME_FORMATS = ("h24", "h24_sec", "h12_ampm", "h12_space_ampm", "h12_sec_ampm", "h12_lower")


def render_time(value: time, fmt: str) -> str:
    hour12 = value.hour % 12 or 12
    ampm = "AM" if value.hour < 12 else "PM"
    if fmt == "h24":
        return f"{value.hour:02d}:{value.minute:02d}"
    if fmt == "h24_sec":
        return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"
    if fmt == "h12_ampm":
        return f"{hour12}:{value.minute:02d}{ampm}"
    if fmt == "h12_space_ampm":
        return f"{hour12}:{value.minute:02d} {ampm}"
    if fmt == "h12_sec_ampm":
        return f"{hour12:02d}:{value.minute:02d}:{value.second:02d} {ampm}"
    if fmt == "h12_lower":
        return f"{hour12}:{value.minute:02d}{ampm.lower()}"
    raise ValueError(f"unknown time format {fmt!r}")
