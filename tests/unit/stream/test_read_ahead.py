"""Read-ahead in the local stream reader: a shard's next page is asked for while the handler runs, and nothing
about what is delivered, or where a stopped run resumes, depends on it."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cli.stream_reader import ReaderOptions, StreamReader
from tests.unit.stream.records_factory import label_record, word_record
from tests.unit.stream.test_reader import ARN, FakeStreams, RecordingHandler, seq


class WatchedStreams(FakeStreams):
    """Sets `next_page_asked` when a page after the first is asked for, and notes from which thread."""

    def __init__(self, records: list[dict[str, Any]], **kwargs: Any):
        super().__init__(records, **kwargs)
        self.next_page_asked = threading.Event()
        self.threads: set[str] = set()

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        self.threads.add(threading.current_thread().name)
        if ShardIterator != "0":
            self.next_page_asked.set()
        return super().get_records(ShardIterator, Limit)


def _run(streams: FakeStreams, handler: Any, **options: Any) -> Any:
    opts = {"until_idle_s": 0.0, "poll_interval_s": 0.0, "retry_delay_s": 0.0, **options}
    return StreamReader(streams, ARN, handler, lambda: None, options=ReaderOptions(**opts)).run()


@pytest.mark.parametrize("read_ahead", [True, False])
def test_the_next_page_is_asked_for_while_the_handler_runs_only_with_read_ahead(read_ahead: bool) -> None:
    streams = WatchedStreams([label_record(line_id=i) for i in range(1, 11)], page=5)
    seen_during_first_call: list[bool] = []

    def respond(records: list[dict[str, Any]], n: int) -> dict[str, Any]:
        if n == 1:
            seen_during_first_call.append(streams.next_page_asked.wait(timeout=2.0 if read_ahead else 0.2))
        return {"batchItemFailures": []}

    handler = RecordingHandler(respond)
    run = _run(streams, handler, batch_size=5, read_ahead=read_ahead)
    assert seen_during_first_call == [read_ahead]
    assert run.records_read == 10 and [len(c) for c in handler.calls] == [5, 5]
    assert any(name.startswith("get-records") for name in streams.threads) is read_ahead


def test_deliveries_retries_and_positions_are_the_same_with_and_without_read_ahead() -> None:
    records = []
    for i in range(1, 40):
        records.append(label_record(line_id=i))
        if i % 3 == 0:
            records.append(word_record())

    def respond(batch: list[dict[str, Any]], n: int) -> dict[str, Any]:
        return {"batchItemFailures": [{"itemIdentifier": seq(batch[-1])}]} if n % 4 == 1 else {}

    outcomes = []
    for read_ahead in (False, True):
        handler = RecordingHandler(respond)
        streams = FakeStreams(records, page=7, expire_once_at=20)
        reader = StreamReader(
            streams, ARN, handler, lambda: None,
            options=ReaderOptions(until_idle_s=0.0, poll_interval_s=0.0, retry_delay_s=0.0, batch_size=4,
                                  read_ahead=read_ahead),
        )  # fmt: skip
        run = reader.run()
        outcomes.append((handler.calls, run.as_dict(), reader.positions()))
    assert outcomes[0] == outcomes[1]
    assert outcomes[1][1]["iterators_reobtained"] == 1  # the expiry happened on a page read ahead


class Stop(Exception):
    pass


def test_a_run_stopped_with_a_page_read_ahead_resumes_without_losing_it() -> None:
    work = [label_record(line_id=i) for i in range(1, 13)]
    streams = WatchedStreams(work, page=4)
    saved: dict[str, Any] = {}
    first = RecordingHandler()

    def stop_after_the_first_call(summary: Any) -> None:
        assert streams.next_page_asked.wait(timeout=2.0)  # the second page has been read ahead by now
        raise Stop

    reader = StreamReader(
        streams, ARN, first, lambda: None,
        options=ReaderOptions(until_idle_s=0.0, poll_interval_s=0.0, batch_size=4),
        on_invocation=stop_after_the_first_call, on_checkpoint=saved.update,
    )  # fmt: skip
    with pytest.raises(Stop):
        reader.run()
    assert reader.summary.records_read == 4  # the page read ahead was neither counted nor checkpointed

    second = RecordingHandler()
    StreamReader(
        streams, ARN, second, lambda: None,
        options=ReaderOptions(until_idle_s=0.0, poll_interval_s=0.0, batch_size=4), initial_positions=saved,
    ).run()  # fmt: skip
    delivered = [s for call in first.calls + second.calls for s in call]
    assert sorted(set(delivered)) == sorted(seq(r) for r in work)
    # the page read ahead (records 5-8) and the one after it are delivered by the second run
    assert [s for call in second.calls for s in call][-8:] == [seq(r) for r in work[4:]]


class RepeatingTail(FakeStreams):
    """Past the end, hands back the last record again (moto does, when two writes share a sequence number)."""

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        page = super().get_records(ShardIterator, Limit)
        if not page["Records"]:
            return {"Records": self.records[-1:], "NextShardIterator": ShardIterator}
        return page


@pytest.mark.parametrize("read_ahead", [True, False])
def test_the_same_tail_handed_back_again_lets_the_run_go_idle(read_ahead: bool) -> None:
    work = [label_record(line_id=i) for i in range(1, 6)]
    handler = RecordingHandler()
    done = threading.Event()
    outcome: list[Any] = []

    def run() -> None:
        outcome.append(
            _run(RepeatingTail(work, page=2), handler, batch_size=5, read_ahead=read_ahead, until_idle_s=0.2)
        )
        done.set()

    threading.Thread(target=run, daemon=True).start()
    assert done.wait(timeout=10), "the reader kept polling the same tail"
    assert outcome[0].records_read == 5 and [len(c) for c in handler.calls] == [2, 2, 1]
