"""What the sweeps need besides the table: the verifier (rules + CoVe) and, for metadata, a Places client.

Both are built once per process. In AWS the function's environment names SSM parameters (`*_PARAM`) rather than
holding secrets; their values are read here through powertools parameters (decrypted, cached). Locally the plain
variables are used: OLLAMA_API_KEY, and GOOGLE_PLACES_API_KEY (or PLACES_API_KEY, the stream side's name).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

SECRET_MAX_AGE_S = 300
PLACES_KEY_VARIABLES = ("GOOGLE_PLACES_API_KEY", "PLACES_API_KEY")
PLACES_KEY_PARAM = "PLACES_API_KEY_PARAM"
OLLAMA_KEY_PARAM = "OLLAMA_API_KEY_PARAM"


@dataclass(frozen=True)
class SweepDependencies:
    """Injected into a sweep's `build`; None means the service's default (verifier) or no Places."""

    verifier: Any | None = None
    places: Any | None = None


def _ssm(parameter_name: str) -> str | None:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_parameter(parameter_name, decrypt=True, max_age=SECRET_MAX_AGE_S)
    return str(value) if value else None


def places_api_key(env: Mapping[str, str] | None = None) -> str | None:
    """The Places key: the SSM parameter named by PLACES_API_KEY_PARAM, else a local variable, else None."""
    env = os.environ if env is None else env
    if env.get(PLACES_KEY_PARAM):
        return _ssm(env[PLACES_KEY_PARAM])
    return next((env[name] for name in PLACES_KEY_VARIABLES if env.get(name)), None)


def places_client(env: Mapping[str, str] | None = None) -> Any | None:
    """A Places client only when a key is configured; without one, metadata is checked against the receipt only."""
    key = places_api_key(env)
    if not key:
        return None
    from domain.places import GooglePlacesClient

    return GooglePlacesClient(key)


def build_verifier(env: Mapping[str, str] | None = None, *, llm: str | None = None, model: str | None = None) -> Any:
    """The verifier from the environment, with the Ollama key read from SSM when OLLAMA_API_KEY_PARAM names it."""
    from domain.cove.settings import LLMSettings
    from domain.service import build_verifier as service_build_verifier

    env = dict(os.environ if env is None else env)
    if env.get(OLLAMA_KEY_PARAM) and not env.get("OLLAMA_API_KEY"):
        key = _ssm(env[OLLAMA_KEY_PARAM])
        if key:
            env["OLLAMA_API_KEY"] = key
    return service_build_verifier(LLMSettings.from_env(env, llm=llm, model=model))
