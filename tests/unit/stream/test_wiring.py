"""How the stream function is put together: cold start from its environment, SSM secrets, time budget, the CLI."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest
from moto import mock_aws

from cli.main import main
from cli.settings import Settings
from cli.stream_events import LocalLambdaContext
from domain import secrets
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler
from stream_handlers.validation import use_validation
from tests.fakes.receipts import GROCERY_TRUTH
from tests.unit.stream.records_factory import label_record

LABELS = len(GROCERY_TRUTH)  # per imported receipt (tests/fakes/receipts.py)


def test_cold_start_builds_validation_from_the_environment(
    settings: Settings,
    stream_store: DynamoReceiptRepository,
    import_receipts,
    stream_records,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (ref,) = import_receipts(1)
    monkeypatch.setenv("DYNAMODB_TABLE_NAME", settings.table)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", settings.endpoint_url)
    monkeypatch.setenv("VALIDATOR_LLM", "none")
    use_validation(None)  # as in a fresh container

    with contextlib.redirect_stdout(io.StringIO()):
        response = handler.lambda_handler({"Records": stream_records()}, LocalLambdaContext())

    assert response == {"batchItemFailures": []}
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.totals()["labels_seen"] == LABELS and summary.totals()["writes"] > 0
    assert summary.receipts[0].receipt == str(ref)


def test_secrets_come_from_ssm_when_a_parameter_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    with mock_aws():
        boto3.client("ssm", region_name="us-east-1").put_parameter(
            Name="/rv/ollama-key", Value="from-ssm", Type="SecureString"
        )
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        env = {"OLLAMA_API_KEY_PARAM": "/rv/ollama-key", "OLLAMA_API_KEY": "from-env", "PLACES_API_KEY": "p"}
        assert secrets.read_secret(secrets.OLLAMA_API_KEY, env) == "from-ssm"
        filled = secrets.environment_with_secrets(env)
        assert filled["OLLAMA_API_KEY"] == "from-ssm" and filled["PLACES_API_KEY"] == "p"
    assert secrets.read_secret(secrets.OLLAMA_API_KEY, {"OLLAMA_API_KEY": "k"}) == "k"
    assert secrets.read_secret(secrets.PLACES_API_KEY, {}) is None


class CountingValidation:
    def __init__(self) -> None:
        self.calls = 0

    def validate(self, ref: Any, *, labels: bool, metadata: bool) -> list[Any]:
        self.calls += 1
        return []


class NearlyOutOfTime(LocalLambdaContext):
    def get_remaining_time_in_millis(self) -> int:
        return 1_000


def test_receipts_are_deferred_when_time_runs_short() -> None:
    validation = CountingValidation()
    use_validation(validation)
    try:
        records = [label_record(receipt_id=1), label_record(receipt_id=2)]
        with contextlib.redirect_stdout(io.StringIO()):
            response = handler.lambda_handler({"Records": records}, NearlyOutOfTime())
    finally:
        use_validation(None)
    assert len(response["batchItemFailures"]) == 2 and validation.calls == 0
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.deferred_receipts == 2


def test_stream_command_prints_the_contract_json(settings: Settings, import_receipts, capsys) -> None:
    import_receipts(1)
    argv = ["--endpoint-url", settings.endpoint_url, "--table", settings.table, "--llm", "none"]
    assert main([*argv, "stream", "--until-idle", "0.5", "--batch-size", "5", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in ("receipts", "labels_seen", "valid", "invalid", "needs_review", "left_pending", "llm_calls", "errors"):
        assert key in out
    # its labels and metadata in batches of 5, then the metadata verdict the run wrote (passed, dropped by the handler)
    passing = LABELS + 1
    assert out["receipts"] == 1 and out["labels_seen"] == LABELS and out["batches"] == -(-passing // 5) + 1
    assert out["records_passed_filter"] == passing + 1 and out["on_failure"] == [] and out["failed_records"] == 0
    assert out["ignored_by_handler"] == 1


@pytest.mark.parametrize("bad", [["--batch-size", "0"], ["--max-retries", "-1"], ["--batching-window", "301"]])
def test_stream_command_refuses_bad_options(settings: Settings, bad: list[str]) -> None:
    assert main(["--endpoint-url", settings.endpoint_url, "--table", settings.table, "stream", *bad]) == 2
