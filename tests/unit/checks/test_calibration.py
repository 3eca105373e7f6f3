"""The policy lets no basis decide alone that calibration measures below 0.99 (bench/calibration.py, run here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from domain.decision import BAR, allowed, basis_of
from domain.measured import MEASURED
from domain.model import Answer

ROOT = Path(__file__).resolve().parents[3]


def calibration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calibration_bench", ROOT / "bench" / "calibration.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


BENCH = calibration()


@pytest.mark.parametrize("shape", BENCH.shapes())
def test_no_basis_the_policy_lets_decide_alone_measures_below_the_bar(shape: str) -> None:
    """A fresh sample (another seed than the one recorded): every basis the policy would let decide, seen often
    enough to say, is right >= 99% of the time on it."""
    result = BENCH.measure(120, seed=11, wrong_share=0.2, shape=shape)
    checked = 0
    for label, sides in result["per_label"].items():
        for side, rows in sides.items():
            answer = Answer.REFUTES if side == "refutes" else Answer.SUPPORTS
            for name, r in rows.items():
                if r["n"] >= 20 and allowed(label, answer, basis_of(name)):
                    checked += 1
                    assert r["precision"] >= BAR, (shape, label, side, name, r)
    assert checked >= 10  # the sample really exercised the policy


def test_the_recorded_table_is_what_the_policy_decides_from() -> None:
    """Every entry that lets a basis decide is >= BAR; an entry below it never decides."""
    for label, rows in MEASURED.items():
        for key, (_n, precision) in rows.items():
            side, name = key.split(":")
            answer = Answer.REFUTES if side == "refutes" else Answer.SUPPORTS
            if label != "*" and precision < BAR:
                assert not allowed(label, answer, basis_of(name)), (label, key)


def test_a_kind_below_the_bar_in_the_table_does_not_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lower one recorded figure below the bar and the policy stops deciding on it."""
    assert allowed("DATE", Answer.SUPPORTS, basis_of("form"))
    monkeypatch.setitem(MEASURED["DATE"], "supports:form", (500, 0.98))
    assert not allowed("DATE", Answer.SUPPORTS, basis_of("form"))
