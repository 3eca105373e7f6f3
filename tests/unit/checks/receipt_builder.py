"""Builds small receipts for the check tests: rows of text, top first, with bounding boxes like real OCR."""

from __future__ import annotations

from domain.model import BoundingBox, ReceiptContext, ReceiptMetadata, ReceiptRef, ReceiptWord, ReceiptWordLabel

IMAGE = "0d0c1c9e-5b1a-4f6e-9a57-2f1d1b0f8a11"


def make_receipt(rows: list[str], metadata: dict[str, str] | None = None, boxes: bool = True) -> ReceiptContext:
    """One OCR line per row, words split on spaces; y falls from the top (origin bottom-left)."""
    words: list[ReceiptWord] = []
    n = len(rows)
    for i, text in enumerate(rows, start=1):
        y = 0.95 - (i - 1) * (0.9 / max(1, n))
        x = 0.05
        for j, token in enumerate(text.split(), start=1):
            width = 0.02 * len(token)
            box = BoundingBox(x=x, y=y, width=width, height=0.015) if boxes else None
            words.append(ReceiptWord(image_id=IMAGE, receipt_id=1, line_id=i, word_id=j, text=token, bounding_box=box))
            x += width + 0.02
    meta = ReceiptMetadata(image_id=IMAGE, receipt_id=1, **metadata) if metadata else None
    return ReceiptContext(ref=ReceiptRef(image_id=IMAGE, receipt_id=1), words=words, metadata=meta)


def label_on(context: ReceiptContext, text: str, label: str, occurrence: int = 0) -> ReceiptWordLabel:
    """A PENDING label on the `occurrence`-th word whose text is `text` (top to bottom)."""
    hits = [w for w in sorted(context.words, key=lambda w: (w.line_id, w.word_id)) if w.text == text]
    w = hits[occurrence]
    return ReceiptWordLabel(image_id=IMAGE, receipt_id=1, line_id=w.line_id, word_id=w.word_id, label=label)


GROCERY = [
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
