"""Builds the two Lambda artifacts from this repository: the code zip and the dependency layer zip.

Both are plain functions over paths so a test (or `python -m infra.artifacts`) can build them without Pulumi.
Each zip is named by a content hash and kept in a cache directory, so `pulumi up` rebuilds only when the
sources or the pinned requirements change. Zips are deterministic (sorted entries, fixed timestamps) so the
same inputs always give the same bytes and the same `source_code_hash`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent / ".build"

# The packages that run inside Lambda. `infra` and `cli` never do.
CODE_PACKAGES: tuple[str, ...] = ("domain", "stream_handlers", "sweepers")

LAMBDA_PYTHON_VERSION = "3.12"
LAMBDA_PLATFORM = "manylinux2014_aarch64"

# Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
UNZIPPED_LIMIT_BYTES = 250 * 1024 * 1024  # function code + all layers, unzipped
DIRECT_UPLOAD_LIMIT_BYTES = 50 * 1024 * 1024  # zip sent in the API call; larger goes through S3

# Bump when the build recipe changes, so old cache entries stop matching.
_RECIPE_VERSION = "1"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_SKIPPED_PARTS = {"__pycache__", ".pytest_cache", ".mypy_cache"}
_SKIPPED_SUFFIXES = {".pyc", ".pyo"}


@dataclass(frozen=True)
class BuiltArtifact:
    """A zip on disk and the hash Lambda compares to decide whether the code changed."""

    path: Path
    content_hash: str  # hex sha256 of the inputs; names the cache entry

    @property
    def source_code_hash(self) -> str:
        """Base64 sha256 of the zip bytes, the format Lambda reports as CodeSha256."""
        return base64.b64encode(hashlib.sha256(self.path.read_bytes()).digest()).decode()

    @property
    def zipped_size(self) -> int:
        return self.path.stat().st_size

    @property
    def unzipped_size(self) -> int:
        return unzipped_size(self.path)


def runtime_requirements(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The Lambda's dependencies are exactly pyproject's `[project].dependencies`: one source of truth."""
    with pyproject.open("rb") as fh:
        return list(tomllib.load(fh)["project"]["dependencies"])


def _source_files(root: Path, packages: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for package in packages:
        base = root / package
        if not (base / "__init__.py").is_file():
            raise FileNotFoundError(f"{base} is not a Python package")
        for path in base.rglob("*"):
            rel = path.relative_to(root)
            if path.is_file() and not (_SKIPPED_PARTS & set(rel.parts)) and path.suffix not in _SKIPPED_SUFFIXES:
                files.append(path)
    return sorted(files)


def _write_zip(target: Path, root: Path, files: Iterable[Path], prefix: str = "") -> None:
    """Deterministic zip: sorted names, fixed mtime, fixed permissions."""
    tmp = target.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in sorted(files):
            info = zipfile.ZipInfo(prefix + path.relative_to(root).as_posix(), date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, path.read_bytes())
    tmp.replace(target)


def build_code_zip(
    cache_dir: Path = DEFAULT_CACHE_DIR,
    root: Path = REPO_ROOT,
    packages: Sequence[str] = CODE_PACKAGES,
) -> BuiltArtifact:
    """Zip the project packages that run in Lambda (handlers at the zip root, as the handler strings expect)."""
    files = _source_files(root, packages)
    digest = hashlib.sha256(_RECIPE_VERSION.encode())
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    content_hash = digest.hexdigest()
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"code-{content_hash[:16]}.zip"
    if not target.exists():
        _write_zip(target, root, files)
    return BuiltArtifact(target, content_hash)


def layer_hash(requirements: Sequence[str]) -> str:
    """Cache key of a layer: the requirement strings and the target platform, not the resolved versions.

    Requirements are ranges, so a cached layer keeps the versions resolved when it was built; pass
    `force=True` to `build_layer_zip` (or delete the cache dir) to pick up new releases.
    """
    key = json.dumps(
        {
            "recipe": _RECIPE_VERSION,
            "requirements": sorted(requirements),
            "platform": LAMBDA_PLATFORM,
            "python": LAMBDA_PYTHON_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(key.encode()).hexdigest()


def pip_install_command(requirements: Sequence[str], target: Path) -> list[str]:
    """The pip call that fetches arm64 CPython 3.12 wheels, whatever machine runs the build."""
    return [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-compile",  # .pyc from the build interpreter would be the wrong version and dead weight
        "--platform",
        LAMBDA_PLATFORM,
        "--implementation",
        "cp",
        "--python-version",
        LAMBDA_PYTHON_VERSION,
        "--only-binary=:all:",
        "--target",
        str(target),
        *requirements,
    ]


def build_layer_zip(
    requirements: Sequence[str] | None = None,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    force: bool = False,
) -> BuiltArtifact:
    """Install the runtime dependencies for Lambda arm64 into `python/` and zip it as a layer."""
    reqs = list(requirements) if requirements is not None else runtime_requirements()
    content_hash = layer_hash(reqs)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"layer-{content_hash[:16]}.zip"
    if target.exists() and not force:
        return BuiltArtifact(target, content_hash)
    with tempfile.TemporaryDirectory(prefix="layer-", dir=cache_dir) as tmp:
        site = Path(tmp) / "python"
        subprocess.run(pip_install_command(reqs, site), check=True)
        files = [
            p
            for p in site.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix not in _SKIPPED_SUFFIXES
        ]
        _write_zip(target, Path(tmp), files)
    return BuiltArtifact(target, content_hash)


def unzipped_size(path: Path) -> int:
    """Sum of the uncompressed sizes of a zip's entries: what counts against Lambda's 250 MB."""
    with zipfile.ZipFile(path) as zf:
        return sum(info.file_size for info in zf.infolist())


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m infra.artifacts`: build both artifacts and print their sizes as JSON."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR)
    parser.add_argument("--force", action="store_true", help="rebuild the layer even if cached")
    parser.add_argument("--clean", action="store_true", help="empty the cache dir first")
    args = parser.parse_args(argv)
    if args.clean and args.cache_dir.exists():
        shutil.rmtree(args.cache_dir)
    code = build_code_zip(args.cache_dir)
    layer = build_layer_zip(cache_dir=args.cache_dir, force=args.force)
    total = code.unzipped_size + layer.unzipped_size
    report = {
        "code": {"path": str(code.path), "zipped": code.zipped_size, "unzipped": code.unzipped_size},
        "layer": {"path": str(layer.path), "zipped": layer.zipped_size, "unzipped": layer.unzipped_size},
        "unzipped_total": total,
        "unzipped_limit": UNZIPPED_LIMIT_BYTES,
        "within_limit": total <= UNZIPPED_LIMIT_BYTES,
        "layer_needs_s3": layer.zipped_size > DIRECT_UPLOAD_LIMIT_BYTES,
    }
    print(json.dumps(report, indent=2))
    return 0 if report["within_limit"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
