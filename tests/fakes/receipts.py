"""Small receipts for tests, built from lines of text and a map of word -> label."""

from __future__ import annotations

from domain.model import ReceiptContext, ReceiptRef, ReceiptWord, ReceiptWordLabel, ValidationStatus

WordKey = tuple[int, int]

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


def make_context(
    lines: list[str],
    labels: dict[WordKey, str | list[str]],
    *,
    image_id: str = "0d0c1c9e-5b1a-4f6e-9a57-2f1d1b0f8a11",
    receipt_id: int = 1,
    status: ValidationStatus = ValidationStatus.PENDING,
    validated_by: str | None = None,
) -> ReceiptContext:
    words = [
        ReceiptWord(image_id=image_id, receipt_id=receipt_id, line_id=i, word_id=j, text=text)
        for i, line in enumerate(lines, start=1)
        for j, text in enumerate(line.split(), start=1)
    ]
    out = []
    for (line_id, word_id), names in labels.items():
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
    return ReceiptContext(ref=ReceiptRef(image_id=image_id, receipt_id=receipt_id), words=words, labels=out)


def grocery(*, wrong: dict[WordKey, str] | None = None, image_id: str | None = None, **kw: object) -> ReceiptContext:
    """The grocery receipt with its true labels pending, plus `wrong` (word -> a false label) pending too."""
    labels: dict[WordKey, str | list[str]] = dict(GROCERY_TRUTH)
    for key, name in (wrong or {}).items():
        labels[key] = [*([labels[key]] if key in labels else []), name]  # type: ignore[list-item]
    if image_id is not None:
        kw["image_id"] = image_id
    return make_context(GROCERY_LINES, labels, **kw)  # type: ignore[arg-type]
