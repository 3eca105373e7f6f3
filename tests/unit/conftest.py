"""Fixtures for the CoVe engine: the fake Ollama server and verifiers that talk to it through ChatOllama."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.cove.limiter import Limiter
from domain.cove.settings import LLMSettings
from domain.cove.verifier import Verifier, build_verifier
from tests.fakes.checks import StubChecks
from tests.fakes.ollama_server import FakeOllama


def settings_for(fake: FakeOllama, **overrides: object) -> LLMSettings:
    """Fast settings: short timeout, tiny backoff, no rate limit to speak of."""
    base: dict[str, object] = {
        "provider": "ollama",
        "host": fake.url,
        "model": fake.model,
        "timeout_s": 2.0,
        "max_retries": 2,
        "backoff_base_s": 0.01,
        "backoff_max_s": 0.02,
        "max_concurrency": 8,
        "requests_per_second": 1000.0,
    }
    return LLMSettings.model_validate({**base, **overrides})


MakeVerifier = Callable[..., Verifier]


@pytest.fixture
def make_verifier(fake_ollama: FakeOllama) -> MakeVerifier:
    """Builds a verifier on the fake server, with its own limiter (the process limiter stays untouched)."""

    def make(checks: StubChecks | None = None, *, limiter: Limiter | None = None, **overrides: object) -> Verifier:
        checks = checks or StubChecks()
        s = settings_for(fake_ollama, **overrides)
        return build_verifier(
            s,
            limiter=limiter or Limiter(s.max_concurrency, s.requests_per_second),
            evaluate=checks.evaluate,
            rules_decision=checks.rules_decision,
        )

    return make
