"""Weekly: PENDING labels the stream path missed, found through GSI3 and validated receipt by receipt."""

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

NAME = "pending"


def build(verifier: ClaimVerifier) -> Sweep:

    def process(store: DynamoReceiptRepository, ref: ReceiptRef, dry_run: bool) -> ReceiptReport:
        return validate_receipt(store, ref, mode="pending", dry_run=dry_run, verifier=verifier)

    def list_receipts(store: DynamoReceiptRepository, after: str | None, segment: str | None) -> Iterator[WorkItem]:
        return receipts_with_statuses(store, (ValidationStatus.PENDING,), after=after, segment=segment)

    return Sweep(NAME, list_receipts, process, segments=tuple(segments()))


def from_wiring(wiring: Wiring) -> Sweep:
    return build(wiring.verifier)


lambda_handler = handler_for(NAME, from_wiring)
