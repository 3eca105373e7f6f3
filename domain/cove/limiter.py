"""One process-wide gate in front of the LLM: bounded concurrency and a request rate.

The graph fans questions out to threads, and a Lambda may verify several receipts at once; every LLM request goes
through the same limiter so the provider sees a bounded load whatever the fan-out.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


class Limiter:
    """At most `max_concurrency` requests in flight, and starts spaced at least 1/`requests_per_second` apart."""

    def __init__(
        self,
        max_concurrency: int,
        requests_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_concurrency < 1 or requests_per_second <= 0:
            raise ValueError("max_concurrency must be >= 1 and requests_per_second > 0")
        self.max_concurrency = max_concurrency
        self.requests_per_second = requests_per_second
        self._slots = threading.BoundedSemaphore(max_concurrency)
        self._lock = threading.Lock()
        self._next_start = 0.0
        self._clock = clock
        self._sleep = sleep
        self._in_flight = 0
        self.max_in_flight = 0

    def _wait_for_rate(self) -> None:
        with self._lock:
            now = self._clock()
            start = max(now, self._next_start)
            self._next_start = start + 1.0 / self.requests_per_second
        if start > now:
            self._sleep(start - now)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Holds one concurrency slot for the duration of a request."""
        with self._slots:
            self._wait_for_rate()
            with self._lock:
                self._in_flight += 1
                self.max_in_flight = max(self.max_in_flight, self._in_flight)
            try:
                yield
            finally:
                with self._lock:
                    self._in_flight -= 1


_shared: Limiter | None = None
_shared_lock = threading.Lock()


def shared_limiter(max_concurrency: int, requests_per_second: float) -> Limiter:
    """The process's one limiter; the first caller's limits win (settings are read once per process)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Limiter(max_concurrency, requests_per_second)
        return _shared
