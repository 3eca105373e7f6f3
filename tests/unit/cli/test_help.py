"""Help that teaches: defaults shown, --version, global options anywhere, texts that stand alone in a clone."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from moto import mock_aws

from cli.main import build_parser, main

ROOT = Path(__file__).resolve().parents[3]


def _all_parsers(parser: argparse.ArgumentParser):
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                yield from _all_parsers(child)


def test_version(capsys):
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("receipt-validator ") and any(ch.isdigit() for ch in out)


def test_help_shows_defaults():
    parser = build_parser()
    text = parser.format_help()
    assert "default: ReceiptsTable" in text or "default: " in text
    stream = next(p for p in _all_parsers(parser) if p.prog.endswith(" stream"))
    assert "default: 25" in stream.format_help()  # --batch-size
    assert "default: checkpoint" in stream.format_help()  # --from


def test_help_and_readme_stand_alone():
    texts = [p.format_help() for p in _all_parsers(build_parser())]
    texts.append((ROOT / "README.md").read_text())
    for text in texts:
        assert "CONTRACT §" not in text and "../shared" not in text and "DESIGN.md" not in text


def test_docs_the_readme_points_to_exist():
    readme = (ROOT / "README.md").read_text()
    for doc in ("docs/architecture.md", "docs/formats.md"):
        assert doc in readme and (ROOT / doc).exists()


def test_global_options_after_the_subcommand(capsys):
    with mock_aws():
        assert main(["table", "create", "--table", "after"]) == 0
        capsys.readouterr()
        assert main(["status", "--json", "--table", "after", "--region", "us-east-1"]) == 0
        assert json.loads(capsys.readouterr().out)["labels"] == 0
        assert main(["--table", "after", "status", "--json"]) == 0  # and before still works


def test_option_after_the_subcommand_wins_over_the_default_only(capsys):
    parser = build_parser()
    args = parser.parse_args(["--table", "before", "status"])
    assert args.table == "before"
    args = parser.parse_args(["status", "--table", "after"])
    assert args.table == "after"
