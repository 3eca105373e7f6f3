"""The local event source mapping under stream faults: expired iterators, trimmed records, a throttled receipt.

Principle 2: the stream is the fast path and the sweep reconciles. The reader must survive what DynamoDB Streams
throws at it without reading a record twice or skipping one it could still read; records it truly lost are found by
the pending sweep. Every run ends on the table: sound, complete, each label written at most once.
"""

from __future__ import annotations

import io
import json
from types import SimpleNamespace
from typing import Any

from cli.settings import Settings
from cli.stream_reader import ReaderOptions, StreamReader
from cli.stream_runtime import stream_reader_for
from domain import keys
from domain.store.repository import DynamoReceiptRepository
from sweepers import pending
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import run_sweep
from tests.reliability.dynamo_faults import DynamoFaults, query_pk
from tests.reliability.stream_io import stream_records
from tests.reliability.table_state import assert_sound, label_keys_of, load_samples


def reader_for(table: DynamoReceiptRepository, verifier: Any, **options: Any) -> StreamReader:
    settings = Settings(None, table.table_name, "us-east-1", "none", None)
    opts = {"until_idle_s": 0.3, "poll_interval_s": 0.01, "retry_delay_s": 0.0, **options}
    return stream_reader_for(
        settings, ReaderOptions(**opts), store=table, verifier=verifier, function_output=io.StringIO()
    )


def streams_fault(reader: StreamReader, operation: str, code: str, when: Any) -> list[dict[str, Any]]:
    """Makes `operation` on the reader's Streams client fail with `code` whenever `when(request body)` says so."""
    hits: list[dict[str, Any]] = []

    def before(params: dict[str, Any], **_: Any) -> Any:
        body = json.loads(params.get("body") or b"{}")
        if not when(body, len(hits)):
            return None
        hits.append(body)
        error = {"Error": {"Code": code, "Message": f"injected {code}"}, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return SimpleNamespace(status_code=400, headers={}), error

    reader.client.meta.events.register(f"before-call.dynamodb-streams.{operation}", before)
    return hits


def test_expired_iterators_and_a_throttled_receipt_end_with_every_record_read_once(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    contexts = load_samples(table, 4)
    expected = label_keys_of(contexts)
    reader = reader_for(table, rules_verifier, batch_size=5)
    calls = {"n": 0}

    def every_other_read(_body: dict[str, Any], hits: int) -> bool:
        """The 1st, 3rd and 5th reads find their iterator expired (a long invocation outlived it)."""
        calls["n"] += 1
        return hits < 3 and calls["n"] % 2 == 1

    expired = streams_fault(reader, "GetRecords", "ExpiredIteratorException", every_other_read)
    victim = contexts[2].ref
    faults = DynamoFaults(table.client)
    faults.fail(
        "Query",
        "ProvisionedThroughputExceededException",
        when=lambda b: query_pk(b) == keys.image_pk(victim.image_id),
        times=2,
    )

    summary = reader.run()

    assert len(expired) == 3
    # each record once: no gap, no re-read after re-obtaining (the validator's own metadata verdicts included: they
    # pass the filter and the handler drops them)
    assert summary.records_passed_filter == len(stream_records(table))
    assert summary.on_failure == [] and summary.retries == 2
    state = assert_sound(table, expected)
    data = summary.as_dict()
    assert data["valid"] + data["invalid"] + data["needs_review"] == state.total() - len(state.pending)
    assert data["left_pending"] == len(state.pending)
    assert faults.rewritten() == {}


def test_a_failure_that_outlasts_the_retries_goes_on_the_failure_list_and_the_sweep_finds_it(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    contexts = load_samples(table, 3)
    expected = label_keys_of(contexts)
    victim = contexts[0].ref
    faults = DynamoFaults(table.client)
    faults.fail("Query", "ThrottlingException", when=lambda b: query_pk(b) == keys.image_pk(victim.image_id))

    summary = reader_for(table, rules_verifier, batch_size=4, max_retries=2).run()

    # As Lambda does, the failure list holds the batch from the first failed record on: later receipts of that
    # batch may be listed too, though their own verdicts landed.
    listed = {r for entry in summary.on_failure for r in entry["receipts"]}
    assert str(victim) in listed
    assert summary.as_dict()["failed_receipts"] == [str(victim)]
    state = assert_sound(table, expected)
    assert {k for k in expected if k[0] == keys.image_pk(victim.image_id)} <= state.pending

    faults.clear()
    swept = run_sweep(pending.build(rules_verifier), SweepPayload(), table, LocalContext(60))
    assert swept.failed_receipts == []
    final = assert_sound(table, expected)
    assert len(final.pending) == swept.counts["left_pending"]
    assert faults.rewritten() == {}


def test_trimmed_records_do_not_stop_the_reader_and_the_sweep_finds_what_it_lost(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    """GetRecords says the data behind the iterator was trimmed, and so does GetShardIterator for the checkpoint.

    Lambda's mapping then resumes at the oldest record still there; records in between are lost to the fast path,
    which is exactly what the pending sweep is for. The reader must not crash on it.
    """
    contexts = load_samples(table, 3)
    expected = label_keys_of(contexts)
    reader = reader_for(table, rules_verifier, batch_size=5)
    trimmed = streams_fault(
        reader, "GetRecords", "TrimmedDataAccessException", lambda _b, hits: hits == 0 and reader_read(reader)
    )
    refused = streams_fault(
        reader,
        "GetShardIterator",
        "TrimmedDataAccessException",
        lambda b, hits: hits == 0 and b.get("ShardIteratorType") == "AFTER_SEQUENCE_NUMBER",
    )

    summary = reader.run()  # must return, not raise

    assert len(trimmed) == 1 and len(refused) == 1
    assert summary.on_failure == []
    assert_sound(table, expected)
    swept = run_sweep(pending.build(rules_verifier), SweepPayload(), table, LocalContext(60))
    final = assert_sound(table, expected)
    assert swept.failed_receipts == [] and len(final.pending) == swept.counts["left_pending"]


def reader_read(reader: StreamReader) -> bool:
    """True once the reader has read something (so the trim hits mid-stream, after a checkpoint exists)."""
    return reader.summary.records_read > 0
