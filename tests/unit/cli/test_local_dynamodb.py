"""`receipt-validator local-dynamodb`: the real DynamoDB Local jar on a chosen port, and what to set to use it."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest

from cli.dynamodb_local import find_jar


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.integration
def test_local_dynamodb_starts_and_prints_what_to_set(tmp_path) -> None:
    if find_jar() is None:
        if os.environ.get("REQUIRE_DYNAMODB_LOCAL") == "1":
            pytest.fail("DynamoDB Local jar missing (make dynamodb-local)")
        pytest.skip("DynamoDB Local jar missing")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli.main", "local-dynamodb", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = proc.stdout.readline()
        told = first + "".join(proc.stdout.readline() for _ in range(2))
        endpoint = f"http://127.0.0.1:{port}"
        assert endpoint in first and "AWS_ACCESS_KEY_ID=local" in told
        env = {**os.environ, "AWS_ENDPOINT_URL_DYNAMODB": endpoint}
        created = subprocess.run(
            [sys.executable, "-m", "cli.main", "--table", "local-test", "table", "create"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert created.returncode == 0, created.stderr
        assert "table local-test created" in created.stderr
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(30)
    assert proc.returncode == 0


def test_missing_jar_is_exit_2_with_how_to_install(monkeypatch, tmp_path, capsys) -> None:
    from cli.main import main

    monkeypatch.setenv("DYNAMODB_LOCAL_DIR", str(tmp_path))
    assert main(["local-dynamodb", "--port", str(_free_port())]) == 2
    err = capsys.readouterr().err
    assert "make dynamodb-local java" in err and len(err.strip().splitlines()) == 1
