"""A sweeper's real Lambda entry point: scheduled event in, summary out, one EMF document, no receipt text logged."""

from __future__ import annotations

import json

from moto import mock_aws

from domain.store import ReceiptStore, make_client
from sweepers import pending
from sweepers.local_context import LocalContext
from tests.unit.sweepers.conftest import load_receipts
from tests.unit.sweepers.test_runner import SCHEDULED


def test_scheduled_pending_sweep_through_the_lambda_handler(monkeypatch, capsys):
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", "lambda-sweeps")
    with mock_aws():
        store = ReceiptStore("lambda-sweeps", make_client(None, "us-east-1"))
        store.create_table()
        contexts = load_receipts(store, 2)
        result = pending.lambda_handler(SCHEDULED, LocalContext(600, "receipt-validator-dev-sweeper-pending"))

    assert result["sweep"] == "pending" and result["receipts"] == 2 and result["errors"] == 0
    assert result["labels_seen"] == sum(len(c.labels) for c in contexts)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    emf = [doc for doc in lines if "_aws" in doc]
    assert len(emf) == 1  # flushed once per invocation
    assert emf[0]["sweep"] == "pending" and emf[0]["SweepReceipts"] in (2.0, [2.0]) and emf[0]["Errors"] in (0.0, [0.0])
    logs = [doc for doc in lines if "_aws" not in doc]
    assert any(doc.get("message") == "sweep finished" for doc in logs)
    logged = json.dumps(logs)
    texts = {w.text for c in contexts for w in c.words if len(w.text) >= 4 and not w.text.isupper()}
    assert texts and not [t for t in texts if t in logged]
