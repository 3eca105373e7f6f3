"""`table create`, `import`, `export`, `status` through the real entry point."""

from __future__ import annotations

import json

import pytest
from moto import mock_aws

from cli.main import main
from tests.fakes.receipts import sample_bundle

TABLE = ["--table", "cli-test"]


@pytest.fixture
def aws():
    with mock_aws():
        yield


def _write(tmp_path, rows: list) -> str:
    path = tmp_path / "bundles.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return str(path)


def test_import_status_export(aws, tmp_path, capsys):
    assert main([*TABLE, "table", "create"]) == 0
    path = _write(tmp_path, [sample_bundle(receipt_id=1), sample_bundle(receipt_id=2)])
    assert main([*TABLE, "import", path, "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["receipts"] == 2 and summary["labels"] == 6 and summary["pending"] == 4

    assert main([*TABLE, "status", "--json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["by_status"] == {"PENDING": 4, "VALID": 2}
    assert status["by_label"]["GRAND_TOTAL"] == {"PENDING": 2}

    out = tmp_path / "export.jsonl"
    assert main([*TABLE, "export", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sum(r["kind"] == "label" for r in rows) == 6
    assert sum(r["kind"] == "metadata" for r in rows) == 2
    total = next(r for r in rows if r["kind"] == "label" and r["label"] == "GRAND_TOTAL")
    assert total["text"] == "13.39" and total["validation_status"] == "PENDING"

    again = tmp_path / "bundles-out.jsonl"
    assert main([*TABLE, "export", str(again), "--format", "bundles"]) == 0
    assert main(["--table", "other", "table", "create"]) == 0
    assert main(["--table", "other", "import", str(again)]) == 0
    capsys.readouterr()
    assert main(["--table", "other", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["by_status"] == {"PENDING": 4, "VALID": 2}


def test_bad_file_is_refused_whole_and_nothing_written(aws, tmp_path, capsys):
    assert main([*TABLE, "table", "create"]) == 0
    bad = sample_bundle(receipt_id=2)
    bad["labels"].append({"line_id": 7, "word_id": 7, "label": "TOTAL"})
    path = _write(tmp_path, [sample_bundle(receipt_id=1), "{broken", bad])
    assert main([*TABLE, "import", path]) == 2
    err = capsys.readouterr().err
    assert "nothing was written" in err
    assert "line 2: malformed JSON" in err
    assert "line 3, labels[3]: label GRAND_TOTAL is on line 7 word 7" in err
    assert main([*TABLE, "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["labels"] == 0


def test_missing_table_is_a_usage_error(aws, tmp_path, capsys):
    path = _write(tmp_path, [sample_bundle()])
    assert main(["--table", "nope", "import", path]) == 2
    assert "create it with `receipt-validator table create`" in capsys.readouterr().err


def test_unreadable_file_is_a_usage_error(aws, tmp_path, capsys):
    assert main([*TABLE, "import", str(tmp_path / "missing.jsonl")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_unreachable_endpoint_is_reported_without_a_traceback(capsys):
    assert main(["--endpoint-url", "http://127.0.0.1:9", "--table", "t", "table", "create"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach DynamoDB at http://127.0.0.1:9 (region us-east-1, table t)" in err
    assert "Traceback" not in err
