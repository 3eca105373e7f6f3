"""The LLM client: ChatOllama with structured output, bounded retries with jitter, the process limiter, typed failure.

Every failure (timeout, 429 after retries, 5xx, connection, malformed or off-schema JSON) surfaces as one exception
type, `LLMUnavailable`, which the graph turns into "no decision". Errors never decide.
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

from domain.cove.limiter import Limiter, shared_limiter
from domain.cove.settings import LLMSettings

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)


class LLMUnavailable(RuntimeError):
    """The LLM gave no usable answer; `kind` is one of timeout, rate_limited, server, connection, malformed, refused."""

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

    def ask(self, schema: type[T], system: str, user: str) -> LLMReply[T]: ...


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
    """ChatOllama behind the limiter, at temperature 0, with `format` set to the answer's JSON schema."""

    def __init__(
        self,
        settings: LLMSettings,
        *,
        limiter: Limiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        from langchain_ollama import ChatOllama

        if not settings.enabled or not settings.host:
            raise ValueError("OllamaLLM needs provider='ollama' and a host")
        self.settings = settings
        self.model = settings.model
        self._limiter = limiter or shared_limiter(settings.max_concurrency, settings.requests_per_second)
        self._sleep = sleep
        headers: dict[str, str] = {}
        if settings.api_key is not None:
            headers["Authorization"] = f"Bearer {settings.api_key.get_secret_value()}"
        self._chat = ChatOllama(
            model=settings.model,
            base_url=settings.host,
            temperature=0,
            client_kwargs={"timeout": settings.timeout_s, "headers": headers},
        )
        self._structured: dict[type[BaseModel], Any] = {}
        self._structured_lock = threading.Lock()

    def _runnable(self, schema: type[BaseModel]) -> Any:
        with self._structured_lock:
            if schema not in self._structured:
                self._structured[schema] = self._chat.with_structured_output(schema, method="json_schema")
            return self._structured[schema]

    def _backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter, capped."""
        ceiling = min(self.settings.backoff_max_s, self.settings.backoff_base_s * (2**attempt))
        return random.uniform(0, ceiling)

    def ask(self, schema: type[T], system: str, user: str) -> LLMReply[T]:
        runnable = self._runnable(schema)
        messages = [SystemMessage(content=system), HumanMessage(content=user)]
        attempts = 0
        while True:
            attempts += 1
            try:
                with self._limiter.slot():
                    value = runnable.invoke(messages)
            except Exception as exc:
                kind, retryable = _classify(exc)
                if kind == "unexpected":
                    log.exception("llm_unexpected_error", extra={"model": self.model})
                if not retryable or attempts > self.settings.max_retries:
                    raise LLMUnavailable(kind, _describe(exc), attempts=attempts) from exc
                delay = self._backoff(attempts - 1)
                log.warning(
                    "llm_retry",
                    extra={"model": self.model, "kind": kind, "attempt": attempts, "delay_s": round(delay, 3)},
                )
                self._sleep(delay)
                continue
            if not isinstance(value, schema):
                raise LLMUnavailable("malformed", f"expected {schema.__name__}", attempts=attempts)
            return LLMReply(value=value, attempts=attempts)


def build_llm(settings: LLMSettings, *, limiter: Limiter | None = None) -> StructuredLLM | None:
    """The configured LLM, or None when the validator runs on rules only."""
    if not settings.enabled:
        return None
    return OllamaLLM(settings, limiter=limiter)
