"""Small hand-made receipts for the stream tests: a few PENDING labels each, rules can decide most of them."""

from __future__ import annotations

import uuid
from typing import Any

LINES: list[tuple[str, list[str | None]]] = [
    ("TRADER JOE'S", ["MERCHANT_NAME", "MERCHANT_NAME"]),
    ("(805) 555-0100", ["PHONE_NUMBER", "PHONE_NUMBER"]),
    ("01/15/2019 14:32", ["DATE", "TIME"]),
    ("BANANAS 0.99", ["PRODUCT_NAME", "LINE_TOTAL"]),
    ("MILK 3.49", ["PRODUCT_NAME", "LINE_TOTAL"]),
    ("SUBTOTAL 4.48", [None, "SUBTOTAL"]),
    ("TAX 0.36", [None, "TAX"]),
    ("TOTAL 4.84", [None, "GRAND_TOTAL"]),
]


def receipt_bundle(image_id: str | None = None, receipt_id: int = 1, *, status: str = "PENDING") -> dict[str, Any]:
    """A CONTRACT §2 bundle with every label in `status`, and metadata."""
    image_id = image_id or str(uuid.uuid4())
    words, labels = [], []
    n = len(LINES)
    for line_id, (text, line_labels) in enumerate(LINES, start=1):
        y = round(0.95 - (line_id - 1) * (0.9 / n), 4)
        for word_id, (token, label) in enumerate(zip(text.split(" "), line_labels, strict=True), start=1):
            x = 0.1 + (word_id - 1) * 0.45
            words.append(
                {
                    "line_id": line_id,
                    "word_id": word_id,
                    "text": token,
                    "bounding_box": {"x": x, "y": y, "width": 0.3, "height": 0.02},
                }
            )
            if label:
                labels.append(
                    {
                        "line_id": line_id,
                        "word_id": word_id,
                        "label": label,
                        "validation_status": status,
                        "label_proposed_by": "test",
                    }
                )
    return {
        "image_id": image_id,
        "receipt_id": receipt_id,
        "words": words,
        "labels": labels,
        "metadata": {"merchant_name": "Trader Joe's", "phone_number": "(805) 555-0100"},
    }
