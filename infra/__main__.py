"""Pulumi entry point (Pulumi.yaml `main: infra/`): read config, build artifacts, declare the stack."""

import sys
from pathlib import Path

import pulumi

# Pulumi runs this file by path; make the repository root importable for `infra.*`, `sweepers.*`, ...
_ROOT = str(Path(__file__).resolve().parent.parent)
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

from infra.config import load_settings  # noqa: E402
from infra.lambda_code import local_artifacts  # noqa: E402
from infra.stack import build_stack  # noqa: E402

settings = load_settings()
for name, value in build_stack(settings, local_artifacts(settings)).items():
    pulumi.export(name, value)
