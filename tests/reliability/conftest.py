"""Reliability fixtures: a moto table per test (in-process), the rules-only verifier, and a clean handler seam."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from domain.store.repository import DynamoReceiptRepository, make_client
from stream_handlers.validation import use_validation


@pytest.fixture
def table() -> Iterator[DynamoReceiptRepository]:
    """A fresh table with its stream on moto in-process; the stream handler's validation is reset afterwards."""
    from moto import mock_aws

    from cli.moto_patches import serialized_stream_records

    # moto numbers a stream record before appending it, so two verdict writes at once can share a number
    # (tests/unit/cli/test_moto_patches.py shows it); DynamoDB never does. The fix the embedded backend uses.
    with mock_aws(), serialized_stream_records():
        store = DynamoReceiptRepository(f"reliability-{uuid.uuid4().hex[:8]}", make_client(None, "us-east-1"))
        store.create_table()
        try:
            yield store
        finally:
            use_validation(None)


@pytest.fixture(scope="session")
def rules_verifier() -> Any:
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier

    return build_verifier(LLMSettings(provider="none"))


@pytest.fixture
def local_table(dynamodb_local_endpoint: str) -> Iterator[DynamoReceiptRepository]:
    """A fresh table on DynamoDB Local (the session's server), for faults moto would apply anyway."""
    store = DynamoReceiptRepository(
        f"reliability-{uuid.uuid4().hex[:8]}", make_client(dynamodb_local_endpoint, "us-east-1")
    )
    store.create_table()
    try:
        yield store
    finally:
        use_validation(None)
        store.client.delete_table(TableName=store.table_name)
