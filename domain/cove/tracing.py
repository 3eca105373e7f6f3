"""Optional LangSmith tracing of the CoVe graph: off unless LANGSMITH_TRACING is true.

LangGraph and langchain-core trace through the `langsmith` package (already a dependency of langchain-core), which
reads its configuration from the environment: LANGSMITH_TRACING, LANGSMITH_API_KEY, LANGSMITH_ENDPOINT,
LANGSMITH_PROJECT, LANGSMITH_HIDE_INPUTS, LANGSMITH_HIDE_OUTPUTS. A trace holds each graph step's inputs and outputs,
and so the prompts: receipt text goes to LangSmith unless LANGSMITH_HIDE_INPUTS (and _OUTPUTS) are true.

In Lambda the key is not in the environment: LANGSMITH_API_KEY_PARAM names an SSM parameter (domain/secrets.py), read
once here and handed to langsmith through the process environment. Tracing on without any key is turned off, with one
warning, rather than failing every upload.
"""

from __future__ import annotations

import logging
import os
from collections.abc import MutableMapping

from domain.secrets import LANGSMITH_API_KEY, read_secret

log = logging.getLogger(__name__)

TRUE = {"true", "1", "yes"}


def tracing_requested(env: MutableMapping[str, str]) -> bool:
    return (env.get("LANGSMITH_TRACING") or env.get("LANGCHAIN_TRACING_V2") or "").strip().lower() in TRUE


def configure_tracing(env: MutableMapping[str, str] | None = None) -> bool:
    """Whether CoVe runs are traced in this process; fills LANGSMITH_API_KEY from SSM when a parameter is named."""
    env = os.environ if env is None else env
    if not tracing_requested(env):
        return False
    key = env.get("LANGSMITH_API_KEY") or read_secret(LANGSMITH_API_KEY, env)
    if not key:
        log.warning("LANGSMITH_TRACING is on but no key was found (LANGSMITH_API_KEY or LANGSMITH_API_KEY_PARAM): off")
        env["LANGSMITH_TRACING"] = "false"
        env.pop("LANGCHAIN_TRACING_V2", None)
        return False
    env["LANGSMITH_API_KEY"] = key
    return True


def flush_traces() -> None:
    """Waits until the runs traced so far are sent: a Lambda may be frozen as soon as it returns."""
    from langchain_core.tracers.langchain import wait_for_all_tracers

    wait_for_all_tracers()
