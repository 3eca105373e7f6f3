"""`receipt-validator`: the command line. Thin: parses, builds settings, hands over to one command module."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from botocore.exceptions import BotoCoreError, ClientError

from cli import settings as cli_settings
from cli.exit_codes import EXIT_USAGE, EXIT_WORK_FAILED, UsageError

COMMAND_MODULES = (
    "cli.demo_command",
    "cli.table_commands",
    "cli.stream_command",
    "cli.sweep_command",
    "cli.check_command",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="receipt-validator",
        description="Validates the PENDING word labels of a receipts DynamoDB table with rules and "
        "Chain-of-Verification, locally or against AWS. Start with `receipt-validator demo`.",
    )
    cli_settings.add_global_options(parser)
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more logging on stderr (-vv: debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    settings = cli_settings.settings_from_args(args)
    try:
        return int(args.func(args, settings))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UsageError as exc:
        print(f"receipt-validator: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (BotoCoreError, ClientError) as exc:
        # no traceback for an unreachable endpoint, missing credentials or a refused call: say what and where
        where = settings.endpoint_url or f"AWS {settings.region}"
        print(f"receipt-validator: AWS call failed ({where}, table {settings.table}): {exc}", file=sys.stderr)
        return EXIT_WORK_FAILED


if __name__ == "__main__":
    sys.exit(main())
