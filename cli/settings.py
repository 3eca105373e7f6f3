"""Global options of `receipt-validator`, each settable by an environment variable (CONTRACT §4)."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass
from typing import Any

DEFAULT_TABLE = "ReceiptsTable"
DEFAULT_REGION = "us-east-1"


@dataclass(frozen=True)
class Settings:
    endpoint_url: str | None
    table: str
    region: str
    llm: str  # auto | none | ollama
    model: str | None
    json: bool = False

    def client(self) -> Any:
        from domain.store import make_client

        return make_client(self.endpoint_url, self.region)

    def store(self) -> Any:
        from domain.store import ReceiptStore

        return ReceiptStore(self.table, self.client())

    def streams_client(self) -> Any:
        import boto3

        return boto3.client("dynamodbstreams", endpoint_url=self.endpoint_url, region_name=self.region)

    def with_endpoint(self, endpoint_url: str) -> Settings:
        return Settings(endpoint_url, self.table, self.region, self.llm, self.model, self.json)


def add_global_options(parser: argparse.ArgumentParser) -> None:
    env = os.environ.get
    g = parser.add_argument_group("connection and engine (each also set by the environment variable shown)")
    g.add_argument(
        "--endpoint-url",
        default=env("AWS_ENDPOINT_URL_DYNAMODB"),
        help="DynamoDB endpoint, e.g. http://localhost:8000 for DynamoDB Local [AWS_ENDPOINT_URL_DYNAMODB]; "
        "default: AWS",
    )
    g.add_argument(
        "--table", default=env("DYNAMODB_TABLE_NAME", DEFAULT_TABLE), help="table name [DYNAMODB_TABLE_NAME]"
    )
    g.add_argument(
        "--region",
        default=env("AWS_REGION") or env("AWS_DEFAULT_REGION") or DEFAULT_REGION,
        help="AWS region [AWS_REGION]",
    )
    g.add_argument(
        "--llm",
        choices=("auto", "none", "ollama"),
        default=env("VALIDATOR_LLM", "auto"),
        help="LLM for questions code cannot answer: auto = Ollama when OLLAMA_HOST or OLLAMA_API_KEY is set, "
        "else rules only [VALIDATOR_LLM]",
    )
    g.add_argument("--model", default=env("OLLAMA_MODEL"), help="Ollama model name [OLLAMA_MODEL]")


def settings_from_args(args: argparse.Namespace) -> Settings:
    return Settings(
        endpoint_url=args.endpoint_url or None,
        table=args.table,
        region=args.region,
        llm=args.llm,
        model=args.model,
        json=bool(getattr(args, "json", False)),
    )
