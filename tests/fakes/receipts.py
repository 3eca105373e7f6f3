"""The one builder of hand-made test receipts: rows of text (top first) laid out like OCR, plus labels on words.

Every test that needs a small receipt builds it here: as a ReceiptContext (`make_context`, `grocery`), as a CONTRACT §2
bundle (`grocery_bundle` for tests that import into a table; `sample_bundle`, a few words using every optional field of
the format), and single claims on a word (`label_on`). Generated receipts in bulk come from the top-level `samples`
package instead.
"""

from __future__ import annotations

from typing import Any

from domain.bundles import context_to_bundle
from domain.model import (
    BoundingBox,
    ReceiptContext,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWord,
    ReceiptWordLabel,
    ValidationStatus,
)

WordKey = tuple[int, int]

IMAGE = "0d0c1c9e-5b1a-4f6e-9a57-2f1d1b0f8a11"

# The short grocery receipt with a true label on every word that has one (the CoVe, service and stream tests).
GROCERY_LINES = [
    "TRADER JOE'S",
    "123 MAIN ST",
    "(805) 555-0100",
    "01/15/2019 12:34",
    "BANANAS 0.99",
    "MILK 3.49",
    "SUBTOTAL 4.48",
    "TAX 0.36",
    "TOTAL 4.84",
    "VISA 4.84",
]

GROCERY_TRUTH: dict[WordKey, str] = {
    (1, 1): "MERCHANT_NAME",
    (1, 2): "MERCHANT_NAME",
    (2, 1): "ADDRESS_LINE",
    (2, 2): "ADDRESS_LINE",
    (2, 3): "ADDRESS_LINE",
    (3, 1): "PHONE_NUMBER",
    (3, 2): "PHONE_NUMBER",
    (4, 1): "DATE",
    (4, 2): "TIME",
    (5, 1): "PRODUCT_NAME",
    (5, 2): "LINE_TOTAL",
    (6, 1): "PRODUCT_NAME",
    (6, 2): "LINE_TOTAL",
    (7, 2): "SUBTOTAL",
    (8, 2): "TAX",
    (9, 2): "GRAND_TOTAL",
    (10, 1): "PAYMENT_METHOD",
}

# The same store's longer receipt, unlabelled, with its metadata: the deterministic checks' tests claim words on it.
FULL_GROCERY_LINES = [
    "TRADER JOE'S #123",
    "123 MAIN ST",
    "SANTA BARBARA, CA 93101",
    "TEL (805) 555-0100",
    "www.traderjoes.com",
    "MON-SUN 8AM-9PM",
    "01/15/2019 3:42 PM",
    "BANANAS 0.99",
    "2 @ 1.50 3.00",
    "MILK ORGANIC 4.49",
    "BREAD 3.92",
    "SUBTOTAL 12.40",
    "TAX 0.99",
    "TOTAL 13.39",
    "VISA ****1234 13.39",
    "MEMBER # 12345678",
    "THANK YOU",
]
GROCERY_META = {
    "merchant_name": "Trader Joe's",
    "address": "123 Main Street, Santa Barbara, CA 93101",
    "phone_number": "(805) 555-0100",
}


def _words(lines: list[str], image_id: str, receipt_id: int, boxes: bool) -> list[ReceiptWord]:
    """One OCR line per row, words split on spaces; y falls from the top (origin bottom-left), x by word width."""
    words: list[ReceiptWord] = []
    n = len(lines)
    for i, text in enumerate(lines, start=1):
        y = 0.95 - (i - 1) * (0.9 / max(1, n))
        x = 0.05
        for j, token in enumerate(text.split(), start=1):
            width = 0.02 * len(token)
            box = BoundingBox(x=x, y=y, width=width, height=0.015) if boxes else None
            words.append(
                ReceiptWord(
                    image_id=image_id, receipt_id=receipt_id, line_id=i, word_id=j, text=token, bounding_box=box
                )
            )
            x += width + 0.02
    return words


