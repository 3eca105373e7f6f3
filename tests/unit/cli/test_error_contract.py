"""One error contract for every command: exit 2 + one line for bad usage/input/configuration, never a traceback.

Each case is a bug observed by trying the CLI as a new user would (issue: the people's side).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import pytest
from moto import mock_aws

from cli.main import main
from tests.fakes.receipts import sample_bundle

TABLE = ["--table", "contract-test"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def aws():
    with mock_aws():
        yield


def test_endpoint_without_scheme_is_one_line_exit_2(capsys):
    assert main(["--endpoint-url", "localhost:8000", "status"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "localhost:8000" in line and "http://localhost:8000" in line


def test_bogus_llm_from_the_environment_is_one_line_exit_2(monkeypatch, capsys):
    monkeypatch.setenv("VALIDATOR_LLM", "bogus")
    assert main(["status"]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "VALIDATOR_LLM" in line and "bogus" in line


def test_export_to_a_missing_directory_is_one_line_exit_2(aws, tmp_path, capsys):
    assert main([*TABLE, "table", "create"]) == 0
    capsys.readouterr()
    assert main([*TABLE, "export", str(tmp_path / "nonexistent" / "x.jsonl")]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "nonexistent" in line


@pytest.mark.parametrize(
    "argv",
    [
        ["table", "create"],
        ["stream", "--until-idle", "0.1"],
        ["status"],
        ["sweep", "pending"],
        ["export", "-"],
        ["review", "list"],
    ],
)
def test_unreachable_endpoint_is_exit_2_naming_where(argv, capsys):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    assert main(["--endpoint-url", endpoint, "--region", "eu-west-3", *TABLE, *argv]) == 2
    line = _one_line(capsys.readouterr().err)
    assert endpoint in line and "eu-west-3" in line


@pytest.mark.parametrize(
    "argv", [["stream", "--until-idle", "0.1"], ["status"], ["sweep", "pending"], ["export", "-"], ["review", "list"]]
)
def test_missing_table_is_exit_2_with_region(aws, argv, capsys):
    assert main(["--region", "us-east-1", "--table", "nope", *argv]) == 2
    line = _one_line(capsys.readouterr().err)
    assert "nope" in line and "us-east-1" in line and "table create" in line


def test_missing_credentials_say_so_and_how_to_set_dummy_ones(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "none"),
        AWS_CONFIG_FILE=str(tmp_path / "none"),
        AWS_EC2_METADATA_DISABLED="true",
        AWS_ACCOUNT_ID_ENDPOINT_MODE="disabled",
    )
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    proc = subprocess.run(
        [sys.executable, "-m", "cli.main", "--endpoint-url", endpoint, "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    line = _one_line(proc.stderr)
    assert "no AWS credentials" in line and "AWS_ACCESS_KEY_ID" in line


def test_broken_pipe_ends_quietly(tmp_path):
    """`export - | head -1`: the reader stops early; no traceback, no 'Exception ignored' noise."""
    script = (
        "import sys\n"
        "from moto import mock_aws\n"
        "from cli.main import main\n"
        "from domain.store.repository import DynamoReceiptRepository, make_client\n"
        "from domain.bundles import parse_bundle_lines\n"
        "import json\n"
        "from tests.fakes.receipts import sample_bundle\n"
        "with mock_aws():\n"
        "    s = DynamoReceiptRepository('pipe', make_client(None, 'us-east-1')); s.create_table()\n"
        "    rows = [json.dumps(sample_bundle(receipt_id=i)) for i in range(1, 200)]\n"
        "    s.write_contexts(parse_bundle_lines(rows).contexts)\n"
        "    sys.exit(main(['--table', 'pipe', 'export', '-']))\n"
    )
    proc = subprocess.run(
        f"{sys.executable} -c {_shell_quote(script)} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=180,
        executable="/bin/bash",
    )
    assert proc.stdout.count("\n") == 1 and json.loads(proc.stdout)["kind"] in ("label", "metadata")
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr and "Exception" not in proc.stderr


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\"'\"'") + "'"


def test_long_error_lists_are_capped(aws, tmp_path, capsys):
    assert main([*TABLE, "table", "create"]) == 0
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join("{broken" for _ in range(500)) + "\n")
    capsys.readouterr()
    assert main([*TABLE, "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) <= 25
    assert "line 1: malformed JSON" in err and "and 480 more" in err


def test_verbose_shows_the_traceback(capsys):
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    assert main(["-v", "--endpoint-url", endpoint, *TABLE, "table", "create"]) == 2
    assert "Traceback" in capsys.readouterr().err


def test_import_of_a_valid_file_into_a_missing_table_writes_nothing(aws, tmp_path, capsys):
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps(sample_bundle()) + "\n")
    assert main(["--table", "absent", "import", str(path)]) == 2
    assert "us-east-1" in _one_line(capsys.readouterr().err)
