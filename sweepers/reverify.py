"""Quarterly: re-verifies the VALID and INVALID labels of every receipt, because rules and models improve.

Receipts come from GSI3 (VALID and INVALID partitions merged in receipt order) rather than from GSITYPE RECEIPT:
only receipts that hold such labels are loaded, and the cursor is the same receipt position the pending sweep uses.
What changes is decided in `domain.service` (mode "reverify"): a label changes only when the new verdict differs
from the stored one, never when a person validated it; otherwise only `last_verified_at` is touched.
"""

from __future__ import annotations

from collections.abc import Iterator

from domain.keys import segments
from domain.model import ReceiptRef, ValidationStatus
from domain.service import ClaimVerifier, ReceiptReport, validate_receipt
from domain.store.repository import DynamoReceiptRepository
from domain.wiring import Wiring
from sweepers.lambda_entry import handler_for
from sweepers.runner import Sweep
from sweepers.sources import WorkItem, receipts_with_statuses

NAME = "reverify"
STATUSES = (ValidationStatus.VALID, ValidationStatus.INVALID)


def build(verifier: ClaimVerifier) -> Sweep:

    def process(store: DynamoReceiptRepository, ref: ReceiptRef, dry_run: bool) -> ReceiptReport:
        return validate_receipt(store, ref, mode="reverify", dry_run=dry_run, verifier=verifier)

    def list_receipts(store: DynamoReceiptRepository, after: str | None, segment: str | None) -> Iterator[WorkItem]:
        return receipts_with_statuses(store, STATUSES, after=after, segment=segment)

    return Sweep(NAME, list_receipts, process, segments=tuple(segments()))


def from_wiring(wiring: Wiring) -> Sweep:
    return build(wiring.verifier)


lambda_handler = handler_for(NAME, from_wiring)
