"""Where each sweep finds its receipts, in a fixed order, each with a cursor that resumes right after it.

Every source reads an index (never a Scan): GSI3 for labels by status, GSITYPE for metadata, or the caller's list.
A cursor is opaque to callers; each source checks that a cursor handed back to it is one of its own.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from domain import keys
from domain.model import ReceiptRef, ValidationStatus
from domain.store import ReceiptStore, receipts_in_segment
from sweepers.payload import BadPayload


@dataclass(frozen=True)
class WorkItem:
    """One receipt to process; `cursor` resumes the listing with the receipt after it."""

    ref: ReceiptRef
    cursor: str


def receipts_with_statuses(
    store: ReceiptStore,
    statuses: Sequence[ValidationStatus],
    *,
    after: str | None = None,
    segment: str | None = None,
) -> Iterator[WorkItem]:
    """Receipts holding labels of any of `statuses`, through GSI3, in GSI3SK order, each once.

    With a `segment`, only the receipts of that key range of GSI3SK (`domain.store.segments()`); the cursor is the
    same GSI3 position either way, so a segment's cursor also resumes an unsegmented run.

    With several statuses the per-status listings are merged on the receipt cursor (all of them sort receipts the
    same way), so a receipt holding VALID and INVALID labels is processed once, and a label whose status a verdict
    moves to another GSI3 partition lands behind that partition's read position: it is not met again.
    """
    if after is not None and not after.startswith("IMAGE#"):
        raise BadPayload([f"cursor: {after!r} is not a cursor of this sweep (expected a GSI3 position)"])
    if segment is None:
        listings = [store.receipts_with_status(status, after=after) for status in statuses]
    else:
        listings = [receipts_in_segment(store, status, segment, after=after) for status in statuses]
    merged = heapq.merge(*listings, key=lambda pending: pending.cursor) if len(listings) > 1 else listings[0]
    last = after
    for pending in merged:
        # Only forward: a receipt at or behind the last position is never yielded twice. DynamoDB pages never go
        # back, but moto can, when a verdict moves an item out of the partition while a page is being read.
        if last is not None and pending.cursor <= last:
            continue
        last = pending.cursor
        yield WorkItem(pending.ref, pending.cursor)


def receipts_with_metadata(store: ReceiptStore, *, after: str | None = None) -> Iterator[WorkItem]:
    """Every receipt that has a metadata item, through GSITYPE (TYPE=RECEIPT_METADATA).

    The store's page cursors resume after a whole page; a sweep that stops mid-page must resume after the last
    receipt it did, so the cursor here is the GSITYPE position of that very item (its table and index keys, which is
    what DynamoDB itself returns as LastEvaluatedKey when a page ends on that item).
    """
    if after is not None:
        _check_entity_cursor(after)
    for data, _page_cursor in store.iter_entities(keys.TYPE_METADATA, start=after):
        try:
            parsed = keys.parse_keys(data["PK"], data["SK"])
        except (KeyError, keys.KeyFormatError):
            continue
        yield WorkItem(ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id), entity_cursor(data))


def entity_cursor(data: dict) -> str:
    """The GSITYPE ExclusiveStartKey that resumes right after this item, in the store's cursor format."""
    key = {name: {"S": str(data[name])} for name in ("PK", "SK", "TYPE")}
    return json.dumps(key, sort_keys=True)


def _check_entity_cursor(cursor: str) -> None:
    try:
        key = json.loads(cursor)
    except ValueError:
        key = None
    if not (isinstance(key, dict) and {"PK", "SK", "TYPE"} <= set(key)):
        raise BadPayload([f"cursor: {cursor[:80]!r} is not a cursor of this sweep (expected a GSITYPE position)"])


def named_receipts(refs: Sequence[ReceiptRef], *, after: str | None = None) -> Iterator[WorkItem]:
    """The caller's receipts in the caller's order (duplicates dropped); the cursor is how many are done."""
    start = 0
    if after is not None:
        if not after.isdigit():
            raise BadPayload([f"cursor: {after!r} is not a cursor of a run over named receipts (expected a count)"])
        start = int(after)
    unique = list(dict.fromkeys(refs))
    for index in range(start, len(unique)):
        yield WorkItem(unique[index], str(index + 1))
