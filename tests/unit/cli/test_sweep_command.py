"""`receipt-validator sweep` and `invoke` through the real entry point."""

from __future__ import annotations

import io
import json

import boto3
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from moto import mock_aws

from cli import sweep_command
from cli.main import main
from domain.store.repository import DynamoReceiptRepository, make_client
from tests.unit.sweepers.conftest import load_receipts, raw_items

TABLE = "cli-sweeps"


@pytest.fixture
def table():
    with mock_aws():
        store = DynamoReceiptRepository(TABLE, make_client(None, "us-east-1"))
        store.create_table()
        yield store


def _receipt_items(items: dict, ref) -> dict:
    prefix = f"RECEIPT#{ref.receipt_id:05d}"
    return {k: v for k, v in items.items() if k[0] == f"IMAGE#{ref.image_id}" and k[1].startswith(prefix)}


def test_sweep_named_receipt_changes_only_that_receipt(table, capsys):
    contexts = load_receipts(table, 3)
    before = raw_items(table)
    target = contexts[1].ref

    assert main(["--table", TABLE, "sweep", "pending", "--receipt", str(target), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    after = raw_items(table)

    assert summary["sweep"] == "pending" and summary["receipts"] == 1
    assert summary["labels_seen"] == len(contexts[1].labels) and summary["errors"] == 0
    for context in contexts:
        same = _receipt_items(after, context.ref) == _receipt_items(before, context.ref)
        assert same is (context.ref != target)


def test_unknown_receipt_is_bad_usage_and_writes_nothing(table, capsys):
    contexts = load_receipts(table, 1)
    before = raw_items(table)
    code = main(["--table", TABLE, "sweep", "pending", "--receipt", str(contexts[0].ref), "--receipt", "nope/1"])
    assert code == 2
    assert f"receipt nope/1 not found in table {TABLE}" in capsys.readouterr().err
    assert raw_items(table) == before


@pytest.mark.parametrize("argv", [["--receipt", "no-slash"], ["--limit", "0"]])
def test_malformed_options_are_bad_usage(table, argv, capsys):
    try:
        code = main(["--table", TABLE, "sweep", "pending", *argv])
    except SystemExit as exited:  # argparse's own refusal
        code = exited.code
    assert code == 2


def test_missing_table_is_bad_usage(table, capsys):
    assert main(["--table", "no-such-table", "sweep", "metadata"]) == 2
    assert "table no-such-table not found" in capsys.readouterr().err


def test_readable_dry_run_summary(table, capsys):
    load_receipts(table, 2)
    before = raw_items(table)
    assert main(["--table", TABLE, "sweep", "pending", "--dry-run", "--limit", "1"]) == 0
    out = capsys.readouterr().out
    assert "sweep pending (dry run: nothing written): 1 receipts" in out and "stopped early (limit)" in out
    assert raw_items(table) == before


# ---- invoke -----------------------------------------------------------------------------------------------------


def _stubbed_lambda(monkeypatch, response: dict, expected_payload: dict, function: str) -> Stubber:
    client = boto3.client("lambda", region_name="us-east-1")
    stub = Stubber(client)
    body = json.dumps(response.pop("body")).encode()
    stub.add_response(
        "invoke",
        {"StatusCode": 200, "Payload": StreamingBody(io.BytesIO(body), len(body)), **response},
        {
            "FunctionName": function,
            "InvocationType": "RequestResponse",
            "Payload": json.dumps(expected_payload).encode(),
        },
    )
    stub.activate()
    monkeypatch.setattr(sweep_command, "lambda_client", lambda settings: client)
    return stub


SUMMARY = {
    "sweep": "pending",
    "dry_run": True,
    "receipts": 2,
    "labels_seen": 9,
    "valid": 6,
    "invalid": 2,
    "needs_review": 0,
    "left_pending": 1,
    "llm_calls": 0,
    "errors": 0,
    "writes": 0,
    "lost_races": 0,
    "failed_receipts": [],
    "failed_receipts_total": 0,
    "slices": 1,
}


def test_invoke_sends_the_payload_and_prints_the_summary(monkeypatch, capsys):
    monkeypatch.setenv("SWEEPER_FUNCTION_PREFIX", "receipt-validator-dev-sweeper-")
    payload = {"receipts": [{"image_id": "img-1", "receipt_id": 3}], "limit": 5, "dry_run": True}
    stub = _stubbed_lambda(monkeypatch, {"body": SUMMARY}, payload, "receipt-validator-dev-sweeper-pending")
    code = main(["invoke", "pending", "--receipt", "img-1/3", "--limit", "5", "--dry-run", "--json"])
    stub.assert_no_pending_responses()
    assert code == 0 and json.loads(capsys.readouterr().out) == SUMMARY


def test_invoke_function_error_exits_1_with_the_message(monkeypatch, capsys):
    error = {"errorMessage": "Task timed out after 900.00 seconds", "errorType": "TimeoutError"}
    stub = _stubbed_lambda(monkeypatch, {"body": error, "FunctionError": "Unhandled"}, {}, "my-sweeper")
    assert main(["invoke", "reverify", "--function-name", "my-sweeper"]) == 1
    stub.assert_no_pending_responses()
    assert "Task timed out after 900.00 seconds" in capsys.readouterr().err


def test_invoke_failed_receipts_exit_1_and_are_named(monkeypatch, capsys):
    failed = {**SUMMARY, "errors": 1, "failed_receipts": [{"receipt": "img-1/3", "error": "verify: timeout"}]}
    stub = _stubbed_lambda(monkeypatch, {"body": failed}, {}, "my-sweeper")
    assert main(["invoke", "pending", "--function-name", "my-sweeper"]) == 1
    stub.assert_no_pending_responses()
    captured = capsys.readouterr()
    assert "failed: img-1/3: verify: timeout" in captured.err and "sweep pending" in captured.out


def test_invoke_refused_request_is_bad_usage(monkeypatch, capsys):
    refused = {"sweep": "pending", "error": "receipt nope/1 not found in table T", "problems": []}
    payload = {"receipts": [{"image_id": "nope", "receipt_id": 1}]}
    stub = _stubbed_lambda(monkeypatch, {"body": refused}, payload, "my-sweeper")
    assert main(["invoke", "pending", "--function-name", "my-sweeper", "--receipt", "nope/1"]) == 2
    stub.assert_no_pending_responses()
    assert "receipt nope/1 not found in table T" in capsys.readouterr().err


def test_invoke_without_a_function_name_says_how_to_name_it(monkeypatch, capsys):
    monkeypatch.delenv("SWEEPER_FUNCTION_PREFIX", raising=False)
    assert main(["invoke", "metadata", "--receipt", "img-1/1"]) == 2
    assert "SWEEPER_FUNCTION_PREFIX" in capsys.readouterr().err


def test_invoke_without_a_state_machine_says_how_to_name_it(monkeypatch, capsys):
    monkeypatch.delenv("SWEEP_STATE_MACHINE_PREFIX", raising=False)
    assert main(["invoke", "metadata"]) == 2
    assert "SWEEP_STATE_MACHINE_PREFIX" in capsys.readouterr().err


def test_dry_run_lists_what_would_change_per_label(table, capsys):
    """`sweep --dry-run` names each label whose verdict would change (all of them in --json), writing nothing."""
    load_receipts(table, 2)
    before = raw_items(table)
    assert main(["--table", TABLE, "sweep", "pending", "--dry-run", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    changes = summary["changes"]
    decided = summary["valid"] + summary["invalid"] + summary["needs_review"]
    assert decided > 0 and len(changes) == decided
    assert all(c["from"] == "PENDING" and c["to"] in ("VALID", "INVALID", "NEEDS_REVIEW") for c in changes)
    assert all({"receipt", "line_id", "word_id", "label", "reasoning"} <= set(c) for c in changes)
    assert raw_items(table) == before

    assert main(["--table", TABLE, "sweep", "pending", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"would change {len(changes)} verdict(s):" in out
    first = changes[0]
    assert f"{first['receipt']} {first['line_id']}/{first['word_id']} {first['label']}: PENDING -> {first['to']}" in out
    if len(changes) > 20:
        assert f"... and {len(changes) - 20} more" in out


def test_sweep_one_segment_locally(moto_store, monkeypatch, capsys):
    """`sweep --segment` runs one key range, as one branch of the state machine does; a bad segment is bad usage."""
    from domain.keys import segment_of
    from tests.unit.sweepers.conftest import load_receipts

    contexts = load_receipts(moto_store, 12, seed=5)
    segment = segment_of(f"IMAGE#{contexts[0].ref.image_id}")
    expected = sum(segment_of(f"IMAGE#{c.ref.image_id}") == segment for c in contexts)
    args = ["--table", moto_store.table_name, "sweep", "pending", "--segment", segment, "--json", "--dry-run"]
    monkeypatch.setattr("cli.settings.Settings.store", lambda self: moto_store, raising=False)
    code = main(args)
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1) and out["receipts"] == expected and out["segment"] == segment
    with pytest.raises(SystemExit) as bad:
        main(["sweep", "pending", "--segment", "g"])
    assert bad.value.code == 2 and "invalid choice: 'g'" in capsys.readouterr().err
