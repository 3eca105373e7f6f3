"""Global options of `receipt-validator`, each settable by an environment variable, before or after the command.

The root parser holds the real defaults (from the environment); every subcommand parser gets the same options with
a suppressed default, so `status --table T` and `--table T status` mean the same and neither overrides the other with
a default.
"""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from cli.exit_codes import UsageError

if TYPE_CHECKING:
    from domain.wiring import Wiring

DEFAULT_TABLE = "ReceiptsTable"
DEFAULT_REGION = "us-east-1"
LLM_CHOICES = ("auto", "none", "ollama")


@dataclass(frozen=True)
class Settings:
    endpoint_url: str | None
    table: str
    region: str
    llm: str  # auto | none | ollama
    model: str | None
    json: bool = False

    def where(self) -> str:
        """Where the command works, for one-line messages: endpoint (or AWS), region, table."""
        return f"{self.endpoint_url or 'AWS'} (region {self.region}, table {self.table})"

    @cached_property
    def wiring(self) -> Wiring:
        """What the command's work needs (store, verifier, Places client, secrets), each built once, on first use,
        the way the Lambdas build theirs (domain/wiring.py)."""
        from domain.wiring import Wiring, WiringSettings

        return Wiring(
            WiringSettings(
                table=self.table, endpoint_url=self.endpoint_url, region=self.region, llm=self.llm, model=self.model
            )
        )

    def store(self) -> Any:
        return self.wiring.store

    def streams_client(self) -> Any:
        """GetRecords parsed as the table's reads are (domain/store/wire_parser.py): records come as botocore would
        give them, without its walk over every attribute of every image."""
        from domain.store.wire_parser import wire_session

        return wire_session().client("dynamodbstreams", endpoint_url=self.endpoint_url, region_name=self.region)


def _options() -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """(flags, argparse keywords with the environment's default) of each global option."""
    env = os.environ.get
    return [
        (
            ("--endpoint-url",),
            {
                "default": env("AWS_ENDPOINT_URL_DYNAMODB"),
                "metavar": "URL",
                "help": "DynamoDB endpoint, e.g. http://localhost:8000 for DynamoDB Local "
                "[AWS_ENDPOINT_URL_DYNAMODB] (default: AWS)",
            },
        ),
        (("--table",), {"default": env("DYNAMODB_TABLE_NAME", DEFAULT_TABLE), "help": "table [DYNAMODB_TABLE_NAME]"}),
        (
            ("--region",),
            {
                "default": env("AWS_REGION") or env("AWS_DEFAULT_REGION") or DEFAULT_REGION,
                "help": "AWS region [AWS_REGION]",
            },
        ),
        (
            ("--llm",),
            {
                "default": env("VALIDATOR_LLM", "auto"),
                "metavar": "{" + ",".join(LLM_CHOICES) + "}",
                "help": "LLM for questions code cannot answer: auto = Ollama when OLLAMA_HOST or OLLAMA_API_KEY is "
                "set, else rules only [VALIDATOR_LLM]",
            },
        ),
        (("--model",), {"default": env("OLLAMA_MODEL"), "help": "Ollama model [OLLAMA_MODEL] (default: the engine's)"}),
        (
            ("-v", "--verbose"),
            {"action": "count", "default": 0, "help": "more logging on stderr, tracebacks on errors (-vv: debug)"},
        ),
    ]


def add_global_options(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
    """The global options; with `suppress`, a copy for a subcommand (given there, it wins; absent, nothing)."""
    title = "global options (also before the command; each also set by the environment variable shown)"
    group = parser.add_argument_group(
        title if suppress else "connection and engine (each also set by the environment variable shown)"
    )
    for flags, kwargs in _options():
        if suppress and any(flag in parser._option_string_actions for flag in flags):
            continue  # the command declares it itself (e.g. `check FILE --llm none`)
        kwargs = dict(kwargs)
        if suppress:
            shown = kwargs["default"]
            kwargs["default"] = argparse.SUPPRESS
            if shown not in (None, 0) and "(default" not in kwargs["help"]:
                kwargs["help"] += f" (default: {shown})"
        group.add_argument(*flags, **kwargs)


def _check_endpoint(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise UsageError(
            f"--endpoint-url {url!r} (or AWS_ENDPOINT_URL_DYNAMODB) is not an http(s) URL; "
            f"write it with a scheme, e.g. http://{url.split('://')[-1] or 'localhost:8000'}"
        )
    return url


def settings_from_args(args: argparse.Namespace) -> Settings:
    """The settings; a bad endpoint URL or LLM choice (flag or environment) is a usage error naming its source."""
    if args.llm not in LLM_CHOICES:
        source = "--llm" if os.environ.get("VALIDATOR_LLM") != args.llm else "VALIDATOR_LLM"
        raise UsageError(f"{source}={args.llm} is not one of {', '.join(LLM_CHOICES)}")
    return Settings(
        endpoint_url=_check_endpoint(args.endpoint_url) if args.endpoint_url else None,
        table=args.table,
        region=args.region,
        llm=args.llm,
        model=args.model,
        json=bool(getattr(args, "json", False)),
    )
