"""Dates and times in the formats receipts print, with plausibility, and DATE / TIME claims."""

from __future__ import annotations

import pytest

from domain.checks.reading.dates import parse_date, parse_time
from tests.fakes.receipts import make_context
from tests.unit.checks.decide import decide


@pytest.mark.parametrize(
    "text",
    [
        "15/01/2019",
        "01-15-19",
        "2019.01.15",
        "2019-01-15",
        "1/5/2019",
        "JAN 15 2019",
        "Jan 15, 2019",
        "15 Jan 2019",
        "15-JAN-19",
        "12/01",
        "29/02/2020",
    ],
)
def test_reads_dates(text: str) -> None:
    assert parse_date(text)


@pytest.mark.parametrize(
    "text",
    [
        "13/13/2019",
        "2019.13.15",
        "01/15/1875",
        "01/15/2150",
        "32/01/2019",
        "29/02/2019",
        "12.40",
        "805-555-0100",
        "JAN",
        "2019",
        "15:42",
        "ABC",
    ],
)
def test_rejects_impossible_or_non_dates(text: str) -> None:
    assert not parse_date(text)


@pytest.mark.parametrize("text", ["15:42", "3:42PM", "3:42 PM", "15:42:07", "03:42 p.m.", "0:05"])
def test_reads_times(text: str) -> None:
    assert parse_time(text)


@pytest.mark.parametrize("text", ["25:00", "15:60", "13:42PM", "12.40", "1542", "15/01/2019", "8AM"])
def test_rejects_impossible_or_non_times(text: str) -> None:
    assert not parse_time(text)


RECEIPT = [
    "CORNER STORE",
    "JAN 15 2019 3:42 PM",
    "15/01/2019 15:42:07",
    "COFFEE 2.50",
    "TOTAL 2.50",
    "REG 2 TRANS 0042",
]


@pytest.mark.parametrize(
    ("text", "label", "expected"),
    [
        ("JAN", "DATE", "VALID"),  # a date split into words counts for each word
        ("15", "DATE", "VALID"),
        ("2019", "DATE", "VALID"),
        ("3:42", "TIME", "VALID"),
        ("PM", "TIME", "VALID"),
        ("15/01/2019", "DATE", "VALID"),
        ("15:42:07", "TIME", "VALID"),
        ("15/01/2019", "TIME", "INVALID"),
        ("15:42:07", "DATE", "INVALID"),
        ("COFFEE", "DATE", "INVALID"),
        ("2.50", "TIME", "INVALID"),
        ("CORNER", "TIME", "INVALID"),
    ],
)
def test_date_time_claims(text: str, label: str, expected: str | None) -> None:
    assert decide(make_context(RECEIPT), text, label) == expected


def test_a_bare_number_away_from_any_date_is_not_decided_valid() -> None:
    assert decide(make_context(RECEIPT), "0042", "DATE") != "VALID"
