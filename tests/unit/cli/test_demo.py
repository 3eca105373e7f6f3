"""`receipt-validator demo` end to end on its embedded DynamoDB (small: two generated receipts)."""

from __future__ import annotations

import json

import pytest

from cli.main import main


def test_demo_json_and_export(tmp_path, capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OLLAMA_HOST", "OLLAMA_API_KEY", "VALIDATOR_LLM"):
        monkeypatch.delenv(name, raising=False)
    export = tmp_path / "out.jsonl"

    assert main(["demo", "--count", "2", "--json", "--export", str(export)]) == 0

    captured = capsys.readouterr()
    report = json.loads(captured.out)  # stdout holds exactly one JSON object
    assert report["receipts"] == 2 and report["llm"].startswith("none")
    assert report["stream"]["labels_seen"] == report["labels"] and report["stream"]["errors"] == 0
    assert report["by_status"].get("PENDING", 0) == report["stream"]["left_pending"]
    assert report["sweep"] is not None and report["sweep"]["errors"] == 0
    assert captured.err.count("running rules only") == 1
    records = [json.loads(line) for line in export.read_text().splitlines()]
    assert sum(r["kind"] == "label" for r in records) == report["labels"]
    with_metadata = sum(r["metadata_status"] is not None for r in report["labels_by_receipt"])
    assert sum(r["kind"] == "metadata" for r in records) == with_metadata


def test_demo_refuses_a_bad_file(tmp_path, capsys) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"image_id": "nope"}\n')
    assert main(["demo", "--receipts", str(bad)]) == 2
    assert "line 1" in capsys.readouterr().err


def test_demo_tells_its_story_in_one_screen(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """The default report: totals, timings, a few example receipts; short, at 80 columns; wording as the README."""
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("OLLAMA_HOST", "OLLAMA_API_KEY", "VALIDATOR_LLM"):
        monkeypatch.delenv(name, raising=False)
    from cli import console

    console.out_console.cache_clear()
    assert main(["demo", "--count", "6"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert len(lines) <= 60 and max(len(line) for line in lines) <= 80
    assert "Totals" in captured.out and "Example: a caught error" in captured.out and "time:" in captured.out
    assert "demo --all" in captured.out and "demo --keep" in captured.out
    assert "never NEEDS_REVIEW" in captured.err and "NEEDS_REVIEW or PENDING" not in captured.err

    assert main(["demo", "--count", "6", "--all"]) == 0  # every label, as before
    every = capsys.readouterr().out
    assert len(every.splitlines()) > len(lines) and "totals" in every
    console.out_console.cache_clear()


def test_keep_says_how_to_open_the_review_page() -> None:
    from cli.demo_command import keep_instructions

    text = keep_instructions("http://127.0.0.1:5555", rules_only=True)
    assert "receipt-validator --endpoint-url http://127.0.0.1:5555 --table ReceiptsDemo review" in text
    assert "AWS_ACCESS_KEY_ID=local" in text and "PENDING" in text


@pytest.mark.slow
def test_default_demo_fits_one_screen_at_80_columns() -> None:
    """`receipt-validator demo` as a new user runs it: <= 120 lines at 80 columns, exit 0."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("OLLAMA_HOST", "OLLAMA_API_KEY", "VALIDATOR_LLM")}
    env["COLUMNS"] = "80"
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "demo"], env=env, capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout.splitlines()) <= 120 and "Totals" in proc.stdout
    assert "Traceback" not in proc.stderr


def test_the_demo_ends_with_the_same_verdicts_without_its_moto_patches(capsys, monkeypatch: pytest.MonkeyPatch) -> None:
    """cli/moto_patches.py changes how fast moto answers, never what: the same receipts give the same report."""
    import contextlib

    from cli import moto_patches

    for name in ("OLLAMA_HOST", "OLLAMA_API_KEY", "VALIDATOR_LLM"):
        monkeypatch.delenv(name, raising=False)
    assert main(["demo", "--count", "4", "--json"]) == 0
    fast = json.loads(capsys.readouterr().out)
    monkeypatch.setattr(moto_patches, "moto_patches", lambda: contextlib.nullcontext({}))
    assert main(["demo", "--count", "4", "--json"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert fast["labels_by_receipt"] == plain["labels_by_receipt"] and fast["by_status"] == plain["by_status"]
    assert sum(fast["by_status"].values()) == fast["labels"] > 0
