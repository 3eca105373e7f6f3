"""`receipt-validator`: the command line. Thin: parses, builds settings, hands over to one command module.

Every failure that reaches here becomes one line on stderr and an exit status (cli/errors.py).
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Iterator, Sequence
from importlib.metadata import PackageNotFoundError, version

from cli import errors
from cli import settings as cli_settings
from cli.exit_codes import EXIT_INTERRUPTED
from cli.help_format import HelpFormatter

# One module per command (or family of commands); each has `add_parsers(sub)`.
COMMAND_MODULES = (
    "cli.demo_command",
    "cli.table_commands",
    "cli.stream_command",
    "cli.sweep_command",
    "cli.check_command",
    "cli.review_command",
    "cli.local_dynamodb_command",
)


def _version() -> str:
    try:
        return version("receipt-validator")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _subparsers(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield child
                yield from _subparsers(child)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="receipt-validator",
        description="Validates the PENDING word labels of a receipts DynamoDB table with rules and "
        "Chain-of-Verification, locally or against AWS. Start with `receipt-validator demo`.",
        epilog="Exit status: 0 done; 1 it ran but some work failed; 2 bad usage, bad input or a configuration that "
        "prevents any work (nothing written).",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    cli_settings.add_global_options(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_parsers(sub)
    for child in _subparsers(parser):
        child.formatter_class = HelpFormatter
        cli_settings.add_global_options(child, suppress=True)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    level = logging.WARNING - 10 * min(args.verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s")
    errors.reset()
    settings = None
    try:
        settings = cli_settings.settings_from_args(args)
        status = int(args.func(args, settings))
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        errors.silence_stdout()  # the reader went away (`| head`): end quietly
        return errors.EXIT_WORK_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:
        return errors.report(exc, settings, verbose=args.verbose > 0)


if __name__ == "__main__":
    sys.exit(main())
