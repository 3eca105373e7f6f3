"""The one error contract of every command: any failure becomes one line on stderr and an exit status.

Exit 2 (nothing written): bad usage, bad input, or a configuration that prevents any work — a bad endpoint URL, an
unreachable endpoint, a missing table, no credentials. Exit 1: the work started (`preflight` passed) and then failed.
The line names what failed and where (endpoint or AWS, region, table); `-v` adds the traceback. Broken pipes (the
reader of stdout went away, as `| head` does) end quietly.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

from cli.exit_codes import EXIT_USAGE, EXIT_WORK_FAILED, UsageError

PROG = "receipt-validator"
DUMMY_CREDENTIALS = "export AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local"
# error codes that mean "this configuration cannot work" rather than "this piece of work failed"
CONFIG_ERROR_CODES = {
    "ResourceNotFoundException",
    "ValidationException",  # before any work: a request built from bad input (e.g. a table name DynamoDB refuses)
    "UnrecognizedClientException",
    "InvalidSignatureException",
    "InvalidClientTokenId",
    "AccessDeniedException",
    "ExpiredTokenException",
    "MissingAuthenticationTokenException",
}


class _RunState:
    """Whether the command got past its preflight: after that, a failure is 'work failed' (1), not 'config' (2)."""

    work_started = False


def reset() -> None:
    _RunState.work_started = False


def mark_work_started() -> None:
    _RunState.work_started = True


def describe(exc: BaseException, settings: Any | None) -> tuple[int, str]:
    """(exit status, one line) for any exception that reached the entry point; `settings` says where."""
    started = _RunState.work_started
    where = settings.where() if settings is not None else "AWS"
    if isinstance(exc, UsageError):
        return EXIT_USAGE, str(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return EXIT_USAGE, (
            f"no AWS credentials for DynamoDB at {where}: configure them (aws configure, AWS_PROFILE), or for "
            f"DynamoDB Local / moto set dummy ones: {DUMMY_CREDENTIALS}"
        )
    if isinstance(exc, NoRegionError):
        return EXIT_USAGE, "no AWS region: pass --region or set AWS_REGION"
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        status = EXIT_WORK_FAILED if started else EXIT_USAGE
        return status, f"cannot reach DynamoDB at {where}: {exc}"
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "") or str(exc)
        if code == "ResourceNotFoundException" and not started:
            return EXIT_USAGE, missing_table(settings)
        status = EXIT_USAGE if code in CONFIG_ERROR_CODES and not started else EXIT_WORK_FAILED
        return status, f"DynamoDB at {where} refused {exc.operation_name}: {code}: {message}"
    if isinstance(exc, BotoCoreError):
        status = EXIT_WORK_FAILED if started else EXIT_USAGE
        return status, f"AWS call to {where} failed: {exc}"
    if isinstance(exc, OSError) and exc.filename is not None:
        status = EXIT_WORK_FAILED if started else EXIT_USAGE
        return status, f"{exc.filename}: {exc.strerror or exc}"
    return EXIT_WORK_FAILED, f"unexpected error: {type(exc).__name__}: {exc} (run with -v for the traceback)"


def missing_table(settings: Any | None) -> str:
    if settings is None:
        return f"table not found; create it with `{PROG} table create`"
    return (
        f"table {settings.table} not found at {settings.endpoint_url or 'AWS'} in region {settings.region}; "
        f"create it with `{PROG} table create`"
    )


def report(exc: BaseException, settings: Any | None, *, verbose: bool) -> int:
    """Prints the one line (and the traceback with -v) and returns the exit status."""
    status, line = describe(exc, settings)
    if verbose:
        traceback.print_exception(exc, file=sys.stderr)
    print(f"{PROG}: {line}", file=sys.stderr)
    return status


def silence_stdout() -> None:
    """After a broken pipe: point stdout at /dev/null so the interpreter's final flush does not complain."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    finally:
        os.close(devnull)


def capped(lines: list[Any], limit: int = 20) -> tuple[list[Any], int]:
    """The first `limit` lines and how many were left out: long error lists end with a count of the rest."""
    if len(lines) <= limit:
        return lines, 0
    return lines[:limit], len(lines) - limit
