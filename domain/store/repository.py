"""The only code that calls DynamoDB: the receipts repository.

Reads are Queries (never Scans): one receipt is one paginated Query on its partition; pending work comes from GSI3;
entity listings come from GSITYPE. Verdicts are conditional UpdateItems that set only the attributes the validator
owns (domain/store/conditions.py). Listings hand out cursors that are opaque to their callers: a GSI3 position for
labels by status (whole or one key-range segment at a time), a GSITYPE start key for metadata; a cursor of another
listing is refused with `ForeignCursor`. The cursors' format is what running Step Functions executions hold: it
does not change.
"""

from __future__ import annotations

import heapq
import json
import logging
import random
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from botocore.config import Config
from botocore.exceptions import ClientError

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, metadata_fingerprint
from domain.model import (
    MetadataVerdict,
    ReceiptContext,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWordLabel,
    ValidationStatus,
    Verdict,
    utc_now_iso,
)
from domain.store.codec import (
    Item,
    PlainItem,
    context_from_items,
    context_items,
    from_item,
    label_from_item,
    label_item,
    label_key,
    metadata_from_item,
    metadata_key,
    sort_key_of,
    to_item,
)
from domain.store.conditions import (
    LABEL_OWNED,
    METADATA_OWNED,
    human_validator,
    label_held,
    label_update,
    metadata_held,
    owned_update,
    verdict_update,
)
from domain.store.schema import STATUS_INDEX, TABLE, TYPE_INDEX
from domain.store.wire_parser import wire_session

log = logging.getLogger(__name__)

if TYPE_CHECKING:  # the boto3 stubs (dev only) type the client; nothing of them is needed at run time
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TableDescriptionTypeDef, WriteRequestOutputTypeDef, WriteRequestTypeDef

BATCH_WRITE_SIZE = 25
MAX_UNPROCESSED_RETRIES = 8
MAX_POOL_CONNECTIONS = 32  # >= the write pool's bound (default 8) + the sweep's receipt workers (default 4), with room
TRANSACTION_SIZE = 100  # TransactWriteItems: at most 100 actions ...
TRANSACTION_BYTES = 3_500_000  # ... and 4 MB in all; leave room for the request's own envelope
VERDICT_STATUSES = frozenset({"VALID", "INVALID", "NEEDS_REVIEW"})
SWEEP_STATE_PK_PREFIX = "SWEEP#"  # the validator's own items: where each segment of each sweep resumes
ENTITY_CURSOR_KEYS = ("PK", "SK", "TYPE")  # a GSITYPE position: the table's and the index's keys


class ReceiptRepository(Protocol):
    """The port: what the service needs from the receipts' storage (DynamoReceiptRepository on DynamoDB; the tests'
    fake in memory, with the same conditional behaviour)."""

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None: ...

    def apply_verdict(self, verdict: Verdict, expected_status: ValidationStatus) -> bool: ...

    def touch_verified(self, label: ReceiptWordLabel, expected_status: ValidationStatus) -> bool: ...

    def apply_metadata_verdict(self, verdict: MetadataVerdict) -> bool: ...


class StoreError(RuntimeError):
    """A DynamoDB failure the caller should treat as 'not done, retry later'."""


class ForeignCursor(ValueError):
    """A cursor handed to a listing that did not make it (another sweep's, or not a cursor at all)."""


@dataclass(frozen=True)
class PendingReceipt:
    """A receipt holding labels of one status, as found through GSI3, with a cursor that resumes after it."""

    ref: ReceiptRef
    label_count: int
    cursor: str


@dataclass(frozen=True)
class SegmentState:
    """Where one segment of one sweep stands: `cursor` None and `finished` True after a complete pass."""

    sweep: str
    segment: str
    cursor: str | None
    finished: bool
    updated_at: str | None = None


@dataclass
class ImportOutcome:
    """What `import_contexts` did."""

    written: int = 0  # new receipts written
    items: int = 0
    skipped: list[ReceiptRef] = field(default_factory=list)  # already in the table: nothing of theirs changed
    kept_items: int = 0  # items of a new receipt that appeared meanwhile: left as they were
    replaced: int = 0
    verdicts_reset: int = 0


