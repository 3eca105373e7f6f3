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
