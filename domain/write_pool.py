"""Overlapping verdict writes: one bounded thread pool per process for the conditional UpdateItems of a receipt.

Writes dominate a receipt's time (one round trip per label, ~40 ms each on DynamoDB Local, more on AWS across AZs), and
each verdict is its own conditional UpdateItem so a lost race stays per label and costs one write unit. Overlapping
them keeps both properties and divides the wall time by up to the bound. The bound is per process, shared by every
receipt in flight (sweep workers, stream batches), so a busy sweep never opens more than `max_workers` writes at once.
boto3 clients are thread-safe; the repository's client keeps enough pooled connections for this bound
(domain/store/repository.py).

`VALIDATOR_WRITE_CONCURRENCY` sets the bound (default 8; 1 writes one after another, in the caller's thread). The
default is for the Lambdas, whose server is DynamoDB across the network: overlap hides round trips there (bench/
stream.py's simulated-latency run). Where the server runs on our own CPU, in this very process (the embedded demo on
moto), there is nothing to hide and threads only add contention: `bound(1)` sets that for a block (cli/demo_command).
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_WRITE_CONCURRENCY = 8
ENV_WRITE_CONCURRENCY = "VALIDATOR_WRITE_CONCURRENCY"


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What one call gave: its value, or the exception it raised (never both)."""

    value: T | None = None
    error: BaseException | None = None


_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_size = 0


def concurrency() -> int:
    """The process's bound on writes in flight, from the environment (at least 1)."""
    try:
        return max(1, int(os.environ.get(ENV_WRITE_CONCURRENCY, DEFAULT_WRITE_CONCURRENCY)))
    except ValueError:
        return DEFAULT_WRITE_CONCURRENCY


@contextlib.contextmanager
def bound(size: int, *, unless_set: bool = False) -> Iterator[int]:
    """The process's bound is `size` for the block (with `unless_set`, only if the environment does not set one)."""
    saved = os.environ.get(ENV_WRITE_CONCURRENCY)
    if not (unless_set and saved is not None):
        os.environ[ENV_WRITE_CONCURRENCY] = str(size)
    try:
        yield concurrency()
    finally:
        if saved is None:
            os.environ.pop(ENV_WRITE_CONCURRENCY, None)
        else:
            os.environ[ENV_WRITE_CONCURRENCY] = saved


def _executor(size: int) -> ThreadPoolExecutor:
    """The shared pool, rebuilt only when the configured bound changes (benchmarks compare bounds in one run)."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != size:
            old = _pool
            _pool, _pool_size = ThreadPoolExecutor(max_workers=size, thread_name_prefix="verdict-write"), size
            if old is not None:
                old.shutdown(wait=False)
        return _pool


def run_all(calls: Sequence[Callable[[], T]]) -> list[Outcome[T]]:
    """Runs every call and returns their outcomes in the order given; no call's failure stops the others.

    With a bound of 1, or a single call, the calls run in the caller's thread, one after another.
    """
    size = concurrency()
    if size == 1 or len(calls) <= 1:
        return [_outcome(call) for call in calls]
    futures = [_executor(size).submit(_outcome, call) for call in calls]
    return [future.result() for future in futures]


def _outcome(call: Callable[[], T]) -> Outcome[T]:
    try:
        return Outcome(value=call())
    except Exception as exc:  # reported per call; the caller decides what a failed write means
        return Outcome(error=exc)