def make_context(
    lines: list[str],
    labels: dict[WordKey, str | list[str]] | None = None,
    *,
    image_id: str = IMAGE,
    receipt_id: int = 1,
    status: ValidationStatus = ValidationStatus.PENDING,
    validated_by: str | None = None,
    metadata: dict[str, str] | None = None,
    boxes: bool = True,
) -> ReceiptContext:
    """A receipt of `lines` with `labels` (word -> label name(s)) all in `status`; optional metadata and word boxes.

    The labels' proposer and reasoning carry "SECRET-..." texts so the logging tests can tell they never leak.
    """
    out = []
    for (line_id, word_id), names in (labels or {}).items():
        for name in [names] if isinstance(names, str) else names:
            out.append(
                ReceiptWordLabel(
                    image_id=image_id,
                    receipt_id=receipt_id,
                    line_id=line_id,
                    word_id=word_id,
                    label=name,
                    validation_status=status,
                    validated_by=validated_by,
                    label_proposed_by="ocr-labeler-SECRET-PROPOSER",
                    reasoning="proposed because SECRET-REASON",
                )
            )
    meta = ReceiptMetadata(image_id=image_id, receipt_id=receipt_id, **metadata) if metadata else None
    return ReceiptContext(
        ref=ReceiptRef(image_id=image_id, receipt_id=receipt_id),
        words=_words(lines, image_id, receipt_id, boxes),
        labels=out,
        metadata=meta,
    )


def label_on(context: ReceiptContext, text: str, label: str, occurrence: int = 0) -> ReceiptWordLabel:
    """A PENDING label on the `occurrence`-th word whose text is `text` (top to bottom)."""
    hits = [w for w in sorted(context.words, key=lambda w: (w.line_id, w.word_id)) if w.text == text]
    w = hits[occurrence]
    return ReceiptWordLabel(
        image_id=context.ref.image_id,
        receipt_id=context.ref.receipt_id,
        line_id=w.line_id,
        word_id=w.word_id,
        label=label,
    )


def grocery(*, wrong: dict[WordKey, str] | None = None, image_id: str | None = None, **kw: Any) -> ReceiptContext:
    """The grocery receipt with its true labels pending, plus `wrong` (word -> a false label) pending too."""
    labels: dict[WordKey, str | list[str]] = dict(GROCERY_TRUTH)
    for key, name in (wrong or {}).items():
        existing = labels.get(key)
        labels[key] = [*([existing] if isinstance(existing, str) else existing or []), name]
    if image_id is not None:
        kw["image_id"] = image_id
    return make_context(GROCERY_LINES, labels, **kw)


def grocery_bundle(image_id: str, receipt_id: int = 1, *, status: str = "PENDING") -> dict[str, Any]:
    """The grocery receipt as a CONTRACT §2 bundle (word boxes, merchant and phone metadata), every label `status`."""
    context = grocery(
        image_id=image_id,
        receipt_id=receipt_id,
        status=ValidationStatus(status),
        metadata={"merchant_name": GROCERY_META["merchant_name"], "phone_number": GROCERY_META["phone_number"]},
        boxes=True,
    )
    bundle = context_to_bundle(context)
    del bundle["lines"]  # none were given: the importer derives them from the words, as for a pipeline bundle
    return bundle


def sample_bundle(image_id: str = IMAGE, receipt_id: int = 1, words: int = 3) -> dict[str, Any]:
    """The grocery receipt cut to a few words, as a bundle that uses every optional field of the import format (a word
    with a box, one with only a confidence, a VALID label with reasoning, metadata with a place id); `words`
    adds filler words. The store, import/export and integrity tests round-trip it."""
    ws = [
        {
            "line_id": 1,
            "word_id": 1,
            "text": "TRADER",
            "bounding_box": {"x": 0.21, "y": 0.93, "width": 0.18, "height": 0.02},
        },
        {"line_id": 1, "word_id": 2, "text": "JOE'S", "confidence": 0.97},
        {
            "line_id": 2,
            "word_id": 1,
            "text": "13.39",
            "bounding_box": {"x": 0.7, "y": 0.1, "width": 0.1, "height": 0.02},
        },
    ]
    for i in range(4, words + 1):
        ws.append({"line_id": 3, "word_id": i, "text": f"w{i}"})
    return {
        "image_id": image_id,
        "receipt_id": receipt_id,
        "words": ws,
        "labels": [
            {
                "line_id": 1,
                "word_id": 1,
                "label": "MERCHANT_NAME",
                "validation_status": "PENDING",
                "label_proposed_by": "ocr-labeler",
            },
            {"line_id": 2, "word_id": 1, "label": "GRAND_TOTAL", "validation_status": "PENDING"},
            {
                "line_id": 1,
                "word_id": 2,
                "label": "MERCHANT_NAME",
                "validation_status": "VALID",
                "reasoning": "seen before",
            },
        ],
        "metadata": {
            "merchant_name": "Trader Joe's",
            "address": "123 Main St",
            "phone_number": "(805) 555-0100",
            "place_id": "ChIJabc",
        },
    }
