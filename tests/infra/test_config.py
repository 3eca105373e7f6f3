"""Config keys -> Settings: defaults from the issue, parsing, and refusal of settings that cannot work."""

from __future__ import annotations

import pulumi
import pytest

from infra.config import Settings, SettingsError, StreamSettings, TableSettings, load_settings, settings_from
from tests.infra.conftest import RecordingMocks

pytestmark = pytest.mark.infra


def test_defaults_match_the_issue() -> None:
    s = settings_from({}.get, "dev")
    assert s.prefix == "receipt-validator-dev"
    assert s.table.use_existing is False
    assert s.table.name == "receipt-validator-dev-receipts"
    assert (s.stream.batch_size, s.stream.batching_window_seconds) == (25, 5)
    assert (s.stream.retry_attempts, s.stream.max_record_age_seconds) == (3, 86_400)
    assert s.build_artifacts is True
    assert s.secret_param_names == ["/receipt-validator/ollama-api-key", "/receipt-validator/google-places-api-key"]


def test_values_are_parsed() -> None:
    cfg = {
        "existingTableName": "receipts",
        "existingTableStreamArn": "arn:aws:dynamodb:us-east-1:1:table/receipts/stream/2024",
        "batchSize": "25",
        "buildArtifacts": "false",
        "placesApiKeyParam": "",
        "ollamaModel": "qwen3:8b",
    }
    s = settings_from(cfg.get, "prod")
    assert s.table.use_existing and s.table.existing_name == "receipts"
    assert s.stream.batch_size == 25
    assert s.build_artifacts is False
    assert s.places_api_key_param is None  # explicitly empty: no Places key at all
    assert s.secret_param_names == ["/receipt-validator/ollama-api-key"]
    assert s.ollama_model == "qwen3:8b"


@pytest.mark.parametrize(
    "cfg",
    [
        {"existingTableName": "receipts"},  # no stream ARN
        {"existingTableName": "r", "existingTableStreamArn": "arn:aws:dynamodb:us-east-1:1:table/r"},
        {"batchSize": "0"},
        {"batchSize": "ten"},
        {"batchingWindowSeconds": "301"},
        {"maxRecordAgeSeconds": "30"},
        {"sweeperTimeout": "901"},
        {"validatorLlm": "gpt"},
        {"buildArtifacts": "maybe"},
        {"prefix": "x" * 41},
        {"prefix": "has space"},
    ],
)
def test_unworkable_settings_are_refused(cfg: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        settings_from(cfg.get, "dev")


def test_settings_validate_when_built_directly() -> None:
    with pytest.raises(SettingsError):
        Settings(stream=StreamSettings(batch_size=0))
    with pytest.raises(SettingsError):
        Settings(table=TableSettings(existing_name="r"))


def test_load_settings_reads_the_project_namespace() -> None:
    pulumi.runtime.set_mocks(RecordingMocks(), project="receipt-validator", stack="staging", preview=False)
    pulumi.runtime.set_all_config({"receipt-validator:batchSize": "7", "receipt-validator:logLevel": "DEBUG"})
    try:
        s = load_settings()
    finally:
        pulumi.runtime.set_all_config({})
    assert s.stream.batch_size == 7
    assert s.log_level == "DEBUG"
    assert s.prefix == "receipt-validator-staging"
