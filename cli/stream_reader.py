"""The local event source mapping: reads the table's stream and runs the real stream handler on it, as Lambda would.

Per shard, in order: GetRecords from the shard's saved position (`initial_positions`, kept across runs by
`cli.stream_checkpoint`), else from `starting_position` (TRIM_HORIZON by default, so a fresh run sees what was written
before it started); the position of each shard is reported to `on_checkpoint` as records are handled. Convert each
record to its Lambda event form, apply the mapping's filter (EventBridge semantics, `cli.stream_filter`), gather
batches (batch size, batching window), invoke the handler with a Lambda-like context, and honour the answer the way
Lambda does for streams:

- `batchItemFailures`: checkpoint before the lowest failed sequence number and retry from there;
- a function error (the handler raised, or its response was not understood): bisect the batch and retry the halves;
- each retry counts against `max_retries`; records still failing then go to the on-failure list (Lambda's on-failure
  destination), and the shard moves on.

A shard's next page is read ahead while the handler runs (`read_ahead`), as Lambda's pollers read while the
function runs; a page read ahead is neither counted nor checkpointed until its turn, and dropped (read again next
time) when a run ends. Expired shard iterators are re-obtained from the checkpoint.
The handler's output (JSON logs, EMF) is captured as the Lambda runtime captures stdout; the counts come from the
handler's per-invocation summary (stream_handlers/summary.py).
"""

from __future__ import annotations

import contextlib
import io
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TextIO

from botocore.exceptions import ClientError

from cli.stream_checkpoint import Position
from cli.stream_events import LocalLambdaContext, event_record, sequence_number, shallow_record
from cli.stream_filter import StreamFilter
from cli.stream_summary import StreamRunSummary
from domain import keys
from stream_handlers.mapping_defaults import BATCH_SIZE
from stream_handlers.summary import InvocationSummary

Handler = Callable[[dict[str, Any], Any], Any]
SummarySource = Callable[[], InvocationSummary | None]

GET_RECORDS_LIMIT = 1000


@dataclass(frozen=True)
class ReaderOptions:
    batch_size: int = BATCH_SIZE
    batching_window_s: float = 0.0
    max_retries: int = 3
    bisect_on_error: bool = True
    until_idle_s: float | None = 2.0  # None: read until interrupted
    poll_interval_s: float = 0.1
    retry_delay_s: float = 0.05  # doubled per retry
    function_timeout_s: float = 300.0
    starting_position: str = "TRIM_HORIZON"
    # A shard's next GetRecords goes out while the function handles the page just read, as Lambda's pollers keep
    # reading while the function runs: the server's time on it is then spent beside the handler, not before it.
    read_ahead: bool = True


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    iterator: str | None = None
    checkpoint: str | None = None  # last sequence number read
    resume_at: str | None = None  # saved position of a record read but not handled by an earlier run
    in_flight: str | None = None  # first sequence number of the batch being delivered
    closed: bool = False  # GetRecords returned no next iterator
    buffer: list[dict[str, Any]] = field(default_factory=list)
    buffer_since: float = 0.0
    ahead: Future[Any] | None = None  # the GetRecords already sent for `ahead_from`
    ahead_from: str | None = None
    page_end: str | None = None  # sequence number of the last record of the last non-empty page

    @property
    def finished(self) -> bool:
        return self.closed and not self.buffer


@dataclass
class _Attempt:
    records: list[dict[str, Any]]
    retries: int = 0


@dataclass
class _Result:
    first_failed: int | None = None  # index into the batch of the lowest failed record; None when all succeeded
    error: str | None = None  # set for a function error

    @property
    def ok(self) -> bool:
        return self.first_failed is None and self.error is None


