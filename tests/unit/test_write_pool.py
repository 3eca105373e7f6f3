"""The process's bounded pool for verdict writes (domain/write_pool.py): order, isolation of failures, real overlap."""

from __future__ import annotations

import os
import threading

import pytest

from domain import write_pool


@pytest.fixture
def bound(monkeypatch):
    def set_bound(n: int) -> None:
        monkeypatch.setenv(write_pool.ENV_WRITE_CONCURRENCY, str(n))

    return set_bound


def test_outcomes_come_back_in_the_order_given_and_a_failure_stays_its_own(bound) -> None:
    bound(4)

    def boom() -> int:
        raise RuntimeError("throttled")

    outcomes = write_pool.run_all([lambda: 1, boom, lambda: 3])

    assert [o.value for o in outcomes] == [1, None, 3]
    assert outcomes[0].error is None and isinstance(outcomes[1].error, RuntimeError) and outcomes[2].error is None


def test_calls_overlap_up_to_the_bound(bound) -> None:
    """Four calls that each wait for all four to be running at once: only possible if they overlap."""
    bound(4)
    barrier = threading.Barrier(4, timeout=10)

    outcomes = write_pool.run_all([barrier.wait for _ in range(4)])

    assert all(o.error is None for o in outcomes)
    assert sorted(o.value for o in outcomes) == [0, 1, 2, 3]


def test_never_more_in_flight_than_the_bound(bound) -> None:
    bound(3)
    lock, running, peak = threading.Lock(), [0], [0]
    release = threading.Event()

    def call() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        release.wait(0.05)
        with lock:
            running[0] -= 1

    write_pool.run_all([call] * 12)

    assert peak[0] == 3


def test_a_bound_of_one_writes_in_the_callers_thread_one_after_another(bound) -> None:
    bound(1)
    me = threading.get_ident()
    outcomes = write_pool.run_all([threading.get_ident, threading.get_ident])
    assert [o.value for o in outcomes] == [me, me]


@pytest.mark.parametrize(("raw", "expected"), [("0", 1), ("-3", 1), ("x", write_pool.DEFAULT_WRITE_CONCURRENCY)])
def test_a_bad_bound_falls_back_to_something_sane(monkeypatch, raw, expected) -> None:
    monkeypatch.setenv(write_pool.ENV_WRITE_CONCURRENCY, raw)
    assert write_pool.concurrency() == expected


def test_a_bound_for_a_block_is_restored_after_it_and_yields_to_the_environment_when_asked(monkeypatch) -> None:
    monkeypatch.delenv(write_pool.ENV_WRITE_CONCURRENCY, raising=False)
    with write_pool.bound(1) as size:
        assert size == write_pool.concurrency() == 1
    assert write_pool.ENV_WRITE_CONCURRENCY not in os.environ
    monkeypatch.setenv(write_pool.ENV_WRITE_CONCURRENCY, "4")
    with write_pool.bound(1, unless_set=True) as size:
        assert size == 4  # the person's setting wins over the demo's default
    with write_pool.bound(2) as size:
        assert size == 2
    assert write_pool.concurrency() == 4
