"""`bench/read_path.py` runs end to end and finds both ways reading the same receipts and stream records."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("bench_read_path", Path(__file__).parents[2] / "bench" / "read_path.py")
assert _spec and _spec.loader
read_path = importlib.util.module_from_spec(_spec)
sys.modules["bench_read_path"] = read_path
_spec.loader.exec_module(read_path)


@pytest.mark.parametrize("backend", ["moto", pytest.param("dynamodb-local", marks=pytest.mark.integration)])
def test_both_ways_read_the_same_receipts_and_records(backend: str, capsys: pytest.CaptureFixture[str]) -> None:
    if backend == "dynamodb-local":
        from cli.dynamodb_local import find_jar

        assert find_jar() is not None, "DynamoDB Local is not installed (make dynamodb-local)"
    code = read_path.main(["--receipts", "3", "--rounds", "2", "--backend", backend])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["same_receipts"] is True and out["same_records"] is True
    assert out["stream_records"] == out["items"] > 0
    assert set(out["receipt_load_ms"]) == {"botocore", "wire"}
    assert out["receipt_load_ratio_botocore_over_wire"] > 0
