"""Saying once that the LLM server is unreachable, and what that means for the command's exit status.

The circuit breaker (domain/cove/circuit.py) logs each opening for Lambda logs; on the command line that log is
silenced (unless -v) and the command prints the one line itself at the end of its run, then exits 1: the labels that
needed the LLM stay PENDING, which is work not done.
"""

from __future__ import annotations

import logging
from typing import Any

from cli.console import err_console
from domain.cove.circuit import Outage, outage_since, probe

UNREACHABLE_KIND = "unreachable:"  # in LLMUnavailable messages of an open circuit (see domain/cove/llm.py)


def quiet_circuit_log(verbose: int) -> None:
    """The command prints the outage line itself; the circuit's own log line would say it a second time."""
    if verbose <= 0:
        logging.getLogger("domain.cove.circuit").setLevel(logging.ERROR)


def say_outage(start: float) -> Outage | None:
    """Prints `Ollama unreachable at <host>: <reason>` once if any circuit opened since `start`; returns it."""
    outage = outage_since(start)
    if outage is not None:
        err_console().print(outage.line, markup=False, highlight=False, soft_wrap=True)
    return outage


def only_outage(error: str) -> bool:
    """True when a receipt's failure is only the open circuit (already said once, not worth a line per receipt)."""
    parts = [p.strip() for p in error.split(";") if p.strip()]
    return bool(parts) and all(UNREACHABLE_KIND in p for p in parts)


def check_server(llm: Any) -> str | None:
    """The outage line for `llm` (LLMSettings) checked now, or None when its server and model answer."""
    headers = {"Authorization": f"Bearer {llm.api_key.get_secret_value()}"} if llm.api_key is not None else {}
    reason = probe(llm.host, llm.model, headers, llm.preflight_timeout_s)
    return None if reason is None else f"Ollama unreachable at {llm.display_host}: {reason}"
