"""Which 'did it run?' window each schedule gets, within CloudWatch's 7-day evaluation limit."""

from __future__ import annotations

import pytest

from infra.alarms import MAX_EVALUATION_SECONDS, Window, invocation_window
from sweepers.schedules import SCHEDULES

pytestmark = pytest.mark.infra

DAY = 86_400


def test_weekly_sweepers_get_seven_daily_periods() -> None:
    assert invocation_window(SCHEDULES["pending"]) == Window(DAY, 7)
    assert invocation_window(SCHEDULES["metadata"]) == Window(DAY, 7)


def test_quarterly_sweeper_cannot_be_watched_for_silence() -> None:
    assert invocation_window(SCHEDULES["reverify"]) is None


@pytest.mark.parametrize(
    ("expression", "window"),
    [
        ("cron(0 2 * * ? *)", Window(DAY, 2)),
        ("rate(6 hours)", Window(3600, 7)),
        ("rate(1 day)", Window(DAY, 2)),
        ("rate(7 days)", Window(DAY, 7)),
        ("rate(8 days)", None),
        ("cron(0 2 1 * ? *)", None),
    ],
)
def test_windows_always_cover_one_interval(expression: str, window: Window | None) -> None:
    got = invocation_window(expression)
    assert got == window
    if got is not None:
        assert got.seconds <= MAX_EVALUATION_SECONDS


def test_garbage_is_refused() -> None:
    with pytest.raises(ValueError):
        invocation_window("every sunday")
