"""Fail fast on a dead LLM server: a check before the first call, and a circuit breaker on connection failures.

Without it, a closed port cost every receipt a full round of retries with backoff, minutes per run. Now the first call
of a process first checks the server (`/api/version`) and the model (`/api/show`) with a short timeout; a failure, or a
few consecutive connection failures later on, opens the circuit: no request is attempted for a cool-down, every call
fails at once as `unreachable` (errors never decide: the labels stay PENDING), and the outage is logged once, as
`Ollama unreachable at <host>: <reason>` (the host without credentials; the key is never shown). After the cool-down
the next call checks the server again (half-open).

Doors ask `outage_since(start)` at the end of a run to say the line once and set their exit status; the Lambdas emit
the `LLMUnreachable` metric from it.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

import httpx

log = logging.getLogger(__name__)

_circuits: weakref.WeakSet[Circuit] = weakref.WeakSet()
_registry_lock = threading.Lock()


@dataclass(frozen=True)
class Outage:
    host: str
    reason: str
    opened_at: float  # time.monotonic()

    @property
    def line(self) -> str:
        return f"Ollama unreachable at {self.host}: {self.reason}"


def _reason(exc: BaseException) -> str:
    """A short, secret-free reason for a transport failure (httpx messages name errno and text, never headers)."""
    if isinstance(exc, httpx.TimeoutException):
        return f"no answer within the timeout ({type(exc).__name__})"
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def probe(host: str, model: str, headers: dict[str, str], timeout_s: float) -> str | None:
    """Checks the server and the model; returns why they cannot be used, or None when they can (or when the server
    answers in a way that does not say, e.g. a 5xx, which the normal retries handle)."""
    try:
        with httpx.Client(base_url=host, headers=headers, timeout=timeout_s) as client:
            version = client.get("/api/version")
            if version.status_code == 404:  # some Ollama-compatible servers have no /api/version
                version = client.get("/api/tags")
            if version.status_code in (401, 403):
                return f"HTTP {version.status_code} from the server (is OLLAMA_API_KEY right?)"
            shown = client.post("/api/show", json={"model": model})
            if shown.status_code == 404:
                return f"model {model!r} is not available there (HTTP 404 from /api/show)"
            if shown.status_code in (401, 403):
                return f"HTTP {shown.status_code} from /api/show (is OLLAMA_API_KEY right?)"
    except (httpx.TransportError, OSError) as exc:
        return _reason(exc)
    return None


class Circuit:
    """One server's breaker: closed (calls go), open (calls fail at once until the cool-down ends), half-open."""

    def __init__(
        self,
        host: str,
        check: Callable[[], str | None],
        *,
        failures_to_open: int = 3,
        cooldown_s: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self._check = check
        self._failures_to_open = failures_to_open
        self._cooldown_s = cooldown_s
        self._clock = clock
        self._lock = threading.Lock()
        self._checked = False
        self._failures = 0
        self._open_until: float | None = None
        self.outages: list[Outage] = []
        with _registry_lock:
            _circuits.add(self)

    def allow(self) -> Outage | None:
        """None when a call may go now; else the outage that forbids it. The first call (and the first after a
        cool-down) checks the server first; concurrent callers wait for that check."""
        with self._lock:
            now = self._clock()
            if self._open_until is not None:
                if now < self._open_until:
                    return self.outages[-1]
                self._checked = False  # half-open: check again
            if not self._checked:
                reason = self._check()
                self._checked = True
                if reason is not None:
                    return self._open(reason)
                self._open_until = None
                self._failures = 0
            return None

    def is_open(self) -> bool:
        with self._lock:
            return self._open_until is not None and self._clock() < self._open_until

    def succeeded(self) -> None:
        with self._lock:
            self._failures = 0

    def failed(self, exc: BaseException) -> Outage | None:
        """Counts a connection failure; returns the outage if this one opened the circuit."""
        with self._lock:
            self._failures += 1
            if self._failures >= self._failures_to_open and self._open_until is None:
                return self._open(f"{self._failures} consecutive connection failures, last: {_reason(exc)}")
            return None

    def _open(self, reason: str) -> Outage:
        outage = Outage(self.host, reason, self._clock())
        self._open_until = outage.opened_at + self._cooldown_s
        self.outages.append(outage)
        log.warning(outage.line, extra={"host": self.host, "cooldown_s": self._cooldown_s})
        return outage


def outage_since(start: float, *, still_open: bool = False) -> Outage | None:
    """The first outage any live circuit of this process opened at or after `start` (time.monotonic()); with
    `still_open`, else the outage of a circuit still open now (a warm Lambda container in its cool-down)."""
    with _registry_lock:
        circuits = list(_circuits)
    found = [o for c in circuits for o in c.outages if o.opened_at >= start]
    if found:
        return min(found, key=lambda o: o.opened_at)
    if still_open:
        current = [c.outages[-1] for c in circuits if c.is_open()]
        return current[0] if current else None
    return None
