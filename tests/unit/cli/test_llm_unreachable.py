"""An Ollama host on a closed port, through the real entry point: fail fast, say it once, decide nothing.

Runs on the embedded moto server (DynamoDB with Streams) and a loopback port nothing listens on. Speed is not asserted
here (no timed tests); the note of issue 13 has the wall times measured with `time` on the same commands.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator

import pytest

from cli.embedded import embedded_dynamodb
from cli.main import main
from domain.bundles import parse_bundle_lines
from domain.model import ReceiptContext
from domain.store.repository import DynamoReceiptRepository, make_client
from samples import generate_receipts

SECRET = "sk-closed-port-test-key"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with embedded_dynamodb() as url:
        yield url


@pytest.fixture
def dead_ollama(monkeypatch: pytest.MonkeyPatch) -> str:
    """OLLAMA_HOST on a closed port, auto mode, and a key that must never be printed."""
    host = f"http://127.0.0.1:{closed_port()}"
    monkeypatch.setenv("OLLAMA_HOST", host)
    monkeypatch.setenv("OLLAMA_API_KEY", SECRET)
    monkeypatch.setenv("VALIDATOR_LLM", "auto")
    return host


def twelve_receipts() -> list[ReceiptContext]:
    bundles = [json.dumps(g.bundle) for g in generate_receipts(12, seed=13)]
    return parse_bundle_lines(bundles).contexts


def new_table(endpoint: str, contexts: list[ReceiptContext]) -> DynamoReceiptRepository:
    store = DynamoReceiptRepository(f"llm-down-{uuid.uuid4().hex[:8]}", make_client(endpoint, "us-east-1"))
    store.create_table()
    store.write_contexts(contexts)
    return store


def statuses(store: DynamoReceiptRepository, contexts: list[ReceiptContext]) -> dict[tuple[str, str], str]:
    return {key: status for key, (status, _) in verdicts(store, contexts).items()}


def verdicts(
    store: DynamoReceiptRepository, contexts: list[ReceiptContext]
) -> dict[tuple[str, str], tuple[str, str | None]]:
    out = {}
    for ctx in contexts:
        loaded = store.load_receipt(ctx.ref)
        assert loaded is not None
        for label in loaded.labels:
            out[(str(ctx.ref), label.claim_id)] = (label.validation_status.value, label.validated_by)
    return out


@pytest.mark.slow
def test_sweep_exits_1_says_it_once_and_decides_only_what_the_rules_decide(
    endpoint: str, dead_ollama: str, capsys: pytest.CaptureFixture[str]
) -> None:
    contexts = twelve_receipts()
    down = new_table(endpoint, contexts)
    rules = new_table(endpoint, contexts)

    code = main(["--endpoint-url", endpoint, "--table", down.table_name, "sweep", "pending", "--json"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count(f"Ollama unreachable at {dead_ollama}: ") == 1
    assert "llm_retry" not in err and SECRET not in err + out
    summary = json.loads(out)
    assert summary["receipts"] == 12 and summary["llm_calls"] == 0 and summary["left_pending"] > 0

    assert main(["--endpoint-url", endpoint, "--table", rules.table_name, "--llm", "none", "sweep", "pending"]) == 0
    capsys.readouterr()
    after_down, after_rules = verdicts(down, contexts), verdicts(rules, contexts)
    assert after_down.keys() == after_rules.keys()
    for key, (status, by) in after_down.items():
        assert not (by or "").startswith("cove:"), key  # the unreachable LLM decided nothing
        if after_rules[key][0] != "PENDING":
            assert (status, by) == after_rules[key], key  # every verdict of the rules landed the same
        elif status != "PENDING":
            # code evidence in conflict goes to review only when an LLM is configured: still a rule's verdict
            assert status == "NEEDS_REVIEW" and by == "rule:conflict", (key, status, by)
    assert sum(s == "PENDING" for s, _ in after_down.values()) == summary["left_pending"]


@pytest.mark.slow
def test_stream_ends_with_exit_1_and_the_line_once(
    endpoint: str, dead_ollama: str, capsys: pytest.CaptureFixture[str]
) -> None:
    store = DynamoReceiptRepository(f"llm-down-{uuid.uuid4().hex[:8]}", make_client(endpoint, "us-east-1"))
    store.create_table()
    contexts = twelve_receipts()[:4]
    store.write_contexts(contexts)
    argv = ["--endpoint-url", endpoint, "--table", store.table_name, "stream", "--until-idle", "2", "--json"]
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count(f"Ollama unreachable at {dead_ollama}: ") == 1
    assert SECRET not in err + out
    summary = json.loads(out)
    assert summary["llm_calls"] == 0 and summary["left_pending"] > 0
    pending = sum(s == "PENDING" for s in statuses(store, contexts).values())
    assert pending > 0


def test_demo_in_auto_mode_says_the_llm_is_unreachable_and_runs_rules_only(
    dead_ollama: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--count", "2", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err.count(f"Ollama unreachable at {dead_ollama}: ") == 1
    assert "running rules only" in err and SECRET not in err + out
    report = json.loads(out)
    assert report["llm"].startswith("none (rules only")
    assert report["stream"]["llm_calls"] == 0 and report["stream"]["on_failure"] == []
