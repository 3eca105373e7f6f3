"""Dates and times as receipts print them: pure parsers, no evidence.

Matching runs over a whole row so a date split into words (`29 JUN 2018`, `JAN 15 2019`, `3:42 PM`) still counts for
each of its words; every match is checked for plausibility (no month 13, no 25 o'clock, years 1990..2100). Month names
come in every shape real receipts print: `02/JAN/2017`, `12Feb'19`, `Jul20'19`, `29-JUN-18`.
"""

from __future__ import annotations

import re
from datetime import date

_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("JAN", "JANUARY"),
            ("FEB", "FEBRUARY"),
            ("MAR", "MARCH"),
            ("APR", "APRIL"),
            ("MAY",),
            ("JUN", "JUNE"),
            ("JUL", "JULY"),
            ("AUG", "AUGUST"),
            ("SEP", "SEPT", "SEPTEMBER"),
            ("OCT", "OCTOBER"),
            ("NOV", "NOVEMBER"),
            ("DEC", "DECEMBER"),
        ]
    )
    for m in names
}
_MON = r"(?P<mon>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_SEP = r"[/\-.]"
DATE_PATTERNS: list[re.Pattern[str]] = [
    # 2019-01-15, 2019.01.15, 2019/01/15
    re.compile(rf"(?<!\d)(?P<y>(?:19|20)\d\d)({_SEP})(?P<a>\d{{1,2}})\2(?P<b>\d{{1,2}})(?!\d)"),
    # 23/03/201608:48: OCR glued the time to the year
    re.compile(rf"(?<![\d.])(?P<a>\d{{1,2}})({_SEP})(?P<b>\d{{1,2}})\2(?P<y>(?:19|20)\d\d)(?=[0-2]?\d:[0-5]\d)"),
    # 15/01/2019, 01-15-19, 1.15.2019
    re.compile(rf"(?<![\d.])(?P<a>\d{{1,2}})({_SEP})(?P<b>\d{{1,2}})\2(?P<y>(?:19|20)?\d\d)(?![\d.])"),
    # JAN 15 2019, Jan 15, 2019, Jul20'19
    re.compile(
        rf"(?<![A-Z]){_MON}[\s\-/]*(?P<d>\d{{1,2}})(?:ST|ND|RD|TH)?,?\s*(?:['’`]\s*(?P<y2>\d\d)|(?P<y>(?:19|20)\d\d))\b",
        re.IGNORECASE,
    ),
    # 15 Jan 2019, 15-JAN-19, 02/JAN/2017, 12Feb'19
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})[\s\-/.]*{_MON}[\s\-/.,'’`]*(?P<y>(?:19|20)?\d\d)\b", re.IGNORECASE),
]
# Day and month without a year: a date only where a date is expected.
PARTIAL_DATE_PATTERNS: list[re.Pattern[str]] = [
    # 12/01 (only with a slash, `12.01` is an amount and `12-01` a code)
    re.compile(r"(?<![\d./\-])(?P<a>\d{1,2})/(?P<b>\d{1,2})(?![\d/.\-])"),
    # JUN 29, 29 JUN
    re.compile(rf"(?<![A-Z]){_MON}[\s\-/]*(?P<d>\d{{1,2}})(?!\d)", re.IGNORECASE),
    re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})[\s\-/]*{_MON}(?![A-Z])", re.IGNORECASE),
]
TIME_PATTERN = re.compile(
    r"(?:(?<![\d:.])|(?<=[A-Z]:)|(?<=[/\-.](?:19|20)\d\d))(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2}))?(?!\d)(?:\s*(?P<ampm>[AP]\.?M\.?)(?![A-Z]))?",
    re.IGNORECASE,
)


def _year(text: str) -> int:
    y = int(text)
    return y + 2000 if y < 100 else y


def _valid(y: int, month: int, d: int) -> bool:
    if not 1990 <= y <= 2100:
        return False
    try:
        date(y, month, d)
    except ValueError:
        return False
    return True


def date_match_ok(m: re.Match[str]) -> bool:
    """Plausibility: a real calendar day in 1990..2100, reading numeric day/month either way round."""
    groups = m.groupdict()
    year = groups.get("y") or groups.get("y2")
    y = _year(year) if year else 2000
    if groups.get("mon"):
        return _valid(y, _MONTHS[groups["mon"].upper().rstrip(".")], int(groups["d"]))
    a, b = int(groups["a"]), int(groups["b"])
    if m.re is DATE_PATTERNS[0]:
        return _valid(y, a, b)
    return _valid(y, a, b) or _valid(y, b, a)


def time_match_ok(m: re.Match[str]) -> bool:
    h, mi = int(m.group("h")), int(m.group("m"))
    s = int(m.group("s") or 0)
    limit = 12 if m.group("ampm") else 23
    return 0 <= h <= limit and mi < 60 and s < 60 and not (m.group("ampm") and h == 0)


def parse_date(text: str, partial: bool = True) -> bool:
    """True when the whole text is one plausible date; `partial` admits a day and month without a year (`12/01`),
    which on its own may also be a fraction or a house number (`SS 2/24`)."""
    t = text.strip()
    patterns = DATE_PATTERNS + PARTIAL_DATE_PATTERNS if partial else DATE_PATTERNS
    return any(m.group(0) == t and date_match_ok(m) for p in patterns for m in [p.fullmatch(t)] if m)


def parse_time(text: str) -> bool:
    """True when the whole text is one plausible time of day."""
    m = TIME_PATTERN.fullmatch(text.strip())
    return bool(m and time_match_ok(m))


# Words that can be a piece of a date or time without being one on their own (`29`, `JUN`, `2018`, `PM`, `/`).
DATE_FRAGMENT = re.compile(r"^(?:\d{1,4}[,.]?|[/\-.:,]|[AP]\.?M\.?|" + _MON + r",?['’]?)$", re.IGNORECASE)
