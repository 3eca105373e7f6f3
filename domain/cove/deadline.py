"""The invocation's deadline, as seen by the LLM client: no attempt (and no backoff before one) that could end after it.

A Lambda has a hard end; the door that runs the work (the sweep runner) sets the deadline around each receipt with
`deadline_at`, and the LLM client asks `time_for(seconds)` before it sleeps or starts an attempt bounded by its
timeout. A context variable carries it, so it follows the receipt into the graph's worker threads (LangGraph runs
nodes in copied contexts) and never leaks into another invocation's work. Without a deadline everything has time.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("llm_deadline", default=None)


@contextmanager
def deadline_at(monotonic_deadline: float | None) -> Iterator[None]:
    """Work inside the block must end by `monotonic_deadline` (a `time.monotonic()` value); None: no deadline."""
    token = _deadline.set(monotonic_deadline)
    try:
        yield
    finally:
        _deadline.reset(token)


def set_deadline(monotonic_deadline: float | None) -> None:
    """Sets the deadline of the current context; for a context copied for one piece of work (`Context.run`)."""
    _deadline.set(monotonic_deadline)


def time_for(seconds: float) -> bool:
    """True when something that takes up to `seconds` would still end before the deadline."""
    deadline = _deadline.get()
    return deadline is None or time.monotonic() + seconds <= deadline
