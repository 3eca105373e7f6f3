"""domain/wiring.py: the one place that builds the store, the verifier, the Places client and reads the secrets.

The Lambdas and the CLI read secrets the same way (the SSM parameter a `*_PARAM` variable names, else the plain
variable); each part is built once, on first use; nothing heavy is imported before the verifier is asked for.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from cli.settings import Settings
from domain.places import GooglePlacesClient
from domain.wiring import Wiring, WiringError, WiringSettings, from_environment
from sweepers import metadata, pending

ROOT = Path(__file__).resolve().parents[2]


def test_the_lambda_wiring_reads_table_endpoint_and_region_from_its_environment() -> None:
    env = {
        "DYNAMODB_TABLE_NAME": "receipts",
        "AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:8000",
        "AWS_REGION": "eu-west-1",
        "VALIDATOR_LLM": "none",
    }
    wiring = from_environment(env)
    store = wiring.store
    assert store.table_name == "receipts"
    assert store.client.meta.endpoint_url == "http://127.0.0.1:8000" and store.client.meta.region_name == "eu-west-1"
    assert wiring.store is store  # once
    assert not wiring.llm_settings.enabled
    with pytest.raises(WiringError, match="DYNAMODB_TABLE_NAME"):
        _ = from_environment({}).store


def test_each_part_is_built_once_and_a_given_part_is_used_as_given() -> None:
    wiring = Wiring(WiringSettings(table="t", region="us-east-1", llm="none", env={}))
    verifier = wiring.verifier
    assert wiring.verifier is verifier and pending.build(verifier).name == "pending"
    mine = object()
    other = wiring.with_parts(store=mine)
    assert other.store is mine and other.verifier is verifier and wiring.with_parts() is wiring


def test_a_metadata_sweep_never_builds_the_verifier() -> None:
    wiring = Wiring(WiringSettings(table="t", llm="ollama", env={"GOOGLE_PLACES_API_KEY": "k"}))
    sweep = metadata.from_wiring(wiring)
    assert sweep.name == "metadata" and "verifier" not in wiring._built
    assert isinstance(wiring.places, GooglePlacesClient) and wiring.places._key == "k"
    assert Wiring(WiringSettings(env={})).places is None


@pytest.mark.parametrize("door", ["lambda", "cli"])
def test_the_cli_and_the_lambdas_read_secrets_from_ssm_the_same_way(door: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with mock_aws():
        ssm = boto3.client("ssm", region_name="us-east-1")
        ssm.put_parameter(Name="/rv/ollama", Value="ollama-from-ssm", Type="SecureString")
        ssm.put_parameter(Name="/rv/places", Value="places-from-ssm", Type="SecureString")
        monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
        monkeypatch.setenv("OLLAMA_API_KEY_PARAM", "/rv/ollama")
        monkeypatch.setenv("OLLAMA_API_KEY", "plain-value-ignored")
        monkeypatch.setenv("PLACES_API_KEY_PARAM", "/rv/places")
        monkeypatch.setenv("OLLAMA_HOST", "http://127.0.0.1:9")
        monkeypatch.setenv("VALIDATOR_LLM", "auto")
        if door == "lambda":
            monkeypatch.setenv("DYNAMODB_TABLE_NAME", "t")
            wiring = from_environment()
        else:
            wiring = Settings(None, "t", "us-east-1", "auto", None).wiring
        llm = wiring.llm_settings
        places = wiring.places
    assert llm.enabled and llm.api_key is not None and llm.api_key.get_secret_value() == "ollama-from-ssm"
    assert isinstance(places, GooglePlacesClient) and places._key == "places-from-ssm"


def test_a_cold_start_imports_neither_langgraph_nor_langchain() -> None:
    code = (
        "import sys\n"
        "import stream_handlers.handler, sweepers.pending, sweepers.metadata, sweepers.reverify, domain.wiring\n"
        "heavy = ('langgraph', 'langchain_core', 'langchain_ollama')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    env = {"PATH": "", "POWERTOOLS_METRICS_NAMESPACE": "Test", "AWS_DEFAULT_REGION": "us-east-1"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