def make_client(endpoint_url: str | None = None, region: str | None = None) -> DynamoDBClient:
    """A DynamoDB client with adaptive retries (throttling is retried by botocore before it reaches us), and enough
    pooled connections for the overlapped verdict writes (domain/write_pool.py) plus the sweep's readers; items are
    read without botocore's value-by-value walk (domain/store/wire_parser.py)."""
    cfg = Config(
        retries={"max_attempts": 8, "mode": "adaptive"},
        connect_timeout=5,
        read_timeout=30,
        max_pool_connections=MAX_POOL_CONNECTIONS,
    )
    return wire_session().client("dynamodb", endpoint_url=endpoint_url, region_name=region or "us-east-1", config=cfg)


# ---- cursors -----------------------------------------------------------------------------------------------------


def receipt_cursor(ref: ReceiptRef) -> str:
    """The cursor of a GSI3 listing that resumes after `ref`: a GSI3SK position after every label of the receipt."""
    return keys.gsi3_after_receipt(ref.image_id, ref.receipt_id)


def check_status_cursor(cursor: str) -> None:
    """Refuses (ForeignCursor) a cursor that is not a GSI3 position."""
    if not keys.is_gsi3_position(cursor):
        raise ForeignCursor(f"{cursor!r} is not a cursor of this sweep (expected a GSI3 position)")


def entity_cursor(data: PlainItem) -> str:
    """The GSITYPE ExclusiveStartKey that resumes right after this item, as JSON (what `iter_entities` reads)."""
    key = {name: {"S": str(data[name])} for name in ENTITY_CURSOR_KEYS}
    return json.dumps(key, sort_keys=True)


def check_entity_cursor(cursor: str) -> None:
    """Refuses (ForeignCursor) a cursor that is not a GSITYPE position."""
    try:
        key = json.loads(cursor)
    except ValueError:
        key = None
    if not (isinstance(key, dict) and set(ENTITY_CURSOR_KEYS) <= set(key)):
        raise ForeignCursor(f"{cursor[:80]!r} is not a cursor of this sweep (expected a GSITYPE position)")


# ---- helpers of the repository -----------------------------------------------------------------------------------


def verdicts_reset(existing: list[Item], items: list[Item]) -> int:
    """How many labels now holding a verdict (VALID, INVALID, NEEDS_REVIEW) `items` would put over with another
    status or another `validated_by`."""
    new = {it["SK"]["S"]: it for it in items}
    reset = 0
    for old in existing:
        sk = sort_key_of(old)
        status = old.get("validation_status", {}).get("S")
        if sk not in new or status not in VERDICT_STATUSES:
            continue
        replacement = new[sk]
        if any(old.get(name) != replacement.get(name) for name in ("validation_status", "validated_by")):
            reset += 1
    return reset


def _transaction_chunks(items: list[Item]) -> Iterator[list[Item]]:
    chunk: list[Item] = []
    size = 0
    for it in items:
        item_size = len(json.dumps(it))
        if chunk and (len(chunk) == TRANSACTION_SIZE or size + item_size > TRANSACTION_BYTES):
            yield chunk
            chunk, size = [], 0
        chunk.append(it)
        size += item_size
    if chunk:
        yield chunk


def _group_by_receipt(gsi3sks: Iterable[str]) -> Iterator[PendingReceipt]:
    """Consecutive GSI3 keys of one receipt become one PendingReceipt; malformed keys are skipped and logged."""
    current: ReceiptRef | None = None
    count = 0
    for gsi3sk in gsi3sks:
        try:
            parsed = keys.parse_gsi3sk(gsi3sk)
        except keys.KeyFormatError:
            log.warning("GSI3 entry with malformed key skipped")
            continue
        ref = ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id)
        if ref != current:
            if current is not None:
                yield PendingReceipt(current, count, receipt_cursor(current))
            current, count = ref, 0
        count += 1
    if current is not None:
        yield PendingReceipt(current, count, receipt_cursor(current))


def _forward_only(listings: list[Iterator[PendingReceipt]], after: str | None) -> Iterator[PendingReceipt]:
    """The listings merged on the receipt cursor (each is in cursor order), each receipt once, only forward."""
    merged = heapq.merge(*listings, key=lambda pending: pending.cursor) if len(listings) > 1 else listings[0]
    last = after
    for pending in merged:
        # Only forward: a receipt at or behind the last position is never listed twice. DynamoDB pages never go
        # back, but moto can, when a verdict moves an item out of the partition while a page is being read.
        if last is not None and pending.cursor <= last:
            continue
        last = pending.cursor
        yield pending


def _backoff(attempt: int) -> None:
    time.sleep(min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.0))


