"""One metric vocabulary: the stream Lambda and a sweeper Lambda publish the same counter under the same name.

Both real entry points run here as in a fresh container (wired from their environment, rules only) on the same two
receipts, each in its own table; their EMF output is captured the way CloudWatch gets it (stdout) and the names they
publish are listed below. The shared counters must carry the same names, and, since both validated the same PENDING
labels, the same figures.
"""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from cli.settings import Settings
from cli.stream_events import LocalLambdaContext
from domain import keys
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler
from stream_handlers.validation import use_validation
from sweepers import pending
from sweepers.lambda_entry import handler_for
from sweepers.local_context import LocalContext

# What either function publishes about the receipts it validated.
SHARED = {
    "Receipts",
    "ReceiptsFailed",
    "LabelsSeen",
    "LabelsValid",
    "LabelsInvalid",
    "LabelsNeedsReview",
    "LabelsLeftPending",
    "LLMCalls",
    "LLMUnreachable",
    "Errors",
    "Writes",
    "LostRaces",
    "SkippedItems",
}
# What only the stream function has: records, batches, time.
STREAM_ONLY = {
    "Records",
    "RecordsFailed",
    "RecordsIgnored",
    "RecordsMalformed",
    "ReceiptsDeferred",
    "MetadataChecked",
    "Duration",
}


def published(output: str) -> tuple[str, dict[str, float]]:
    """(namespace, metric name -> value) of the one EMF document a function printed for its invocation."""
    docs = [json.loads(line) for line in output.splitlines() if line.startswith("{") and '"_aws"' in line]
    assert len(docs) == 1, "metrics are flushed once per invocation"
    directive = docs[0]["_aws"]["CloudWatchMetrics"][0]
    values = {}
    for metric in directive["Metrics"]:
        value = docs[0][metric["Name"]]
        values[metric["Name"]] = sum(value) if isinstance(value, list) else value
    return directive["Namespace"], values


def test_both_lambdas_publish_the_same_counters_under_the_same_names(
    settings: Settings,
    stream_store: DynamoReceiptRepository,
    import_receipts: Any,
    stream_records: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    refs = import_receipts(2)
    sweep_settings = Settings(settings.endpoint_url, f"{settings.table}-sweep", "us-east-1", "none", None)
    sweep_store = sweep_settings.store()
    sweep_store.create_table()
    sweep_store.write_contexts([c for c in (stream_store.load_receipt(r) for r in refs) if c is not None])
    records = [r for r in stream_records() if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_LABEL]
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", settings.endpoint_url)
    monkeypatch.setenv("VALIDATOR_LLM", "none")

    try:
        monkeypatch.setenv("DYNAMODB_TABLE_NAME", settings.table)
        use_validation(None)  # a fresh stream container: wired from its environment
        stream_out = io.StringIO()
        with contextlib.redirect_stdout(stream_out):
            response = handler.lambda_handler({"Records": records}, LocalLambdaContext())

        monkeypatch.setenv("DYNAMODB_TABLE_NAME", sweep_settings.table)
        sweeper = handler_for(pending.NAME, pending.from_wiring)  # a fresh sweeper container
        sweep_out = io.StringIO()
        with contextlib.redirect_stdout(sweep_out):
            result = sweeper({}, LocalContext(600, "receipt-validator-sweeper-pending"))
    finally:
        use_validation(None)
        sweep_store.client.delete_table(TableName=sweep_settings.table)

    assert response == {"batchItemFailures": []} and result["receipts"] == 2
    stream_namespace, stream = published(stream_out.getvalue())
    sweep_namespace, sweep = published(sweep_out.getvalue())
    assert stream_namespace == sweep_namespace
    assert set(stream) == SHARED | STREAM_ONLY
    assert set(sweep) == SHARED
    # the same counters, with the same figures: both validated the same PENDING labels of the same two receipts
    assert {name: stream[name] for name in SHARED} == {name: sweep[name] for name in SHARED}
    assert stream["Receipts"] == 2 and stream["LabelsSeen"] > 0 and stream["Writes"] > 0
