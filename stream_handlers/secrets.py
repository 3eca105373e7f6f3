"""Secrets of the stream function: from SSM Parameter Store when a `*_PARAM` variable names a parameter, else env.

In AWS the function's environment holds only parameter names (infra/functions.py); the values are read at run time
through powertools parameters, decrypted and cached for `SECRET_MAX_AGE_S`, so a warm container does not call SSM on
every invocation. On a laptop the plain variables (OLLAMA_API_KEY, PLACES_API_KEY) are used.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

SECRET_MAX_AGE_S = 300

OLLAMA_API_KEY = ("OLLAMA_API_KEY", "OLLAMA_API_KEY_PARAM")
PLACES_API_KEY = ("PLACES_API_KEY", "PLACES_API_KEY_PARAM")


def read_secret(names: tuple[str, str], env: Mapping[str, str] | None = None) -> str | None:
    """The secret's value: SSM parameter named by `names[1]` if set, else the variable `names[0]`, else None."""
    env = os.environ if env is None else env
    plain, param = names
    parameter_name = env.get(param)
    if parameter_name:
        from aws_lambda_powertools.utilities import parameters

        return parameters.get_parameter(parameter_name, decrypt=True, max_age=SECRET_MAX_AGE_S) or None
    return env.get(plain) or None


def environment_with_secrets(env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment with secret values filled in, for settings readers that look at plain variables."""
    env = dict(os.environ if env is None else env)
    for names in (OLLAMA_API_KEY, PLACES_API_KEY):
        value = read_secret(names, env)
        if value:
            env[names[0]] = value
    return env
