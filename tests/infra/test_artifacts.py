"""The artifact builder: what goes in the code zip, that builds are cached and deterministic, and (slow) that
the real arm64 layer fits Lambda's size limits."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

from infra import artifacts
from infra.artifacts import (
    CODE_PACKAGES,
    DIRECT_UPLOAD_LIMIT_BYTES,
    REPO_ROOT,
    UNZIPPED_LIMIT_BYTES,
    build_code_zip,
    build_layer_zip,
    layer_hash,
    pip_install_command,
    runtime_requirements,
)
from sweepers.schedules import STREAM_HANDLER, SWEEPER_HANDLERS

pytestmark = pytest.mark.infra


def _names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as zf:
        return zf.namelist()


def test_code_zip_holds_only_the_lambda_packages(tmp_path: Path) -> None:
    names = _names(build_code_zip(tmp_path).path)
    tops = {n.split("/")[0] for n in names}
    assert tops == {"domain", "stream_handlers", "sweepers"}  # not cli/, samples/ (the generator), infra/
    assert "stream_handlers/filter_pattern.py" in names
    assert "sweepers/schedules.py" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


HANDLERS = [STREAM_HANDLER, *SWEEPER_HANDLERS.values()]

# Run in a fresh interpreter whose only project code is the unzipped artifact (cwd): the editable install's finder,
# which would serve every package of the repository, is taken off sys.meta_path first.
_IMPORT_FROM_ZIP = """
import importlib, importlib.util, json, os, sys
sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f).lower()]
root = os.getcwd()
for handler in json.loads(sys.argv[1]):
    module, function = handler.rsplit(".", 1)
    loaded = importlib.import_module(module)
    assert loaded.__file__.startswith(root), f"{module} came from {loaded.__file__}, not the zip"
    assert callable(getattr(loaded, function)), handler
print(json.dumps(sorted(name for name in ("cli", "samples", "infra", "tests") if importlib.util.find_spec(name))))
"""


def test_every_handler_module_is_packaged(tmp_path: Path) -> None:
    names = set(_names(build_code_zip(tmp_path).path))
    for handler in HANDLERS:
        module_file = handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
        assert module_file in names, f"handler {handler}: {module_file} is not in the code zip"


def test_the_handlers_import_from_the_zip_alone(tmp_path: Path) -> None:
    """What Lambda does at cold start: import each handler from the unzipped code (the layer's packages are this
    venv's). Nothing the Lambdas need lives in `cli`, `samples` or `infra`, and those are not shipped."""
    unzipped = tmp_path / "task"
    with zipfile.ZipFile(build_code_zip(tmp_path / "cache").path) as zf:
        zf.extractall(unzipped)
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_FROM_ZIP, json.dumps(HANDLERS)],
        cwd=unzipped,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.splitlines()[-1]) == []  # none of the non-Lambda packages is importable there


def test_code_zip_is_deterministic_and_cached(tmp_path: Path) -> None:
    # A frozen copy: other work may be editing the live tree between two builds.
    root = tmp_path / "repo"
    for package in CODE_PACKAGES:
        shutil.copytree(REPO_ROOT / package, root / package, ignore=shutil.ignore_patterns("__pycache__"))
    first = build_code_zip(tmp_path / "a", root=root)
    second = build_code_zip(tmp_path / "b", root=root)
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.source_code_hash == second.source_code_hash
    mtime = first.path.stat().st_mtime_ns
    again = build_code_zip(tmp_path / "a", root=root)
    assert again.path == first.path and again.path.stat().st_mtime_ns == mtime


def test_code_hash_follows_the_sources(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "__init__.py").write_text("")
    (root / "pkg" / "mod.py").write_text("X = 1\n")
    before = build_code_zip(tmp_path / "cache", root=root, packages=["pkg"])
    (root / "pkg" / "mod.py").write_text("X = 2\n")
    after = build_code_zip(tmp_path / "cache", root=root, packages=["pkg"])
    assert before.content_hash != after.content_hash
    assert before.path != after.path


def test_layer_requirements_are_pyprojects_runtime_dependencies() -> None:
    with (REPO_ROOT / "pyproject.toml").open("rb") as fh:
        assert runtime_requirements() == tomllib.load(fh)["project"]["dependencies"]


def test_pip_targets_lambda_arm64_cpython_312_wheels_only(tmp_path: Path) -> None:
    cmd = pip_install_command(["pydantic>=2"], tmp_path)
    joined = " ".join(cmd)
    for flag in (
        "--platform manylinux2014_aarch64",
        "--implementation cp",
        "--python-version 3.12",
        "--only-binary=:all:",
        f"--target {tmp_path}",
    ):
        assert flag in joined
    assert cmd[-1] == "pydantic>=2"


def test_cached_layer_is_not_rebuilt(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    reqs = ["pydantic>=2"]
    cached = tmp_path / f"layer-{layer_hash(reqs)[:16]}.zip"
    with zipfile.ZipFile(cached, "w") as zf:
        zf.writestr("python/x.py", "")

    def no_pip(*args, **kwargs):
        raise AssertionError("pip should not run for a cached layer")

    monkeypatch.setattr(artifacts.subprocess, "run", no_pip)
    assert build_layer_zip(reqs, cache_dir=tmp_path).path == cached
    assert layer_hash(reqs) != layer_hash([*reqs, "boto3"])


@pytest.mark.slow
def test_real_arm64_layer_fits_lambda_limits(tmp_path: Path) -> None:
    """Runs pip for real (needs the package index): ~15 s. The layer goes through S3, so only 250 MB binds."""
    try:
        layer = build_layer_zip(cache_dir=tmp_path)
    except subprocess.CalledProcessError as exc:  # pragma: no cover - depends on the network
        pytest.fail(f"pip could not build the layer: {exc}")
    code = build_code_zip(tmp_path)
    names = _names(layer.path)
    assert all(n.startswith("python/") for n in names)
    native = [n for n in names if n.endswith(".so")]
    assert any("pydantic_core" in n and "aarch64" in n for n in native)
    assert not [n for n in native if "x86_64" in n]
    total = layer.unzipped_size + code.unzipped_size
    print(
        f"\nlayer zipped {layer.zipped_size / 2**20:.1f} MiB, unzipped {layer.unzipped_size / 2**20:.1f} MiB; "
        f"code unzipped {code.unzipped_size / 2**10:.0f} KiB; total {total / 2**20:.1f} MiB of 250 MiB"
    )
    assert total <= UNZIPPED_LIMIT_BYTES
    # Above 50 MB zipped the layer could not be uploaded directly; the program always uploads it through S3.
    print(f"direct upload possible: {layer.zipped_size <= DIRECT_UPLOAD_LIMIT_BYTES}")
