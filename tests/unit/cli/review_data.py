"""A small receipt with labels left for review, drawn from real-looking word boxes (normalized, origin bottom-left)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from domain.bundles import parse_bundle_lines
from domain.model import ReceiptRef
from domain.store.repository import DynamoReceiptRepository

WORDS = [
    (1, 1, "CORNER", 0.30, 0.92),
    (1, 2, "GROCER", 0.52, 0.92),
    (2, 1, "2024-03-15", 0.10, 0.80),
    (3, 1, "MILK", 0.10, 0.60),
    (3, 2, "2.49", 0.75, 0.60),
    (4, 1, "TOTAL", 0.10, 0.30),
    (4, 2, "12.49", 0.75, 0.30),
]


def review_bundle(merchant: str = "Corner Grocer", image_id: str | None = None) -> dict[str, Any]:
    return {
        "image_id": image_id or str(uuid.uuid4()),
        "receipt_id": 1,
        "words": [
            {"line_id": ln, "word_id": w, "text": t, "bounding_box": {"x": x, "y": y, "width": 0.16, "height": 0.03}}
            for ln, w, t, x, y in WORDS
        ],
        "labels": [
            {
                "line_id": 4,
                "word_id": 2,
                "label": "GRAND_TOTAL",
                "validation_status": "NEEDS_REVIEW",
                "reasoning": "[Is it the largest amount? supports: 12.49 is the largest] [Do items sum to it? "
                "refutes: 2.49 != 12.49]",
                "label_proposed_by": "ocr-labeler",
                "timestamp_added": "2026-01-01T00:00:00+00:00",
            },
            {
                "line_id": 2,
                "word_id": 1,
                "label": "DATE",
                "validation_status": "NEEDS_REVIEW",
                "reasoning": "[Does it parse as a date? supports: 2024-03-15]",
                "label_proposed_by": "ocr-labeler",
                "timestamp_added": "2026-01-01T00:00:00+00:00",
            },
            {
                "line_id": 1,
                "word_id": 1,
                "label": "MERCHANT_NAME",
                "validation_status": "VALID",
                "reasoning": "matches the metadata",
                "timestamp_added": "2026-01-01T00:00:00+00:00",
            },
        ],
        "metadata": {"merchant_name": merchant, "address": "1 Main St", "phone_number": "(805) 555-0100"},
    }


def load(store: DynamoReceiptRepository, *bundles: dict[str, Any]) -> list[ReceiptRef]:
    contexts = parse_bundle_lines([json.dumps(b) for b in bundles]).contexts
    store.write_contexts(contexts)
    return [c.ref for c in contexts]


def label_item(store: DynamoReceiptRepository, ref: ReceiptRef, line: int, word: int, label: str) -> dict[str, Any]:
    from domain import keys
    from domain.store.codec import from_item

    raw = store.client.get_item(
        TableName=store.table_name,
        Key={"PK": {"S": keys.image_pk(ref.image_id)}, "SK": {"S": keys.label_sk(ref.receipt_id, line, word, label)}},
    )["Item"]
    return from_item(raw)
