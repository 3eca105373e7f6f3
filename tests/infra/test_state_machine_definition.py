"""The state machine definitions the Pulumi program declares, checked by AWS's own rules: the npm `asl-validator`
(installed by `make test` under .local/asl, pinned in the Makefile) validates each one, and a broken definition is
refused by the same check, so the check can fail."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.infra.conftest import Program

pytestmark = pytest.mark.infra

VALIDATOR = ROOT / ".local" / "asl" / "node_modules" / ".bin" / "asl-validator"


def _validate(definition: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    if not VALIDATOR.exists():
        if os.environ.get("REQUIRE_ASL_VALIDATOR") == "1":
            pytest.fail(f"asl-validator is required but {VALIDATOR} is missing (make asl-validator)")
        pytest.skip("asl-validator not installed (make asl-validator)")
    path = tmp_path / "definition.json"
    path.write_text(json.dumps(definition))
    return subprocess.run(
        [str(VALIDATOR), "--json-path", str(path)], capture_output=True, text=True, timeout=120, check=False
    )


def test_every_declared_state_machine_is_valid_asl(new_table_program: Program, tmp_path: Path) -> None:
    machines = new_table_program.of_type("aws:sfn/stateMachine:StateMachine")
    assert len(machines) == 3
    for machine in machines:
        result = _validate(json.loads(machine.inputs["definition"]), tmp_path)
        assert result.returncode == 0, f"{machine.name}: {result.stdout}{result.stderr}"
        assert "is valid" in result.stdout


def test_the_validator_refuses_a_broken_loop(new_table_program: Program, tmp_path: Path) -> None:
    machine = new_table_program.one("aws:sfn/stateMachine:StateMachine", "pending-sweep")
    definition = json.loads(machine.inputs["definition"])
    inner = definition["States"]["Segments"]["ItemProcessor"]["States"]
    inner["Next slice"]["Next"] = "Slise"  # a loop to nowhere
    result = _validate(definition, tmp_path)
    assert result.returncode != 0 and "MISSING_TRANSITION_TARGET" in result.stdout + result.stderr
