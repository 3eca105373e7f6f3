"""Where each sweep finds its receipts, in a fixed order, each with a cursor that resumes right after it.

Every source reads an index (never a Scan): GSI3 for labels by status, GSITYPE for metadata (both through the
repository, which makes and checks their cursors), or the caller's list. A cursor is opaque here: it is passed
through, and one the listing did not make is refused as a bad payload.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from domain.model import ReceiptRef, ValidationStatus
from domain.store.repository import DynamoReceiptRepository, ForeignCursor
from sweepers.payload import BadPayload


@dataclass(frozen=True)
class WorkItem:
    """One receipt to process; `cursor` resumes the listing with the receipt after it."""

    ref: ReceiptRef
    cursor: str


def receipts_with_statuses(
    store: DynamoReceiptRepository,
    statuses: Sequence[ValidationStatus],
    *,
    after: str | None = None,
    segment: str | None = None,
) -> Iterator[WorkItem]:
    """Receipts holding labels of any of `statuses`, each once, in the repository's order (whole or one segment)."""
    try:
        listing = store.receipts_with_statuses(statuses, after=after, segment=segment)
    except ForeignCursor as exc:
        raise BadPayload([f"cursor: {exc}"]) from None
    for pending in listing:
        yield WorkItem(pending.ref, pending.cursor)


def receipts_with_metadata(store: DynamoReceiptRepository, *, after: str | None = None) -> Iterator[WorkItem]:
    """Every receipt that has a metadata item, each with the cursor that resumes right after it."""
    try:
        listing = store.receipts_with_metadata(after=after)
    except ForeignCursor as exc:
        raise BadPayload([f"cursor: {exc}"]) from None
    for ref, cursor in listing:
        yield WorkItem(ref, cursor)


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
