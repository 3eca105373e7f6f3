"""Export records (CONTRACT §3): one JSON object per label or metadata record, or whole receipts as bundles."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from domain.bundles import context_to_bundle
from domain.model import ReceiptContext


def label_and_metadata_records(context: ReceiptContext) -> Iterator[dict[str, Any]]:
    ref = context.ref
    for lb in context.labels:
        yield {
            "kind": "label",
            **lb.model_dump(mode="json"),
            "text": (w.text if (w := context.word(lb.line_id, lb.word_id)) else None),
        }
    if context.metadata is not None:
        yield {
            "kind": "metadata",
            **context.metadata.model_dump(mode="json"),
            "image_id": ref.image_id,
            "receipt_id": ref.receipt_id,
        }


def bundle_record(context: ReceiptContext) -> dict[str, Any]:
    return context_to_bundle(context)
