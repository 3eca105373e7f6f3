"""`bench/scale.py`: the projection's arithmetic on known figures, and one real run on DynamoDB Local."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

_spec = importlib.util.spec_from_file_location("bench_scale", Path(__file__).parents[2] / "bench" / "scale.py")
assert _spec and _spec.loader
scale = importlib.util.module_from_spec(_spec)
sys.modules["bench_scale"] = scale
_spec.loader.exec_module(scale)


def _measured(llm_calls: int, gsitype_wru: float) -> dict:
    sweep = {
        "receipts": 10,
        "llm_calls": llm_calls,
        "cpu_seconds": 0.5,
        "dynamodb": {"calls": {"Query": 10, "UpdateItem": 200}, "rru": 50.0, "wru": 1200.0,
                     "wru_by_index": {"GSITYPE": gsitype_wru}},
    }  # fmt: skip
    return {"receipts": 10, "labels": 250, "sweeps": {"pending": sweep, "reverify": sweep, "metadata": sweep}}


def _args(**overrides: object):
    import argparse

    defaults = dict(
        map_concurrency=4, reserved_concurrency=5, workers=4, memory_mb=1024, stream_memory_mb=1024, timeout_s=900,
        dynamodb_latency_s=0.008, llm_latency_s=2.0, llm_rps_per_process=2.0, llm_rate_limit=10.0,
        llm_usd_per_call=0.001, gsi_partition_wcu=1000.0,
    )  # fmt: skip
    return argparse.Namespace(**{**defaults, **overrides})


def test_the_smallest_throughput_binds_and_costs_follow_the_work() -> None:
    # 5 LLM calls a receipt at 8 req/s (4 processes x 2/s): 1.6 receipts/s
    out = scale.project(_measured(llm_calls=50, gsitype_wru=200.0), _args())
    ten_m = out["reverify"]["sizes"]["10000000"]
    rates = ten_m["throughput_receipts_per_s"]
    assert ten_m["bound_by"] == min(rates, key=lambda k: rates[k])
    assert rates["llm_rate_limit"] == pytest.approx(8.0 / 5.0)
    assert rates["dynamodb_hot_partition"] == pytest.approx(1000.0 / 20.0)
    assert ten_m["receipts"] == 400_000 and ten_m["llm_calls"] == 2_000_000
    assert ten_m["usd"]["llm"] == pytest.approx(2_000.0)
    assert ten_m["wall_hours"] == pytest.approx(400_000 / rates[ten_m["bound_by"]] / 3600, rel=1e-3)
    # a hot partition with a fast LLM and many processes: DynamoDB binds
    hot = scale.project(_measured(llm_calls=0, gsitype_wru=2000.0), _args(map_concurrency=50, reserved_concurrency=50))
    assert hot["reverify"]["sizes"]["10000000"]["bound_by"] == "dynamodb_hot_partition"


@pytest.mark.slow
@pytest.mark.integration
def test_a_real_run_prints_one_json_object_with_a_10m_reverify_under_a_day(capsys) -> None:
    assert scale.main(["--receipts", "6", "--seed", "3"]) == 0
    out = json.loads(capsys.readouterr().out)
    measured = out["measured"]
    assert measured["receipts"] == 6 and measured["sweeps"]["pending"]["dynamodb"]["wru_by_index"]["GSI3"] > 0
    assert measured["sweeps"]["pending"]["llm_calls"] > 0  # the LLM path ran against the fake server
    verdict = out["reverify_10m_labels"]
    assert verdict["under_24h"] is True and verdict["bound_by"] in scale.BOUNDS
    for sweep in ("pending", "reverify", "metadata"):
        assert set(out["projection"][sweep]["sizes"]) == {"10000", "1000000", "10000000"}
    assert out["projection"]["stream_per_1000_labels"]["usd"]["total"] > 0