def _state_key(sweep: str, segment: str) -> Item:
    return to_item({"PK": f"{SWEEP_STATE_PK_PREFIX}{sweep}", "SK": f"SEGMENT#{segment or '-'}"})


# ---- the repository ----------------------------------------------------------------------------------------------


class DynamoReceiptRepository:
    """Receipts in one DynamoDB table laid out as CONTRACT §1 (domain/store/schema.py)."""

    def __init__(self, table_name: str, client: DynamoDBClient | None = None):
        self.table_name = table_name
        self.client: DynamoDBClient = client or make_client()

    # table
    def create_table(self, *, wait: bool = True) -> bool:
        """Creates the table of `schema.TABLE` (indexes, stream); False if it already exists."""
        try:
            self.client.create_table(**TABLE.create_table_arguments(self.table_name))
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ResourceInUseException":
                return False
            raise
        if wait:
            self.client.get_waiter("table_exists").wait(
                TableName=self.table_name,
                # botocore sleeps any number of seconds (the stubs say int): 0.2 s keeps local tables quick
                WaiterConfig={"Delay": 0.2, "MaxAttempts": 200},  # type: ignore[typeddict-item]
            )
        return True

    def describe(self) -> TableDescriptionTypeDef:
        """DescribeTable's `Table`."""
        return self.client.describe_table(TableName=self.table_name)["Table"]

    def stream_arn(self) -> str | None:
        return self.describe().get("LatestStreamArn")

    # writes
    def write_contexts(self, contexts: Iterable[ReceiptContext]) -> int:
        """Puts whole receipts unconditionally, over whatever is there: seeding fresh tables (demo, tests, bench) and
        `import --replace`. Batched by 25, unprocessed items retried with backoff. `import` uses `import_contexts`."""
        written = 0
        batch: list[Item] = []
        for context in contexts:
            for item in context_items(context):
                batch.append(item)
                if len(batch) == BATCH_WRITE_SIZE:
                    written += self._batch_write(batch)
                    batch = []
        if batch:
            written += self._batch_write(batch)
        return written

    def _batch_write(self, items: list[Item]) -> int:
        requests: Sequence[WriteRequestTypeDef | WriteRequestOutputTypeDef] = [
            {"PutRequest": {"Item": it}} for it in items
        ]
        for attempt in range(MAX_UNPROCESSED_RETRIES + 1):
            resp = self.client.batch_write_item(RequestItems={self.table_name: requests})
            requests = resp.get("UnprocessedItems", {}).get(self.table_name, [])
            if not requests:
                return len(items)
            _backoff(attempt)
        raise StoreError(f"{len(requests)} items still unprocessed after {MAX_UNPROCESSED_RETRIES} retries")

    def import_contexts(self, contexts: Iterable[ReceiptContext], *, replace: bool = False) -> ImportOutcome:
        """Writes receipts that are not in the table yet; existing ones are skipped, untouched, unless `replace`.

        A new receipt is written with TransactWriteItems (BatchWriteItem cannot carry conditions), every Put
        conditioned on `attribute_not_exists(PK)`, up to 100 items a transaction: a receipt written meanwhile by
        someone else keeps its items (counted in `kept_items`). With `replace`, an existing receipt's items are put
        over whole, and the verdicts that overwrites are counted in `verdicts_reset`.
        """
        outcome = ImportOutcome()
        for context in contexts:
            items = context_items(context)
            existing = self._receipt_items(context.ref, full=replace)
            if existing and not replace:
                outcome.skipped.append(context.ref)
                continue
            if existing:
                outcome.verdicts_reset += verdicts_reset(existing, items)
                outcome.items += self._batch_write(items)
                outcome.replaced += 1
                continue
            written, kept = self._put_new(items)
            outcome.items += written
            outcome.kept_items += kept
            outcome.written += 1
        return outcome

    def _receipt_items(self, ref: ReceiptRef, *, full: bool) -> list[Item]:
        """The receipt's items (`full`), or at most one key of them: enough to know it exists."""
        kwargs: dict[str, Any] = {
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :sk)",
            "ExpressionAttributeValues": to_item(
                {":pk": keys.image_pk(ref.image_id), ":sk": keys.receipt_prefix(ref.receipt_id)}
            ),
        }
        if full:
            return list(self._query(**kwargs))
        page = self.client.query(TableName=self.table_name, ProjectionExpression="PK, SK", Limit=1, **kwargs)
        found: list[Item] = page.get("Items", [])
        return found

    def _put_new(self, items: list[Item]) -> tuple[int, int]:
        """(written, kept): conditional Puts in transactions; an item that exists is kept and left out."""
        written = kept = 0
        for chunk in _transaction_chunks(items):
            pending = chunk
            for attempt in range(MAX_UNPROCESSED_RETRIES + 1):
                try:
                    self.client.transact_write_items(
                        TransactItems=[
                            {
                                "Put": {
                                    "TableName": self.table_name,
                                    "Item": it,
                                    "ConditionExpression": "attribute_not_exists(PK)",
                                }
                            }
                            for it in pending
                        ]
                    )
                except ClientError as exc:
                    if exc.response["Error"]["Code"] != "TransactionCanceledException":
                        raise
                    reasons = [r.get("Code") for r in exc.response.get("CancellationReasons") or []]
                    if len(reasons) != len(pending):  # no per-item reasons: settle item by item
                        w, k = self._put_each(pending)
                        written, kept = written + w, kept + k
                        break
                    taken = [it for it, code in zip(pending, reasons, strict=True) if code == "ConditionalCheckFailed"]
                    kept += len(taken)
                    pending = [
                        it for it, code in zip(pending, reasons, strict=True) if code != "ConditionalCheckFailed"
                    ]
                    if not pending:
                        break
                    if not taken:  # a conflict or throttling, not an existing item: back off and retry
                        _backoff(attempt)
                    continue
                written += len(pending)
                break
            else:
                raise StoreError(f"{len(pending)} items not written after {MAX_UNPROCESSED_RETRIES} retries")
        return written, kept

    def _put_each(self, items: list[Item]) -> tuple[int, int]:
        written = kept = 0
        for it in items:
            try:
                self.client.put_item(TableName=self.table_name, Item=it, ConditionExpression="attribute_not_exists(PK)")
                written += 1
            except ClientError as exc:
                if exc.response["Error"]["Code"] != "ConditionalCheckFailedException":
                    raise
                kept += 1
        return written, kept

    def apply_verdict(self, verdict: Verdict, expected_status: ValidationStatus, *, now: str | None = None) -> bool:
        """Sets the verdict if the label still holds what was judged (`label_held`) and is not a person's verdict.

        False (benign, a lost race) if anything judged changed since read. `expected_status` is the status read, which
        `verdict.label` carries too; a mismatch between them is a caller's error and is refused the same way.
        """
        key, arguments = verdict_update(verdict, expected_status, now=now)
        return self._update(key, arguments, f"label {verdict.label.ref} {verdict.label.claim_id}")

    def touch_verified(
        self, label: ReceiptWordLabel, expected_status: ValidationStatus, *, now: str | None = None
    ) -> bool:
        """Records that a label was re-verified and kept, without changing its verdict (same conditions)."""
        arguments = label_update(label, {"last_verified_at": now or utc_now_iso()}, expected_status)
        return self._update(label_key(label), arguments, f"label {label.ref} {label.claim_id}")

    def _update(self, key: Item, arguments: dict[str, Any], what: str) -> bool:
        """One conditional UpdateItem; False when the condition refused it (the item changed since read)."""
        try:
            self.client.update_item(TableName=self.table_name, Key=key, **arguments)
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                log.info("lost race on %s: it changed since read", what)
                return False
            raise
        return True

    def apply_metadata_verdict(self, verdict: MetadataVerdict, *, now: str | None = None) -> bool:
        """Sets the validator's metadata attributes while the item still holds the values judged (`metadata_held`).

        The verdict carries the fingerprint of those values, which is how the stream handler tells this write (and
        any later one that leaves them alone) from a change of the data (domain/fingerprint.py).
        """
        m = verdict.metadata
        held = metadata_held(m)
        sets: PlainItem = {
            "validation_status": verdict.status.value,
            "reasoning": verdict.reasoning,
            "validated_by": verdict.validated_by,
            "validated_at": now or utc_now_iso(),
            FINGERPRINT_ATTRIBUTE: metadata_fingerprint(held),
        }
        removes = [keys.LEGACY_MARKER_ATTRIBUTE]
        if verdict.matched_fields:
            sets["matched_fields"] = set(verdict.matched_fields)
        else:
            removes.append("matched_fields")
        for k, v in sorted(verdict.canonical.items()):
            sets[f"canonical_{k}"] = v
        return self._update(
            metadata_key(m.ref),
            owned_update(METADATA_OWNED, sets=sets, removes=removes, held=held),
            f"metadata {m.ref}",
        )

    # a person's verdict (the review door)
    def apply_human_verdict(
        self,
        seen: ReceiptWordLabel,
        status: ValidationStatus,
        *,
        by: str,
        reasoning: str,
        now: str | None = None,
    ) -> bool:
        """Writes a person's verdict (`validated_by = human:<by>`) only while the label still holds what the person
        saw (status, validated_by, label_proposed_by, timestamp_added); False when it changed since (a stale page)."""
        if status not in (ValidationStatus.VALID, ValidationStatus.INVALID):
            raise ValueError(f"a person settles a label as VALID or INVALID, not {status.value}")
        stamp = now or utc_now_iso()
        gsi3 = keys.label_gsi3(seen.image_id, seen.receipt_id, seen.line_id, seen.word_id, seen.label, status.value)
        sets = {
            "validation_status": status.value,
            "validated_by": human_validator(by),
            "reasoning": reasoning,
            "validated_at": stamp,
            "last_verified_at": stamp,
            "GSI3PK": gsi3["GSI3PK"],
            "GSI3SK": gsi3["GSI3SK"],
        }
        # no `not_human` here: a person may settle a label another person settled, if the page showed that verdict
        return self._update(
            label_key(seen),
            owned_update(LABEL_OWNED, sets=sets, held=label_held(seen)),
            f"label {seen.ref} {seen.claim_id} (a person's verdict on a stale view)",
        )

    def add_human_label(self, label: ReceiptWordLabel, *, by: str, reasoning: str, now: str | None = None) -> bool:
        """A new label a person put on a word (relabel), VALID by that person; False if the word already has it."""
        stamp = now or utc_now_iso()
        person = human_validator(by)
        item = label_item(
            label.model_copy(
                update={
                    "validation_status": ValidationStatus.VALID,
                    "validated_by": person,
                    "label_proposed_by": person,
                    "reasoning": reasoning,
                    "timestamp_added": stamp,
                    "validated_at": stamp,
                    "last_verified_at": stamp,
                }
            )
        )
        try:
            self.client.put_item(TableName=self.table_name, Item=item, ConditionExpression="attribute_not_exists(PK)")
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # reads
    def _query(self, **kwargs: Any) -> Iterator[Item]:
        """All pages of a Query (one call per page)."""
        paginator = self.client.get_paginator("query")
        for page in paginator.paginate(TableName=self.table_name, **kwargs):
            yield from page.get("Items", [])

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None:
        """Lines, words, labels and metadata of one receipt from one paginated Query; None if it has no items."""
        items = list(
            self._query(
                KeyConditionExpression="PK = :pk AND begins_with(SK, :sk)",
                ExpressionAttributeValues=to_item(
                    {":pk": keys.image_pk(ref.image_id), ":sk": keys.receipt_prefix(ref.receipt_id)}
                ),
            )
        )
        if not items:
            return None
        context = context_from_items(ref, items)
        context.lines.sort(key=lambda ln: ln.line_id)
        context.words.sort(key=lambda w: (w.line_id, w.word_id))
        return context

    def load_metadata(self, ref: ReceiptRef) -> ReceiptMetadata | None:
        raw = self.client.get_item(TableName=self.table_name, Key=metadata_key(ref)).get("Item")
        if not raw:
            return None
        data = from_item(raw)
        return metadata_from_item(data, keys.parse_keys(data["PK"], data["SK"]))

    def labels_with_status(self, status: ValidationStatus) -> Iterator[ReceiptWordLabel]:
        """Every label of `status`, through GSI3 (projects ALL); unreadable items are skipped."""
        for raw in self._query(
            IndexName=STATUS_INDEX,
            KeyConditionExpression="GSI3PK = :pk",
            ExpressionAttributeValues=to_item({":pk": keys.status_gsi3pk(status.value)}),
        ):
            data = from_item(raw)
            try:
                parsed = keys.parse_keys(data["PK"], data["SK"])
                yield label_from_item(data, parsed)
            except (KeyError, ValueError, keys.KeyFormatError):
                log.warning("label item with unexpected keys or status skipped")

    def label_status_counts(self) -> dict[str, dict[str, int]]:
        """{label: {status: count}} over every label, through GSITYPE (projection of the key and status only)."""
        counts: dict[str, dict[str, int]] = {}
        for raw in self._query(
            IndexName=TYPE_INDEX,
            KeyConditionExpression="#t = :t",
            ExpressionAttributeNames={"#t": "TYPE", "#s": "validation_status"},
            ExpressionAttributeValues=to_item({":t": keys.TYPE_LABEL}),
            ProjectionExpression="SK, #s",
        ):
            sk = raw.get("SK", {}).get("S", "")
            label = sk.rpartition("#LABEL#")[2] or "?"
            status = raw.get("validation_status", {}).get("S", "NONE")
            counts.setdefault(label, {}).setdefault(status, 0)
            counts[label][status] += 1
        return counts

    # listings: labels by status through GSI3
    def receipts_with_status(
        self,
        status: ValidationStatus = ValidationStatus.PENDING,
        *,
        after: str | None = None,
        page_size: int = 500,
    ) -> Iterator[PendingReceipt]:
        """Receipts holding labels of `status`, through GSI3 (grouped: GSI3SK starts with the receipt's path).

        `after` is a cursor from a previous PendingReceipt: listing resumes with the next receipt.
        """
        condition = "GSI3PK = :pk"
        values: PlainItem = {":pk": keys.status_gsi3pk(status.value)}
        if after:
            condition += " AND GSI3SK > :after"
            values[":after"] = after
        yield from _group_by_receipt(self._status_keys(condition, values, page_size))

    def receipts_in_segment(
        self,
        status: ValidationStatus,
        segment: str,
        *,
        after: str | None = None,
        page_size: int = 500,
    ) -> Iterator[PendingReceipt]:
        """Receipts holding labels of `status` whose GSI3SK lies in `segment` (`keys.segments()`), after the cursor
        `after`, in key order.

        One Query on GSI3 with the segment's bounds in the key condition (BETWEEN is inclusive, so a key equal to the
        upper bound, which belongs to the next segment, is dropped here), so no segment reads another one's items.
        """
        lower, upper = keys.segment_range(segment)
        if after is not None and lower is not None and after < lower:
            after = None  # a cursor behind the segment: start at its beginning
        if after is not None and upper is not None and after >= upper:
            return  # a cursor beyond the segment: nothing of it is left
        start = after if after is not None else lower
        values: PlainItem = {":pk": keys.status_gsi3pk(status.value)}
        if start is not None and upper is not None:
            condition = "GSI3PK = :pk AND GSI3SK BETWEEN :lo AND :hi"
            values.update({":lo": start, ":hi": upper})
        elif start is not None:
            condition = "GSI3PK = :pk AND GSI3SK >= :lo"
            values[":lo"] = start
        elif upper is not None:
            condition = "GSI3PK = :pk AND GSI3SK < :hi"
            values[":hi"] = upper
        else:
            condition = "GSI3PK = :pk"

        def in_range(gsi3sk: str) -> bool:
            if after is not None and gsi3sk <= after:
                return False
            return upper is None or gsi3sk < upper

        yield from _group_by_receipt(k for k in self._status_keys(condition, values, page_size) if in_range(k))

    def _status_keys(self, condition: str, values: PlainItem, page_size: int) -> Iterator[str]:
        """The GSI3SK of every label a key condition on GSI3 selects (keys only), in key order."""
        raw = self._query(
            IndexName=STATUS_INDEX,
            KeyConditionExpression=condition,
            ExpressionAttributeValues=to_item(values),
            ProjectionExpression="GSI3SK",
            PaginationConfig={"PageSize": page_size},
        )
        return (r["GSI3SK"]["S"] for r in raw if "GSI3SK" in r)

    def receipts_with_statuses(
        self,
        statuses: Sequence[ValidationStatus],
        *,
        after: str | None = None,
        segment: str | None = None,
    ) -> Iterator[PendingReceipt]:
        """Receipts holding labels of any of `statuses`, through GSI3, in GSI3SK order, each once.

        With a `segment`, only the receipts of that key range of GSI3SK (`keys.segments()`); the cursor is the same
        GSI3 position either way, so a segment's cursor also resumes an unsegmented run. A cursor that is not a GSI3
        position raises ForeignCursor before anything is read.

        With several statuses the per-status listings are merged on the receipt cursor (all of them sort receipts the
        same way), so a receipt holding VALID and INVALID labels is listed once, and a label whose status a verdict
        moves to another GSI3 partition lands behind that partition's read position: it is not met again.
        """
        if after is not None:
            check_status_cursor(after)
        if segment is None:
            listings = [self.receipts_with_status(status, after=after) for status in statuses]
        else:
            listings = [self.receipts_in_segment(status, segment, after=after) for status in statuses]
        return _forward_only(listings, after)

    # listings: entities by TYPE through GSITYPE
    def iter_entities(
        self, entity_type: str, *, start: str | None = None, page_size: int = 200
    ) -> Iterator[tuple[PlainItem, str | None]]:
        """Items of one TYPE through GSITYPE, each with a cursor that resumes after its page (None on the last page)."""
        kwargs: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": TYPE_INDEX,
            "KeyConditionExpression": "#t = :t",
            "ExpressionAttributeNames": {"#t": "TYPE"},
            "ExpressionAttributeValues": to_item({":t": entity_type}),
            "Limit": page_size,
        }
        if start:
            kwargs["ExclusiveStartKey"] = json.loads(start)
        while True:
            page = self.client.query(**kwargs)
            last = page.get("LastEvaluatedKey")
            cursor = json.dumps(last, sort_keys=True) if last else None
            for item in page.get("Items", []):
                yield from_item(item), cursor
            if not last:
                return
            kwargs["ExclusiveStartKey"] = last

    def iter_receipt_refs(self, entity_type: str = keys.TYPE_RECEIPT) -> Iterator[ReceiptRef]:
        """Every receipt holding an entity of `entity_type` (RECEIPT or RECEIPT_METADATA)."""
        for data, _ in self.iter_entities(entity_type):
            try:
                parsed = keys.parse_keys(data["PK"], data["SK"])
            except (KeyError, keys.KeyFormatError):
                continue
            yield ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id)

    def receipts_with_metadata(self, *, after: str | None = None) -> Iterator[tuple[ReceiptRef, str]]:
        """Every receipt that has a metadata item, through GSITYPE, each with the cursor that resumes right after it.

        Page cursors resume after a whole page; a sweep that stops mid-page must resume after the last receipt it
        did, so the cursor here is the GSITYPE position of that very item (its table and index keys, which is what
        DynamoDB itself returns as LastEvaluatedKey when a page ends on that item). A cursor that is not a GSITYPE
        position raises ForeignCursor before anything is read.
        """
        if after is not None:
            check_entity_cursor(after)
        return self._metadata_positions(after)

    def _metadata_positions(self, after: str | None) -> Iterator[tuple[ReceiptRef, str]]:
        for data, _page_cursor in self.iter_entities(keys.TYPE_METADATA, start=after):
            try:
                parsed = keys.parse_keys(data["PK"], data["SK"])
            except (KeyError, keys.KeyFormatError):
                continue
            yield ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id), entity_cursor(data)

    # where each segment of each sweep stands (the validator's own items)
    def load_segment_state(self, sweep: str, segment: str) -> SegmentState | None:
        """The saved position of a segment (None if it never ran). A strongly consistent GetItem of one small item."""
        item = self.client.get_item(TableName=self.table_name, Key=_state_key(sweep, segment), ConsistentRead=True)
        if "Item" not in item:
            return None
        data = from_item(item["Item"])
        cursor = data.get("cursor")
        return SegmentState(
            sweep=sweep,
            segment=segment,
            cursor=cursor if isinstance(cursor, str) and cursor else None,
            finished=bool(data.get("finished")),
            updated_at=data.get("updated_at"),
        )

    def save_segment_state(self, sweep: str, segment: str, cursor: str | None, *, now: str | None = None) -> None:
        """Records where a segment stands after a slice: a cursor to resume from, or None when the pass finished.

        The item is the validator's own (PK `SWEEP#<sweep>`, SK `SEGMENT#<segment>`, no TYPE and no index keys), so
        no listing, export or stream filter of the receipts ever sees it. UpdateItem creates it on first use.
        """
        values: PlainItem = {":t": now or utc_now_iso(), ":f": cursor is None}
        expression = "SET updated_at = :t, finished = :f"
        if cursor is None:
            expression += " REMOVE #c"
        else:
            expression += ", #c = :c"
            values[":c"] = cursor
        self.client.update_item(
            TableName=self.table_name,
            Key=_state_key(sweep, segment),
            UpdateExpression=expression,
            ExpressionAttributeNames={"#c": "cursor"},
            ExpressionAttributeValues=to_item(values),
        )
