"""Backend for the stream tests: the embedded moto server and DynamoDB Local (integration tier), or only the endpoint
named by STREAM_TEST_ENDPOINT. Each test gets its own table, so one server serves the whole session."""

from __future__ import annotations

import io
import json
import os
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cli.embedded import embedded_dynamodb, prepare_local_aws_env
from cli.settings import Settings
from cli.stream_events import lambda_record
from cli.stream_filter import StreamFilter
from cli.stream_reader import ReaderOptions, StreamReader
from cli.stream_runtime import stream_reader_for
from domain.bundles import parse_bundle_lines
from domain.model import ReceiptRef
from domain.store.repository import DynamoReceiptRepository
from stream_handlers.validation import use_validation
from tests.fakes.receipts import grocery_bundle

prepare_local_aws_env()


@pytest.fixture(scope="session", params=["moto", pytest.param("dynamodb_local", marks=pytest.mark.integration)])
def endpoint(request: pytest.FixtureRequest) -> Iterator[str]:
    """Every stream test runs on the embedded moto server and again on DynamoDB Local (the fidelity tier)."""
    external = os.environ.get("STREAM_TEST_ENDPOINT")
    if external:
        yield external
        return
    if request.param == "dynamodb_local":
        yield request.getfixturevalue("dynamodb_local_endpoint")
        return
    with embedded_dynamodb() as url:
        yield url


@pytest.fixture
def settings(endpoint: str) -> Settings:
    return Settings(endpoint, f"stream-{uuid.uuid4().hex[:10]}", "us-east-1", "none", None)


@pytest.fixture
def stream_store(settings: Settings) -> Iterator[DynamoReceiptRepository]:
    """A repository on a fresh table with a stream, on the served backend of `endpoint` (not the `store` fixture's
    in-process moto: the stream reader reads the table through its endpoint)."""
    s = settings.store()
    s.create_table()
    yield s
    use_validation(None)
    s.client.delete_table(TableName=settings.table)


@pytest.fixture(scope="session")
def verifier() -> Any:
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier

    return build_verifier(LLMSettings(provider="none"))


@pytest.fixture
def import_receipts(stream_store: DynamoReceiptRepository) -> Callable[..., list[ReceiptRef]]:
    def load(count: int = 2, *, status: str = "PENDING") -> list[ReceiptRef]:
        bundles = [grocery_bundle(str(uuid.uuid4()), status=status) for _ in range(count)]
        contexts = parse_bundle_lines([json.dumps(b) for b in bundles]).contexts
        stream_store.write_contexts(contexts)
        return [c.ref for c in contexts]

    return load


@pytest.fixture
def function_output() -> io.StringIO:
    return io.StringIO()


@pytest.fixture
def make_reader(
    settings: Settings, stream_store: DynamoReceiptRepository, verifier: Any, function_output: io.StringIO
) -> Callable[..., StreamReader]:
    """A reader wired to the real handler and a rules-only verifier, with fast polling."""

    def make(**options: Any) -> StreamReader:
        opts = {"until_idle_s": 0.3, "poll_interval_s": 0.02, "retry_delay_s": 0.0, **options}
        return stream_reader_for(
            settings, ReaderOptions(**opts), store=stream_store, verifier=verifier, function_output=function_output
        )

    return make


@pytest.fixture
def stream_records(settings: Settings, stream_store: DynamoReceiptRepository) -> Callable[[], list[dict[str, Any]]]:
    """Every record now on the table's stream that passes the mapping's filter, as Lambda event records."""

    def read() -> list[dict[str, Any]]:
        client = settings.streams_client()
        arn = stream_store.stream_arn()
        shards = client.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
        flt = StreamFilter()
        out: list[dict[str, Any]] = []
        for shard in shards:
            it = client.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
            iterator = it["ShardIterator"]
            while iterator:
                page = client.get_records(ShardIterator=iterator, Limit=1000)
                if not page["Records"]:
                    break
                out += [r for r in (lambda_record(x, arn, "us-east-1") for x in page["Records"]) if flt.matches(r)]
                iterator = page.get("NextShardIterator")
        return out

    return read