class StreamReader:
    def __init__(
        self,
        streams_client: Any,
        stream_arn: str,
        handler: Handler,
        summary_source: SummarySource,
        *,
        options: ReaderOptions | None = None,
        region: str = "us-east-1",
        stream_filter: StreamFilter | None = None,
        function_output: TextIO | None = None,
        on_invocation: Callable[[StreamRunSummary], None] | None = None,
        initial_positions: dict[str, Position] | None = None,
        on_checkpoint: Callable[[dict[str, Position]], None] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.client = streams_client
        self.stream_arn = stream_arn
        self.handler = handler
        self.summary_source = summary_source
        self.options = options or ReaderOptions()
        self.region = region
        self.filter = stream_filter or StreamFilter()
        self.function_output = function_output
        self.on_invocation = on_invocation
        self.sleep = sleep
        self.clock = clock
        self.shards: dict[str, _Shard] = {}
        self.summary = StreamRunSummary()
        self._pages: ThreadPoolExecutor | None = None  # the read-ahead thread, while a run is on
        self.initial_positions = dict(initial_positions or {})
        self.on_checkpoint = on_checkpoint
        self._saved: dict[str, Position] = dict(self.initial_positions)

    # -- the loop ------------------------------------------------------------------------------------------------

    def run(self) -> StreamRunSummary:
        """Reads until the stream has been idle for `until_idle_s` (or forever), then flushes what is buffered.

        Each run has its own summary; shard checkpoints carry over, so a second run sees only newer records.
        """
        self.summary = StreamRunSummary()
        idle_since = self.clock()
        self._pages = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="get-records") if self.options.read_ahead else None
        )
        try:
            while True:
                self._discover_shards()
                got = False
                for shard in self._readable_shards():
                    got |= self._poll(shard)
                    self._dispatch_ready(shard, draining=False)
                self._checkpoint()
                if got:
                    idle_since = self.clock()
                    continue
                if self._idle_long_enough(idle_since) or self._all_shards_finished():
                    break
                self.sleep(self.options.poll_interval_s)
            for shard in self.shards.values():
                self._dispatch_ready(shard, draining=True)
        finally:
            self._drop_pages_ahead()  # never counted or checkpointed: the iterator they came from is read again
            self._checkpoint()  # also when interrupted: what was buffered or in flight is read again next time
        return self.summary

    def _drop_pages_ahead(self) -> None:
        if self._pages is not None:
            self._pages.shutdown(wait=True, cancel_futures=True)
            self._pages = None
        for shard in self.shards.values():
            shard.ahead = shard.ahead_from = None

    def positions(self) -> dict[str, Position]:
        """Per shard: AT the first record not yet handled, else AFTER the last record read."""
        out = dict(self._saved)
        for shard in self.shards.values():
            first_open = shard.in_flight or (sequence_number(shard.buffer[0]) if shard.buffer else None)
            if first_open is not None:
                out[shard.shard_id] = Position(first_open, at=True)
            elif shard.checkpoint is not None:
                out[shard.shard_id] = Position(shard.checkpoint)
        return out

    def _checkpoint(self) -> None:
        if self.on_checkpoint is None:
            return
        positions = self.positions()
        if positions != self._saved:
            self.on_checkpoint(positions)
            self._saved = positions

    def _idle_long_enough(self, idle_since: float) -> bool:
        limit = self.options.until_idle_s
        return limit is not None and self.clock() - idle_since >= limit

    def _all_shards_finished(self) -> bool:
        return bool(self.shards) and all(s.finished for s in self.shards.values())

    def _discover_shards(self) -> None:
        start: str | None = None
        while True:
            kwargs: dict[str, Any] = {"StreamArn": self.stream_arn}
            if start:
                kwargs["ExclusiveStartShardId"] = start
            description = self.client.describe_stream(**kwargs)["StreamDescription"]
            for shard in description.get("Shards", []):
                if shard["ShardId"] not in self.shards:
                    self.shards[shard["ShardId"]] = self._new_shard(shard["ShardId"], shard.get("ParentShardId"))
            start = description.get("LastEvaluatedShardId")
            if not start:
                return

    def _new_shard(self, shard_id: str, parent_id: str | None) -> _Shard:
        shard = _Shard(shard_id, parent_id)
        saved = self.initial_positions.get(shard_id)
        if saved is not None and saved.at:
            shard.resume_at = saved.sequence
        elif saved is not None:
            shard.checkpoint = saved.sequence
        return shard

    def _readable_shards(self) -> list[_Shard]:
        """Shards not yet finished whose parent (if known) is finished: a child's records come after its parent's."""
        out = []
        for shard in self.shards.values():
            parent = self.shards.get(shard.parent_id or "")
            if shard.closed or (parent is not None and not parent.finished):
                continue
            out.append(shard)
        return out

    # -- reading -------------------------------------------------------------------------------------------------

    def _iterator(self, shard: _Shard) -> str:
        """From the checkpoint; if the stream trimmed past it, from the oldest record left (as Lambda resumes)."""
        kwargs: dict[str, Any] = {"StreamArn": self.stream_arn, "ShardId": shard.shard_id}
        if shard.checkpoint is not None or shard.resume_at is not None:
            kind, seq = (
                ("AFTER_SEQUENCE_NUMBER", shard.checkpoint)
                if shard.checkpoint is not None
                else ("AT_SEQUENCE_NUMBER", shard.resume_at)
            )
            try:
                return self.client.get_shard_iterator(**kwargs, ShardIteratorType=kind, SequenceNumber=seq)[
                    "ShardIterator"
                ]
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "TrimmedDataAccessException":
                    raise
                self.summary.trimmed += 1  # records between the checkpoint and the oldest one left are lost here
                kwargs["ShardIteratorType"] = "TRIM_HORIZON"
        else:
            kwargs["ShardIteratorType"] = self.options.starting_position
        return self.client.get_shard_iterator(**kwargs)["ShardIterator"]

    def _poll(self, shard: _Shard) -> bool:
        """One GetRecords on the shard; True if it moved on: a record not read before, or a page ending further on
        than the last (a fallback to TRIM_HORIZON reading old records), or an iterator to re-obtain at once. The same
        page again is no progress: a server that hands back the same tail (moto can, when two writes got one sequence
        number) must not keep the loop from ever going idle."""
        if shard.iterator is None:
            shard.iterator = self._iterator(shard)
        try:
            page = self._page(shard, shard.iterator)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                self.summary.iterators_reobtained += 1
                self.summary.trimmed += code == "TrimmedDataAccessException"
                shard.iterator = None  # re-obtained from the checkpoint on the next poll, which comes at once
                return True
            raise
        shard.iterator = page.get("NextShardIterator")
        if shard.iterator is None:
            shard.closed = True
        raw_records = page.get("Records", [])
        new = False
        for raw in raw_records:
            record = shallow_record(raw, self.stream_arn, self.region)  # finished only if it is delivered
            if _at_or_before(sequence_number(record), shard.checkpoint):
                continue  # a fallback to TRIM_HORIZON must not send a record twice
            shard.checkpoint = sequence_number(record)
            new = True
            self.summary.records_read += 1
            if self.filter.matches(record):
                self.summary.records_passed_filter += 1
                if not shard.buffer:
                    shard.buffer_since = self.clock()
                shard.buffer.append(event_record(record))
        page_end = str(raw_records[-1].get("dynamodb", {}).get("SequenceNumber")) if raw_records else None
        moved = new or (page_end is not None and page_end != shard.page_end)
        shard.page_end = page_end or shard.page_end
        if moved and shard.iterator is not None and self._pages is not None:
            shard.ahead_from = shard.iterator
            shard.ahead = self._pages.submit(
                self.client.get_records, ShardIterator=shard.iterator, Limit=GET_RECORDS_LIMIT
            )
        return moved

    def _page(self, shard: _Shard, iterator: str) -> Any:
        """The page at `iterator`: the one read ahead if it was read from there (its error, if it failed, is raised
        here as the call's own would be), else a GetRecords now."""
        ahead, ahead_from = shard.ahead, shard.ahead_from
        shard.ahead = shard.ahead_from = None
        if ahead is not None and ahead_from == iterator:
            return ahead.result()
        return self.client.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT)

    def _dispatch_ready(self, shard: _Shard, *, draining: bool) -> None:
        """Sends full batches; a partial one once the batching window has passed (or when draining)."""
        size = self.options.batch_size
        while len(shard.buffer) >= size:
            batch, shard.buffer = shard.buffer[:size], shard.buffer[size:]
            shard.buffer_since = self.clock()
            self._deliver_tracked(shard, batch)
        window_over = self.clock() - shard.buffer_since >= self.options.batching_window_s
        if shard.buffer and (draining or window_over):
            batch, shard.buffer = shard.buffer, []
            self._deliver_tracked(shard, batch)

    def _deliver_tracked(self, shard: _Shard, batch: list[dict[str, Any]]) -> None:
        shard.in_flight = sequence_number(batch[0])
        self.deliver(shard.shard_id, batch)
        shard.in_flight = None

    # -- invoking ------------------------------------------------------------------------------------------------

    def deliver(self, shard_id: str, batch: list[dict[str, Any]]) -> None:
        """Invokes the handler with `batch` until it succeeds, retrying and bisecting as the mapping would."""
        self.summary.batches += 1
        queue = deque([_Attempt(batch)])
        while queue:
            attempt = queue.popleft()
            result = self._invoke(attempt.records)
            if result.ok:
                continue
            if result.error is not None:
                self.summary.function_errors += 1
                if self.options.bisect_on_error and len(attempt.records) > 1:
                    self.summary.bisects += 1
                    mid = len(attempt.records) // 2
                    queue.appendleft(_Attempt(attempt.records[mid:], attempt.retries + 1))
                    queue.appendleft(_Attempt(attempt.records[:mid], attempt.retries + 1))
                    continue
                rest, reason = attempt.records, f"function error: {result.error}"
            else:
                rest, reason = attempt.records[result.first_failed :], "records reported in batchItemFailures"
            if attempt.retries >= self.options.max_retries:
                self._give_up(shard_id, rest, reason, attempt.retries)
                continue
            self.summary.retries += 1
            self.sleep(self.options.retry_delay_s * 2**attempt.retries)
            queue.appendleft(_Attempt(rest, attempt.retries + 1))

    def _invoke(self, records: list[dict[str, Any]]) -> _Result:
        event = {"Records": records}
        context = LocalLambdaContext(timeout_s=self.options.function_timeout_s, region=self.region)
        sink = self.function_output if self.function_output is not None else io.StringIO()
        try:
            with contextlib.redirect_stdout(sink):
                response = self.handler(event, context)
            summary = self.summary_source()
        except Exception as exc:  # a function error, as Lambda sees an unhandled exception
            self.summary.add_invocation(None)
            self._notify()
            return _Result(error=f"{type(exc).__name__}: {exc}")
        self.summary.add_invocation(summary)
        self._notify()
        return _interpret(response, records)

    def _notify(self) -> None:
        if self.on_invocation is not None:
            self.on_invocation(self.summary)

    def _give_up(self, shard_id: str, records: list[dict[str, Any]], reason: str, retries: int) -> None:
        seqs = [sequence_number(r) for r in records]
        self.summary.on_failure.append(
            {
                "shard_id": shard_id,
                "start_sequence_number": seqs[0],
                "end_sequence_number": seqs[-1],
                "batch_size": len(records),
                "sequence_numbers": seqs,
                "receipts": sorted({r for r in (_receipt_of(rec) for rec in records) if r}),
                "retries": retries,
                "reason": reason,
            }
        )


def _interpret(response: Any, records: list[dict[str, Any]]) -> _Result:
    """Lambda's reading of a stream function's response: the lowest failed sequence number is the checkpoint."""
    if response is None:
        return _Result()
    if not isinstance(response, dict):
        return _Result(error=f"response is not an object: {type(response).__name__}")
    failures = response.get("batchItemFailures")
    if not failures:
        return _Result()
    index = {sequence_number(r): i for i, r in enumerate(records)}
    positions = []
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in index:
            return _Result(error=f"batchItemFailures names an unknown record: {identifier!r}")
        positions.append(index[identifier])
    return _Result(first_failed=min(positions))


def _at_or_before(seq: str, checkpoint: str | None) -> bool:
    """Sequence numbers are decimal strings that grow within a shard."""
    if checkpoint is None:
        return False
    try:
        return int(seq) <= int(checkpoint)
    except ValueError:
        return seq <= checkpoint


def _receipt_of(record: dict[str, Any]) -> str | None:
    try:
        k = record["dynamodb"]["Keys"]
        parsed = keys.parse_keys(k["PK"]["S"], k["SK"]["S"])
    except (KeyError, TypeError, keys.KeyFormatError):
        return None
    return f"{parsed.image_id}/{parsed.receipt_id}"
