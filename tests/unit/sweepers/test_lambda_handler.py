"""A sweeper's real Lambda entry point: scheduled event in, summary out, one EMF document, no receipt text logged."""

from __future__ import annotations

import json

from moto import mock_aws

from domain.store.repository import DynamoReceiptRepository, make_client
from sweepers import pending
from sweepers.local_context import LocalContext
from tests.unit.sweepers.conftest import load_receipts
from tests.unit.sweepers.test_runner import SCHEDULED


def test_scheduled_pending_sweep_through_the_lambda_handler(monkeypatch, capsys):
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", "lambda-sweeps")
    with mock_aws():
        store = DynamoReceiptRepository("lambda-sweeps", make_client(None, "us-east-1"))
        store.create_table()
        contexts = load_receipts(store, 2)
        result = pending.lambda_handler(SCHEDULED, LocalContext(600, "receipt-validator-dev-sweeper-pending"))

    assert result["sweep"] == "pending" and result["receipts"] == 2 and result["errors"] == 0
    assert result["labels_seen"] == sum(len(c.labels) for c in contexts)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    emf = [doc for doc in lines if "_aws" in doc]
    assert len(emf) == 1  # flushed once per invocation
    assert emf[0]["sweep"] == "pending" and emf[0]["Receipts"] in (2.0, [2.0]) and emf[0]["Errors"] in (0.0, [0.0])
    logs = [doc for doc in lines if "_aws" not in doc]
    assert any(doc.get("message") == "sweep finished" for doc in logs)
    logged = json.dumps(logs)
    texts = {w.text for c in contexts for w in c.words if len(w.text) >= 4 and not w.text.isupper()}
    assert texts and not [t for t in texts if t in logged]


def test_an_unreachable_llm_fails_the_receipts_at_once_and_emits_the_metric(monkeypatch, capsys):
    import socket

    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier
    from sweepers.lambda_entry import handler_for
    from tests.fakes.checks import StubChecks

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", "lambda-llm-down")
    checks = StubChecks()  # no code evidence: every label needs the LLM
    settings = LLMSettings.from_env({"VALIDATOR_LLM": "ollama", "OLLAMA_HOST": f"http://127.0.0.1:{port}"})
    verifier = build_verifier(settings, evaluate=checks.evaluate, rules_decision=checks.rules_decision)
    handler = handler_for("pending", lambda _wiring: pending.build(verifier))
    with mock_aws():
        store = DynamoReceiptRepository("lambda-llm-down", make_client(None, "us-east-1"))
        store.create_table()
        contexts = load_receipts(store, 3)
        result = handler(SCHEDULED, LocalContext(600, "receipt-validator-dev-sweeper-pending"))
        after = [store.load_receipt(c.ref) for c in contexts]

    assert result["llm_calls"] == 0 and result["writes"] == 0
    assert len(result["failed_receipts"]) == 3  # reported failed, to be retried: nothing decided
    assert all(lb.validation_status.value == "PENDING" for ctx in after if ctx for lb in ctx.labels)
    emf = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{") and "_aws" in line]
    assert emf[0]["LLMUnreachable"] in (1.0, [1.0])
