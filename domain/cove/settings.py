"""How the validator reaches its LLM, read once per process from the environment (CONTRACT §4)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, SecretStr

DEFAULT_MODEL = "gpt-oss:20b"
DEFAULT_LOCAL_HOST = "http://localhost:11434"
OLLAMA_CLOUD_HOST = "https://ollama.com"


class LLMSettings(BaseModel):
    """Everything the LLM client and the CoVe graph need to know about the LLM; `provider="none"` means rules only."""

    provider: Literal["none", "ollama"] = "none"
    host: str | None = None
    api_key: SecretStr | None = None
    model: str = DEFAULT_MODEL
    timeout_s: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10, description="retries after the first attempt")
    backoff_base_s: float = Field(default=0.5, ge=0)
    backoff_max_s: float = Field(default=8.0, ge=0)
    max_concurrency: int = Field(default=4, ge=1)
    requests_per_second: float = Field(default=2.0, gt=0)
    confidence_threshold: float = Field(default=0.8, ge=0, le=1, description="LLM-only answers decide above it")
    role_batch_size: int = Field(default=40, ge=1, description="words per 'what is the role' call")
    locate_batch_size: int = Field(default=24, ge=1, description="questions per 'which words' call")
    num_ctx_max: int = Field(default=16384, ge=1024, description="the largest context window a request may ask for")
    answer_tokens: int = Field(default=512, ge=64, description="context kept free for the answer, beyond per-item")
    preflight_timeout_s: float = Field(default=3.0, gt=0, description="checking the server and model before use")
    circuit_failures: int = Field(default=3, ge=1, description="consecutive connection failures that open the circuit")
    circuit_cooldown_s: float = Field(default=30.0, ge=0, description="no calls for this long once the circuit opens")

    @property
    def enabled(self) -> bool:
        return self.provider == "ollama"

    @property
    def display_host(self) -> str:
        """The host as it may be printed and logged: scheme, name and port only (no credentials, path or query)."""
        if not self.host:
            return "(no host)"
        parts = urlsplit(self.host if "://" in self.host else f"http://{self.host}")
        netloc = parts.hostname or ""
        if parts.port:
            netloc = f"{netloc}:{parts.port}"
        return f"{parts.scheme}://{netloc}"

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        *,
        llm: str | None = None,
        model: str | None = None,
    ) -> LLMSettings:
        """Reads VALIDATOR_LLM (auto|none|ollama), OLLAMA_HOST, OLLAMA_API_KEY, OLLAMA_MODEL and tuning knobs
        (OLLAMA_TIMEOUT_S, OLLAMA_MAX_RETRIES, OLLAMA_MAX_CONCURRENCY, OLLAMA_REQUESTS_PER_SECOND, OLLAMA_NUM_CTX_MAX,
        OLLAMA_PREFLIGHT_TIMEOUT_S, OLLAMA_CIRCUIT_COOLDOWN_S).

        `llm` and `model` are the command line's overrides (`--llm`, `--model`).
        """
        env = os.environ if env is None else env
        mode = (llm or env.get("VALIDATOR_LLM") or "auto").strip().lower()
        if mode not in ("auto", "none", "ollama"):
            raise ValueError(f"VALIDATOR_LLM must be auto, none or ollama, got {mode!r}")
        host = env.get("OLLAMA_HOST") or None
        key = env.get("OLLAMA_API_KEY") or None
        if mode == "auto":
            mode = "ollama" if (host or key) else "none"
        if mode == "none":
            return cls(provider="none", model=model or env.get("OLLAMA_MODEL") or DEFAULT_MODEL)
        if host is None:
            host = OLLAMA_CLOUD_HOST if key else DEFAULT_LOCAL_HOST
        knobs: dict[str, str] = {
            name: env[var]
            for name, var in (
                ("timeout_s", "OLLAMA_TIMEOUT_S"),
                ("max_retries", "OLLAMA_MAX_RETRIES"),
                ("max_concurrency", "OLLAMA_MAX_CONCURRENCY"),
                ("requests_per_second", "OLLAMA_REQUESTS_PER_SECOND"),
                ("num_ctx_max", "OLLAMA_NUM_CTX_MAX"),
                ("preflight_timeout_s", "OLLAMA_PREFLIGHT_TIMEOUT_S"),
                ("circuit_cooldown_s", "OLLAMA_CIRCUIT_COOLDOWN_S"),
            )
            if env.get(var)
        }
        return cls.model_validate(
            {
                "provider": "ollama",
                "host": host,
                "api_key": key,
                "model": model or env.get("OLLAMA_MODEL") or DEFAULT_MODEL,
                **knobs,
            }
        )
