"""LLM settings from the environment, and the limiter's bounds."""

from __future__ import annotations

import threading
import time

import pytest

from domain.cove.limiter import Limiter
from domain.cove.llm import build_llm
from domain.cove.settings import DEFAULT_LOCAL_HOST, DEFAULT_MODEL, OLLAMA_CLOUD_HOST, LLMSettings


@pytest.mark.parametrize(
    ("env", "provider", "host"),
    [
        ({}, "none", None),
        ({"OLLAMA_HOST": "http://gpu:11434"}, "ollama", "http://gpu:11434"),
        ({"OLLAMA_API_KEY": "k"}, "ollama", OLLAMA_CLOUD_HOST),
        ({"VALIDATOR_LLM": "ollama"}, "ollama", DEFAULT_LOCAL_HOST),
        ({"VALIDATOR_LLM": "none", "OLLAMA_HOST": "http://gpu:11434"}, "none", None),
    ],
)
def test_from_env_chooses_the_provider(env: dict[str, str], provider: str, host: str | None) -> None:
    s = LLMSettings.from_env(env)
    assert s.provider == provider
    assert s.host == host
    assert s.model == DEFAULT_MODEL


def test_from_env_reads_model_key_and_knobs_and_cli_overrides() -> None:
    env = {"OLLAMA_API_KEY": "secret", "OLLAMA_MODEL": "qwen3:8b", "OLLAMA_TIMEOUT_S": "5", "OLLAMA_MAX_RETRIES": "1"}
    s = LLMSettings.from_env(env)
    assert s.model == "qwen3:8b" and s.timeout_s == 5 and s.max_retries == 1
    assert s.api_key is not None and s.api_key.get_secret_value() == "secret"
    assert "secret" not in repr(s)
    assert LLMSettings.from_env(env, llm="none").provider == "none"
    assert LLMSettings.from_env(env, model="llama3.1").model == "llama3.1"
    with pytest.raises(ValueError):
        LLMSettings.from_env({"VALIDATOR_LLM": "openai"})


def test_no_llm_configured_means_no_client() -> None:
    assert build_llm(LLMSettings(provider="none")) is None


def test_limiter_spaces_request_starts_by_the_rate() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)

    limiter = Limiter(4, 2.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        with limiter.slot():
            pass
    assert slept == [pytest.approx(0.5), pytest.approx(1.0)]


def test_limiter_bounds_concurrency_under_threads() -> None:
    limiter = Limiter(3, 10_000.0)
    inside = 0
    peak = 0
    lock = threading.Lock()

    def work() -> None:
        nonlocal inside, peak
        with limiter.slot():
            with lock:
                inside += 1
                peak = max(peak, inside)
            time.sleep(0.01)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert peak <= 3 and limiter.max_in_flight <= 3
