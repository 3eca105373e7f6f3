"""Ctrl-C on `sweep` prints what finished and a cursor; `sweep --cursor C` resumes there. Through the real entry
point on moto and on DynamoDB Local; the interrupt is a real SIGINT, raised while a receipt is being validated."""

from __future__ import annotations

import json
import signal
from collections import Counter

import pytest

from cli.main import main
from domain.service import validate_receipt
from domain.store.repository import DynamoReceiptRepository
from sweepers import pending
from tests.unit.sweepers.conftest import LABELS_PER_RECEIPT, load_receipts


@pytest.fixture
def argv(store, backend):
    endpoint = ["--endpoint-url", backend] if backend else []
    return ["--table", store.table_name, "--region", "us-east-1", "--llm", "none", *endpoint]


def test_an_interrupted_sweep_reports_what_finished_and_its_cursor_resumes_the_rest(
    store, argv, monkeypatch, capsys
) -> None:
    load_receipts(store, 5)
    monkeypatch.setenv("SWEEPER_MAX_WORKERS", "1")
    calls = {"n": 0}

    def interrupted_during_the_second(*args, **kwargs):
        calls["n"] += 1
        report = validate_receipt(*args, **kwargs)
        if calls["n"] == 2:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C: KeyboardInterrupt in the main thread
        return report

    monkeypatch.setattr(pending, "validate_receipt", interrupted_during_the_second)
    writes: Counter[str] = Counter()
    real_update = DynamoReceiptRepository._update

    def counted(self, key, arguments, what):
        writes[key["SK"]["S"]] += 1
        return real_update(self, key, arguments, what)

    monkeypatch.setattr(DynamoReceiptRepository, "_update", counted)  # every conditional write of the CLI's own store

    assert main([*argv, "sweep", "pending", "--json"]) == 130
    captured = capsys.readouterr()
    first = json.loads(captured.out)
    assert first["stopped_by"] == "interrupted" and first["receipts"] == 2 and first["cursor"]
    assert first["labels_seen"] == 2 * LABELS_PER_RECEIPT
    assert "resume with --cursor" in captured.err

    monkeypatch.setattr(pending, "validate_receipt", validate_receipt)
    assert main([*argv, "sweep", "pending", "--json", "--cursor", first["cursor"]]) == 0
    rest = json.loads(capsys.readouterr().out)
    assert rest["receipts"] == 3 and "cursor" not in rest
    assert first["labels_seen"] + rest["labels_seen"] == 5 * LABELS_PER_RECEIPT  # each label once, none missed
    assert writes and set(writes.values()) == {1}


def test_a_readable_interrupted_summary_names_the_cursor(store, argv, monkeypatch, capsys) -> None:
    load_receipts(store, 2)

    def interrupted(*args, **kwargs):
        report = validate_receipt(*args, **kwargs)
        signal.raise_signal(signal.SIGINT)
        return report

    monkeypatch.setattr(pending, "validate_receipt", interrupted)
    monkeypatch.setenv("SWEEPER_MAX_WORKERS", "1")
    assert main([*argv, "sweep", "pending"]) == 130
    captured = capsys.readouterr()
    assert "sweep pending: 1 receipts" in captured.out and "stopped early (interrupted)" in captured.out
    assert "interrupted: the summary above covers the receipts that finished" in captured.err


@pytest.mark.parametrize("cursor", ["not-a-cursor", "{}"])
def test_a_cursor_of_another_sweep_is_bad_usage(store, argv, cursor, capsys) -> None:
    load_receipts(store, 1)
    assert main([*argv, "sweep", "pending", "--cursor", cursor]) == 2
    assert "is not a cursor of this sweep" in capsys.readouterr().err
