"""Weekly: every receipt's metadata (GSITYPE, TYPE=RECEIPT_METADATA) checked against the receipt, and Places.

Places is consulted only when a key is configured (SSM parameter named by PLACES_API_KEY_PARAM in AWS, or
GOOGLE_PLACES_API_KEY locally); without one the metadata is checked against the receipt's own words.
"""

from __future__ import annotations

from collections.abc import Iterator

from domain.model import ReceiptRef
from domain.places import PlacesClient
from domain.service import MetadataReport, validate_metadata
from domain.store.repository import DynamoReceiptRepository
from domain.wiring import Wiring
from sweepers.lambda_entry import handler_for
from sweepers.runner import Sweep
from sweepers.sources import WorkItem, receipts_with_metadata

NAME = "metadata"


def build(places: PlacesClient | None = None) -> Sweep:

    def process(store: DynamoReceiptRepository, ref: ReceiptRef, dry_run: bool) -> MetadataReport:
        return validate_metadata(store, ref, dry_run=dry_run, places=places)

    def list_receipts(store: DynamoReceiptRepository, after: str | None, segment: str | None) -> Iterator[WorkItem]:
        return receipts_with_metadata(store, after=after)

    return Sweep(NAME, list_receipts, process)


def from_wiring(wiring: Wiring) -> Sweep:
    return build(wiring.places)


lambda_handler = handler_for(NAME, from_wiring)
