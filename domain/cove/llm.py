"""The LLM client: ChatOllama with structured output, bounded retries with jitter, the process limiter, typed failure.

Every failure (timeout, 429 after retries, 5xx, connection, an open circuit, a prompt too long for the largest
allowed context, malformed or off-schema JSON) surfaces as one exception type, `LLMUnavailable`, which the graph turns
into "no decision". Errors never decide. Every request carries `num_ctx` sized to its prompt (`sizing.py`); the
server's default context is never relied on. Connection failures go through the circuit breaker (`circuit.py`).
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

import httpx
from langchain_core.exceptions import OutputParserException
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from domain.cove.circuit import Circuit, probe
from domain.cove.deadline import time_for
from domain.cove.limiter import Limiter, shared_limiter
from domain.cove.settings import LLMSettings
from domain.cove.sizing import num_ctx_for, tokens_needed

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


class LLMUnavailable(RuntimeError):
    """The LLM gave no usable answer; `kind` is one of timeout, rate_limited, server, connection, unreachable
    (circuit open), too_long, malformed, refused, deadline (no time left in the invocation)."""

    def __init__(self, kind: str, message: str, *, attempts: int) -> None:
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.attempts = attempts


@dataclass(frozen=True)
class LLMReply(Generic[T]):
    value: T
    attempts: int


class StructuredLLM(Protocol):
    """What the graph needs from an LLM: one structured answer to one prompt."""

    model: str

    def ask(
        self, schema: type[T], system: str, user: str, *, num_ctx: int | None = None, answer_items: int = 1
    ) -> LLMReply[T]: ...


def _classify(exc: BaseException) -> tuple[str, bool]:
    """(kind, retryable) for an exception raised by one attempt."""
    # Imported here so that importing this module does not require the ollama package's import-time work.
    from ollama import ResponseError

    if isinstance(exc, ResponseError):
        code = exc.status_code
        if code == 429:
            return "rate_limited", True
        if code is not None and code >= 500:
            return "server", True
        if code == -1:  # an {"error": ...} line inside a stream
            return "server", True
        return "refused", False
    if isinstance(exc, httpx.ConnectTimeout):  # nothing listens, or the host drops packets: as good as refused
        return "connection", True
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return "timeout", True
    if isinstance(exc, httpx.TransportError | ConnectionError):
        return "connection", True
    if isinstance(exc, OutputParserException | ValidationError | json.JSONDecodeError | ValueError):
        return "malformed", False
    return "unexpected", False


def _describe(exc: BaseException) -> str:
    """What went wrong, without the exception's text: a parser error quotes the model's completion, which may echo
    receipt words, and error messages end up in logs and reports."""
    status = getattr(exc, "status_code", None)
    return f"{type(exc).__name__}" + (f" (HTTP {status})" if isinstance(status, int) and status > 0 else "")


class OllamaLLM:
    """ChatOllama behind the limiter and the circuit, at temperature 0, with `format` set to the answer's JSON schema
    and `num_ctx` set to what the prompt needs."""

    def __init__(
        self,
        settings: LLMSettings,
        *,
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        circuit: Circuit | None = None,
    ) -> None:
        if not settings.enabled or not settings.host:
            raise ValueError("OllamaLLM needs provider='ollama' and a host")
        self.settings = settings
        self.model = settings.model
        self.host = settings.display_host
        self._limiter = limiter or shared_limiter(settings.max_concurrency, settings.requests_per_second)
        self._sleep = sleep
        self._headers: dict[str, str] = {}
        if settings.api_key is not None:
            self._headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        host, model, headers, timeout = settings.host, settings.model, self._headers, settings.preflight_timeout_s
        self.circuit = circuit or Circuit(
            self.host,
            lambda: probe(host, model, headers, timeout),
            failures_to_open=settings.circuit_failures,
            cooldown_s=settings.circuit_cooldown_s,
        )
        self._runnables: dict[tuple[type[BaseModel], int], Any] = {}
        self._runnables_lock = threading.Lock()

    def _runnable(self, schema: type[BaseModel], num_ctx: int) -> Any:
        """One structured runnable per (schema, window); windows are powers of two, so there are few."""
        from langchain_ollama import ChatOllama

        with self._runnables_lock:
            key = (schema, num_ctx)
            if key not in self._runnables:
                chat = ChatOllama(
                    model=self.settings.model,
                    base_url=self.settings.host,
                    temperature=0,
                    num_ctx=num_ctx,
                    client_kwargs={"timeout": self.settings.timeout_s, "headers": self._headers},
                )
                self._runnables[key] = chat.with_structured_output(schema, method="json_schema")
            return self._runnables[key]

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, capped."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * (2**attempt))
        return random.uniform(0, ceiling)

    def window(self, system: str, user: str, answer_items: int = 1) -> int | None:
        """The `num_ctx` this prompt needs, or None when it does not fit the largest allowed window."""
        needed = tokens_needed(system, user, answer_items, self.settings.answer_tokens)
        return num_ctx_for(needed, self.settings.num_ctx_max)

    def ask(
        self, schema: type[T], system: str, user: str, *, num_ctx: int | None = None, answer_items: int = 1
    ) -> LLMReply[T]:
        num_ctx = num_ctx or self.window(system, user, answer_items)
        if num_ctx is None:
            raise LLMUnavailable(
                "too_long", f"prompt needs more than num_ctx_max={self.settings.num_ctx_max} tokens", attempts=0
            )
        runnable = self._runnable(schema, num_ctx)
        messages = [SystemMessage(content=system), HumanMessage(content=user)]
        attempts = 0
        while True:
            outage = self.circuit.allow()
            if outage is not None:
                raise LLMUnavailable("unreachable", f"circuit open for {self.host}", attempts=attempts)
            if not time_for(self.settings.timeout_s):
                raise LLMUnavailable("deadline", "no time left in the invocation for an attempt", attempts=attempts)
            attempts += 1
            try:
                with self._limiter.slot():
                    value = runnable.invoke(messages)
            except Exception as exc:
                kind, retryable = _classify(exc)
                if kind == "connection":
                    if self.circuit.failed(exc) is not None:
                        raise LLMUnavailable("unreachable", f"circuit open for {self.host}", attempts=attempts) from exc
                else:
                    self.circuit.succeeded()  # the server answered, however badly
                if kind == "unexpected":
                    log.exception("llm_unexpected_error", extra={"model": self.model, "host": self.host})
                if not retryable or attempts > self.settings.max_retries:
                    raise LLMUnavailable(kind, _describe(exc), attempts=attempts) from exc
                delay = self._backoff(attempts - 1)
                if not time_for(delay + self.settings.timeout_s):
                    raise LLMUnavailable("deadline", f"{kind}; no time left to retry", attempts=attempts) from exc
                log.warning(
                    "llm_retry host=%s attempt=%d/%d kind=%s delay_s=%.2f",
                    self.host,
                    attempts,
                    self.settings.max_retries + 1,
                    kind,
                    delay,
                    extra={"model": self.model, "host": self.host, "kind": kind, "attempt": attempts},
                )
                self._sleep(delay)
                continue
            self.circuit.succeeded()
            if not isinstance(value, schema):
                raise LLMUnavailable("malformed", f"expected {schema.__name__}", attempts=attempts)
            return LLMReply(value=value, attempts=attempts)


def build_llm(settings: LLMSettings, *, limiter: Limiter | None = None) -> StructuredLLM | None:
    """The configured LLM, or None when the validator runs on rules only."""
    if not settings.enabled:
        return None
    return OllamaLLM(settings, limiter=limiter)
