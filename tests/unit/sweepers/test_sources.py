"""Listings only go forward, merge statuses per receipt, and refuse cursors of another sweep."""

from __future__ import annotations

import pytest

from domain.model import ReceiptRef, ValidationStatus
from domain.store.repository import DynamoReceiptRepository, PendingReceipt, receipt_cursor
from sweepers.payload import BadPayload
from sweepers.sources import named_receipts, receipts_with_metadata, receipts_with_statuses

A, B, C = (ReceiptRef(image_id=f"0000000{i}-0000-0000-0000-000000000000", receipt_id=1) for i in (1, 2, 3))


class ListingStore(DynamoReceiptRepository):
    """The repository's listing logic over a scripted GSI3 (its client is never called: any call would fail)."""

    def __init__(self, by_status: dict[ValidationStatus, list[ReceiptRef]]):
        super().__init__("unused", client=object())
        self.by_status = by_status

    def receipts_with_status(self, status: ValidationStatus, *, after: str | None = None, page_size: int = 500):
        for ref in self.by_status.get(status, []):
            if after is None or receipt_cursor(ref) > after:
                yield PendingReceipt(ref, 1, receipt_cursor(ref))


def test_a_listing_that_steps_back_never_repeats_a_receipt():
    store = ListingStore({ValidationStatus.PENDING: [A, B, A, B, C, B]})  # what moto can return under writes
    refs = [w.ref for w in receipts_with_statuses(store, (ValidationStatus.PENDING,))]
    assert refs == [A, B, C]


def test_valid_and_invalid_are_merged_per_receipt_in_order():
    store = ListingStore({ValidationStatus.VALID: [A, C], ValidationStatus.INVALID: [A, B, C]})
    items = list(receipts_with_statuses(store, (ValidationStatus.VALID, ValidationStatus.INVALID)))
    assert [w.ref for w in items] == [A, B, C]
    resumed = receipts_with_statuses(store, (ValidationStatus.VALID, ValidationStatus.INVALID), after=items[0].cursor)
    assert [w.ref for w in resumed] == [B, C]


@pytest.mark.parametrize(
    ("listing", "cursor"),
    [
        (lambda c: receipts_with_statuses(ListingStore({}), (ValidationStatus.PENDING,), after=c), '{"PK": 1}'),
        (lambda c: receipts_with_metadata(ListingStore({}), after=c), "IMAGE#x#RECEIPT#00001#~"),
        (lambda c: named_receipts([A], after=c), "IMAGE#x"),
    ],
)
def test_a_cursor_of_another_sweep_is_refused(listing, cursor):
    with pytest.raises(BadPayload, match="cursor"):
        list(listing(cursor))
