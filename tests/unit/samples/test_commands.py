"""The generator's command, as a user runs it: `python -m samples` and, as before the move out of `cli/`,
`python -m cli.samples`, each in a fresh interpreter outside the repository (the installed package, not the cwd)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from samples import generate_receipts


def _run(module: str, args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("module", ["samples", "cli.samples"])
def test_the_command_writes_the_generated_bundles(module: str, tmp_path: Path) -> None:
    out, truth = tmp_path / "b.jsonl", tmp_path / "t.jsonl"
    done = _run(module, ["--count", "3", "--seed", "5", "--out", str(out), "--truth", str(truth)], tmp_path)
    assert done.returncode == 0, done.stderr
    assert "3 receipts" in done.stderr and done.stdout == ""
    assert [json.loads(line) for line in out.read_text().splitlines()] == [
        r.bundle for r in generate_receipts(3, seed=5)
    ]
    assert len(truth.read_text().splitlines()) == 3


@pytest.mark.parametrize("module", ["samples", "cli.samples"])
def test_bad_usage_exits_2_naming_the_option_and_writes_nothing(module: str, tmp_path: Path) -> None:
    out = tmp_path / "b.jsonl"
    done = _run(module, ["--count", "-1", "--out", str(out)], tmp_path)
    assert done.returncode == 2
    assert "--count" in done.stderr.splitlines()[-1] and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[0].startswith(f"usage: python -m {module} ")
    assert not out.exists()
