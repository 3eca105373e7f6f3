"""The local event source mapping: filter, batching, retry from the first failure, bisect, on-failure, iterators."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from cli.stream_filter import StreamFilter
from cli.stream_reader import ReaderOptions, StreamReader
from tests.unit.stream.records_factory import label_record, metadata_record, remove_record, word_record

ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/2024"


class FakeStreams:
    """One open shard holding `records` (GetRecords shape), served `page` at a time; can expire one iterator."""

    def __init__(self, records: list[dict[str, Any]], *, page: int = 1000, expire_once_at: int | None = None):
        self.records = [_as_get_records(r) for r in records]
        self.page = page
        self.expire_once_at = expire_once_at
        self.iterator_requests: list[dict[str, Any]] = []

    def describe_stream(self, **kwargs: Any) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": "shard-1"}]}}

    def get_shard_iterator(self, **kwargs: Any) -> dict[str, Any]:
        self.iterator_requests.append(kwargs)
        if kwargs["ShardIteratorType"] == "TRIM_HORIZON":
            return {"ShardIterator": "0"}
        seqs = [r["dynamodb"]["SequenceNumber"] for r in self.records]
        return {"ShardIterator": str(seqs.index(kwargs["SequenceNumber"]) + 1)}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        position = int(ShardIterator)
        if self.expire_once_at is not None and position >= self.expire_once_at:
            self.expire_once_at = None
            raise ClientError({"Error": {"Code": "ExpiredIteratorException", "Message": "expired"}}, "GetRecords")
        chunk = self.records[position : position + min(Limit, self.page)]
        return {"Records": chunk, "NextShardIterator": str(position + len(chunk))}


def _as_get_records(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "eventSourceARN"}


class RecordingHandler:
    """A stand-in function: records what it was sent, answers with `respond(records, call_number)`."""

    def __init__(self, respond=None):
        self.calls: list[list[str]] = []
        self.respond = respond or (lambda records, n: {"batchItemFailures": []})

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        assert context.get_remaining_time_in_millis() > 0 and context.aws_request_id
        seqs = [r["dynamodb"]["SequenceNumber"] for r in event["Records"]]
        self.calls.append(seqs)
        return self.respond(event["Records"], len(self.calls))


def reader(records, handler, **options) -> StreamReader:
    opts = {"until_idle_s": 0.0, "poll_interval_s": 0.0, "retry_delay_s": 0.0, **options}
    return StreamReader(
        FakeStreams(records, page=opts.pop("page", 1000), expire_once_at=opts.pop("expire_once_at", None)),
        ARN,
        handler,
        lambda: None,
        options=ReaderOptions(**opts),
    )


def seq(record: dict[str, Any]) -> str:
    return record["dynamodb"]["SequenceNumber"]


def test_filter_uses_eventbridge_semantics() -> None:
    flt = StreamFilter()
    assert flt.matches(label_record("PENDING"))
    assert not flt.matches(label_record("VALID", event="MODIFY"))
    assert flt.matches(metadata_record())
    assert flt.matches(metadata_record(validated=True))  # every metadata write passes; the handler tells them apart
    assert not flt.matches(remove_record())
    assert not flt.matches(word_record())
    custom = StreamFilter(
        [
            {
                "dynamodb": {
                    "Keys": {"SK": {"S": [{"prefix": "RECEIPT#00002"}]}},
                    "NewImage": {"TYPE": {"S": [{"anything-but": ["RECEIPT_WORD"]}]}},
                }
            }
        ]
    )
    assert custom.matches(label_record(receipt_id=2)) and not custom.matches(label_record(receipt_id=1))


def test_only_filtered_records_are_batched_by_batch_size() -> None:
    first = [label_record(line_id=i) for i in range(1, 4)]
    noise = [word_record(), label_record("VALID", event="MODIFY"), remove_record()]
    work = first + [label_record(line_id=i) for i in range(4, 8)]  # sequence numbers grow in stream order
    handler = RecordingHandler()
    run = reader(first + noise + work[3:], handler, batch_size=3).run()
    assert handler.calls == [[seq(r) for r in work[0:3]], [seq(r) for r in work[3:6]], [seq(work[6])]]
    assert run.records_read == 10 and run.records_passed_filter == 7 and run.batches == 3 and not run.on_failure


def test_batching_window_waits_to_fill_a_batch() -> None:
    """With a window, records from several reads go out together; without one, each read is sent at once."""
    work = [label_record(line_id=i) for i in range(1, 7)]
    without = RecordingHandler()
    reader(work, without, batch_size=10, page=2).run()
    assert [len(c) for c in without.calls] == [2, 2, 2]
    with_window = RecordingHandler()
    reader(work, with_window, batch_size=10, page=2, batching_window_s=60).run()
    assert [len(c) for c in with_window.calls] == [6]


def test_partial_failure_retries_from_the_first_failed_record() -> None:
    work = [label_record(line_id=i) for i in range(1, 6)]

    def respond(records, n):
        return (
            {"batchItemFailures": [{"itemIdentifier": seq(work[4])}, {"itemIdentifier": seq(work[2])}]}
            if n == 1
            else {}
        )

    handler = RecordingHandler(respond)
    run = reader(work, handler, batch_size=5).run()
    assert handler.calls[1] == [seq(r) for r in work[2:]]  # checkpoint before the lowest failed sequence number
    assert len(handler.calls) == 2 and run.retries == 1 and not run.on_failure


def test_retry_limit_then_on_failure_list() -> None:
    work = [label_record(line_id=i) for i in range(1, 5)]
    handler = RecordingHandler(lambda records, n: {"batchItemFailures": [{"itemIdentifier": seq(work[1])}]})
    run = reader(work, handler, batch_size=4, max_retries=2).run()
    assert len(handler.calls) == 3  # first attempt + 2 retries
    assert run.on_failure == [
        {
            "shard_id": "shard-1",
            "start_sequence_number": seq(work[1]),
            "end_sequence_number": seq(work[3]),
            "batch_size": 3,
            "sequence_numbers": [seq(r) for r in work[1:]],
            "receipts": ["0d0c1c9e-5b1a-4f6e-9a57-2f1d1b0f8a11/1"],
            "retries": 2,
            "reason": "records reported in batchItemFailures",
        }
    ]
    assert run.failed_records == 3 and run.as_dict()["failed_records"] == 3


def test_function_error_bisects_down_to_the_poison_record() -> None:
    work = [label_record(line_id=i) for i in range(1, 9)]
    poison = seq(work[5])

    def respond(records, n):
        if poison in [seq(r) for r in records]:
            raise RuntimeError("boom")
        return {"batchItemFailures": []}

    handler = RecordingHandler(respond)
    run = reader(work, handler, batch_size=8, max_retries=4).run()
    delivered = {s for call in handler.calls if poison not in call for s in call}
    assert delivered == {seq(r) for r in work} - {poison}  # everything else got through
    assert [e["sequence_numbers"] for e in run.on_failure] == [[poison]]
    assert run.bisects >= 3 and run.function_errors >= 4


def test_unknown_item_identifier_counts_as_a_function_error() -> None:
    work = [label_record(line_id=i) for i in range(1, 3)]
    handler = RecordingHandler(lambda records, n: {"batchItemFailures": [{"itemIdentifier": ""}]} if n == 1 else {})
    run = reader(work, handler, batch_size=2).run()
    assert run.function_errors == 1 and not run.on_failure


def test_expired_iterator_is_reobtained_from_the_checkpoint() -> None:
    work = [label_record(line_id=i) for i in range(1, 7)]
    handler = RecordingHandler()
    r = reader(work, handler, batch_size=10, page=3, expire_once_at=3)
    run = r.run()
    assert sorted(s for call in handler.calls for s in call) == sorted(seq(x) for x in work)
    assert run.records_read == 6
    requests = r.client.iterator_requests
    assert requests[-1] == {
        "StreamArn": ARN,
        "ShardId": "shard-1",
        "ShardIteratorType": "AFTER_SEQUENCE_NUMBER",
        "SequenceNumber": seq(work[2]),
    }


def test_a_fallback_to_trim_horizon_sends_no_record_twice() -> None:
    work = [label_record(line_id=i) for i in range(1, 7)]
    handler = RecordingHandler()
    r = reader(work, handler, batch_size=10, page=3)
    r.run()
    for shard in r.shards.values():  # as if the checkpoint's iterator fell back to TRIM_HORIZON
        shard.iterator = "0"
        shard.closed = False
    again = r.run()
    assert again.records_read == 0 and sorted(s for c in handler.calls for s in c) == sorted(seq(x) for x in work)


@pytest.mark.parametrize("bad", [None, "nope"])
def test_response_shapes(bad) -> None:
    handler = RecordingHandler(lambda records, n: bad if n == 1 else {})
    run = reader([label_record()], handler).run()
    assert run.function_errors == (0 if bad is None else 1)
