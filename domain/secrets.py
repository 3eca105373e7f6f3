"""Secrets (the Ollama Cloud key, the Google Places key, the LangSmith key when tracing): from SSM Parameter Store
when a `*_PARAM` variable names a parameter, else from plain environment variables.

In AWS a function's environment holds only parameter names (infra/functions.py); values are read at run time through
powertools parameters, decrypted and cached for SECRET_MAX_AGE_S, so a warm container does not call SSM on every
invocation. On a laptop the plain variables are used. Every door (stream, sweepers, CLI) reads them through
`domain/wiring.py`, which calls this module once per process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

SECRET_MAX_AGE_S = 300


@dataclass(frozen=True)
class Secret:
    variables: tuple[str, ...]  # plain variables, first one is the canonical name
    parameter_variable: str  # names the SSM parameter that holds the value


OLLAMA_API_KEY = Secret(("OLLAMA_API_KEY",), "OLLAMA_API_KEY_PARAM")
PLACES_API_KEY = Secret(("GOOGLE_PLACES_API_KEY", "PLACES_API_KEY"), "PLACES_API_KEY_PARAM")
LANGSMITH_API_KEY = Secret(("LANGSMITH_API_KEY",), "LANGSMITH_API_KEY_PARAM")  # read only when tracing is on
SECRETS = (OLLAMA_API_KEY, PLACES_API_KEY)


def read_secret(secret: Secret, env: Mapping[str, str] | None = None) -> str | None:
    """The value: the SSM parameter named by `secret.parameter_variable` if set, else the first plain variable set."""
    env = os.environ if env is None else env
    parameter_name = env.get(secret.parameter_variable)
    if parameter_name:
        from aws_lambda_powertools.utilities import parameters

        value = parameters.get_parameter(parameter_name, decrypt=True, max_age=SECRET_MAX_AGE_S)
        return str(value) if value else None
    return next((env[name] for name in secret.variables if env.get(name)), None)


def environment_with_secrets(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with secret values filled in under their canonical names, for settings readers."""
    filled = dict(os.environ if env is None else env)
    for secret in SECRETS:
        value = read_secret(secret, filled)
        if value:
            filled[secret.variables[0]] = value
    return filled
