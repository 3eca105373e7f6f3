"""What the sweeps need besides the table: the verifier (rules + CoVe) and, for metadata, a Places client.

Both are built once per process; secrets come from `domain.secrets` (SSM in AWS, plain variables locally).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from domain.secrets import environment_with_secrets, places_client

__all__ = ["SweepDependencies", "build_verifier", "places_client"]


@dataclass(frozen=True)
class SweepDependencies:
    """Injected into a sweep's `build`; None means the service's default (verifier) or no Places."""

    verifier: Any | None = None
    places: Any | None = None


def build_verifier(env: Mapping[str, str] | None = None, *, llm: str | None = None, model: str | None = None) -> Any:
    """The verifier from the environment, with the Ollama key read from SSM when OLLAMA_API_KEY_PARAM names it."""
    from domain.cove.settings import LLMSettings
    from domain.service import build_verifier as service_build_verifier

    return service_build_verifier(LLMSettings.from_env(environment_with_secrets(env), llm=llm, model=model))
