"""Items <-> entities: how receipts, lines, words, labels and metadata are written as DynamoDB items and read back.

Reading is tolerant: an item of a known kind that cannot be read (an unknown status, a word whose text is not a
string, a broken box) is skipped, logged with its key only and counted in `ReceiptContext.skipped`, so one bad item
never blocks the rest of its receipt. No DynamoDB calls here (domain/store/repository.py makes them).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from pydantic import ValidationError

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE
from domain.model import (
    BoundingBox,
    Receipt,
    ReceiptContext,
    ReceiptLine,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWord,
    ReceiptWordLabel,
    ValidationStatus,
    utc_now_iso,
)

log = logging.getLogger(__name__)

# An item in DynamoDB's wire form: attribute name -> AttributeValue ({"S": ...}, {"N": ...}, {"M": {...}}, ...).
Item = dict[str, Any]
# The same item as plain Python values (str, int, float, bool, None, list, dict, set).
PlainItem = dict[str, Any]

KEY_ATTRIBUTES = frozenset({"PK", "SK", "TYPE", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"})

_ser = TypeSerializer()
_de = TypeDeserializer()


class UnreadableItem(ValueError):
    """An item of a receipt the validator cannot read (unknown status, wrong types): skipped, never fatal."""


# ---- plain values <-> AttributeValues ----------------------------------------------------------------------------


def to_item(data: PlainItem) -> Item:
    """Plain values to AttributeValues (floats become Decimals, as DynamoDB numbers must)."""
    return {k: _ser.serialize(_plain_to_dynamo(v)) for k, v in data.items()}


def from_item(item: Item) -> PlainItem:
    """AttributeValues to plain values (whole numbers to int, others to float, sets to sorted lists)."""
    return {k: _wire_to_plain(v) for k, v in item.items()}


# Numbers whose plain value can be had without a Decimal: at most 38 digits (DynamoDB's precision, so the Decimal
# would not round), and a fraction of at most 6 digits (so the Decimal prints with its point and becomes a float).
_WHOLE = re.compile(r"-?[0-9]{1,38}")
_FRACTION = re.compile(r"-?[0-9]{1,31}\.[0-9]{1,6}")


def _wire_to_plain(value: Any) -> Any:
    """One AttributeValue to its plain value, as `_dynamo_to_plain(TypeDeserializer().deserialize(value))` gives it
    (tests/unit/store/test_codec_values.py checks the two agree, types included), without the Decimal detour for
    the strings, maps, lists and everyday numbers items are made of; any other value takes that very detour."""
    if isinstance(value, dict) and len(value) == 1:
        (kind, inner), *_ = value.items()
        if kind == "S" and isinstance(inner, str):
            return inner
        if kind == "N" and isinstance(inner, str):
            if _WHOLE.fullmatch(inner):
                return int(inner)
            if _FRACTION.fullmatch(inner):
                return float(inner)
        elif kind == "M" and isinstance(inner, dict):
            return {k: _wire_to_plain(x) for k, x in inner.items()}
        elif kind == "L" and isinstance(inner, list):
            return [_wire_to_plain(x) for x in inner]
        elif kind == "BOOL" and isinstance(inner, bool):
            return inner
    return _dynamo_to_plain(_de.deserialize(value))


def _plain_to_dynamo(v: object) -> object:
    if isinstance(v, float):
        return Decimal(str(v))
    if isinstance(v, dict):
        return {k: _plain_to_dynamo(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain_to_dynamo(x) for x in v]
    return v


def _dynamo_to_plain(v: object) -> Any:
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() and "." not in str(v) else float(v)
    if isinstance(v, dict):
        return {k: _dynamo_to_plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_dynamo_to_plain(x) for x in v]
    if isinstance(v, set):
        return sorted(_dynamo_to_plain(x) for x in v)
    return v


def sort_key_of(item: Item) -> str | None:
    """The item's SK as a string, or None when it has none (or not a string one): for logs and counts."""
    sk = item.get("SK")
    return sk.get("S") if isinstance(sk, dict) else None


# ---- keys of single items ----------------------------------------------------------------------------------------


def label_key(lb: ReceiptWordLabel) -> Item:
    """The table key of a label item."""
    return to_item(
        {"PK": keys.image_pk(lb.image_id), "SK": keys.label_sk(lb.receipt_id, lb.line_id, lb.word_id, lb.label)}
    )


def metadata_key(ref: ReceiptRef) -> Item:
    """The table key of a receipt's metadata item."""
    return to_item({"PK": keys.image_pk(ref.image_id), "SK": keys.metadata_sk(ref.receipt_id)})


# ---- entity -> item ----------------------------------------------------------------------------------------------


def _box(data: object) -> BoundingBox | None:
    if not data:
        return None
    if not isinstance(data, dict):
        raise UnreadableItem("bounding_box is not a map")
    return BoundingBox(**{k: float(data[k]) for k in ("x", "y", "width", "height")})


def _box_plain(box: BoundingBox | None) -> dict[str, float] | None:
    return box.model_dump() if box is not None else None


def receipt_item(r: Receipt) -> Item:
    return to_item({**r.extra, **keys.receipt_keys(r.image_id, r.receipt_id)})


def line_item(ln: ReceiptLine) -> Item:
    data: PlainItem = {**keys.line_keys(ln.image_id, ln.receipt_id, ln.line_id), "text": ln.text}
    if ln.bounding_box is not None:
        data["bounding_box"] = _box_plain(ln.bounding_box)
    if ln.confidence is not None:
        data["confidence"] = ln.confidence
    return to_item(data)


def word_item(w: ReceiptWord) -> Item:
    data: PlainItem = {**keys.word_keys(w.image_id, w.receipt_id, w.line_id, w.word_id), "text": w.text}
    if w.bounding_box is not None:
        data["bounding_box"] = _box_plain(w.bounding_box)
    if w.confidence is not None:
        data["confidence"] = w.confidence
    return to_item(data)


def label_item(lb: ReceiptWordLabel) -> Item:
    data: PlainItem = {
        **keys.label_keys(lb.image_id, lb.receipt_id, lb.line_id, lb.word_id, lb.label, lb.validation_status.value),
        "validation_status": lb.validation_status.value,
        "reasoning": lb.reasoning,
        "timestamp_added": lb.timestamp_added or utc_now_iso(),
        "label_proposed_by": lb.label_proposed_by,
        "label_consolidated_from": lb.label_consolidated_from,
    }
    for owned in ("validated_by", "validated_at", "last_verified_at"):
        value = getattr(lb, owned)
        if value is not None:
            data[owned] = value
    return to_item(data)


def metadata_item(m: ReceiptMetadata) -> Item:
    data: PlainItem = {**keys.metadata_keys(m.image_id, m.receipt_id, m.merchant_name, m.place_id)}
    for name in (
        "merchant_name",
        "address",
        "phone_number",
        "place_id",
        "merchant_category",
        "validated_by",
        "reasoning",
        "timestamp",
    ):
        value = getattr(m, name)
        if value is not None:
            data[name] = value
    if m.validation_status is not None:
        data["validation_status"] = m.validation_status.value
    if m.matched_fields:
        data["matched_fields"] = set(m.matched_fields)
    for k, v in m.canonical.items():
        data[f"canonical_{k}"] = v
    return to_item(data)


def context_items(context: ReceiptContext) -> list[Item]:
    """Every item of one receipt, as written by import."""
    items = [receipt_item(context.receipt or Receipt(image_id=context.ref.image_id, receipt_id=context.ref.receipt_id))]
    items += [line_item(ln) for ln in context.lines]
    items += [word_item(w) for w in context.words]
    items += [label_item(lb) for lb in context.labels]
    if context.metadata is not None:
        items.append(metadata_item(context.metadata))
    return items


# ---- item -> entity ----------------------------------------------------------------------------------------------


def label_from_item(data: PlainItem, parsed: keys.ParsedKey) -> ReceiptWordLabel:
    return ReceiptWordLabel(
        image_id=parsed.image_id,
        receipt_id=parsed.receipt_id,
        line_id=parsed.line_id or 0,
        word_id=parsed.word_id or 0,
        label=parsed.label or "",
        validation_status=ValidationStatus(data.get("validation_status") or "NONE"),
        reasoning=data.get("reasoning"),
        timestamp_added=data.get("timestamp_added"),
        label_proposed_by=data.get("label_proposed_by"),
        label_consolidated_from=data.get("label_consolidated_from"),
        validated_by=data.get("validated_by"),
        validated_at=data.get("validated_at"),
        last_verified_at=data.get("last_verified_at"),
    )


def metadata_from_item(data: PlainItem, parsed: keys.ParsedKey) -> ReceiptMetadata:
    return ReceiptMetadata(
        image_id=parsed.image_id,
        receipt_id=parsed.receipt_id,
        merchant_name=data.get("merchant_name"),
        address=data.get("address"),
        phone_number=data.get("phone_number"),
        place_id=data.get("place_id"),
        merchant_category=data.get("merchant_category"),
        matched_fields=list(data.get("matched_fields") or []),
        validated_by=data.get("validated_by"),
        reasoning=data.get("reasoning"),
        timestamp=data.get("timestamp"),
        validation_status=data.get("validation_status") or None,
        validated_fingerprint=data.get(FINGERPRINT_ATTRIBUTE),
        canonical={k[len("canonical_") :]: str(v) for k, v in data.items() if k.startswith("canonical_") and v},
    )


def context_from_items(ref: ReceiptRef, items: Iterable[Item]) -> ReceiptContext:
    """Builds a receipt from the raw items of its partition slice.

    Items of other shapes (keys of no known kind) are passed over; items of a known kind that cannot be read (an
    unknown status, a word whose text is not a string, a broken box) are skipped and listed in `context.skipped`, logged
    with their key only, so one bad item never blocks the rest of its receipt.
    """
    context = ReceiptContext(ref=ref)
    for raw in items:
        try:
            _add_item(context, ref, raw)
        except (UnreadableItem, ValidationError, TypeError, ValueError, KeyError, ArithmeticError) as exc:
            sk = sort_key_of(raw)
            context.skipped.append(str(sk))
            log.warning("item_skipped", extra={"receipt": str(ref), "sk": sk, "error": type(exc).__name__})
    return context


def _add_item(context: ReceiptContext, ref: ReceiptRef, raw: Item) -> None:
    try:
        pk, sk = raw["PK"]["S"], raw["SK"]["S"]
        parsed = keys.parse_keys(pk, sk)
    except (KeyError, TypeError, keys.KeyFormatError):
        log.debug("passing over an item with unexpected keys")
        return
    if parsed.receipt_id != ref.receipt_id:
        return
    data = from_item(raw)
    if parsed.kind == keys.TYPE_RECEIPT:
        extra = {k: v for k, v in data.items() if k not in KEY_ATTRIBUTES}
        context.receipt = Receipt(image_id=parsed.image_id, receipt_id=parsed.receipt_id, extra=extra)
    elif parsed.kind == keys.TYPE_LINE:
        context.lines.append(
            ReceiptLine(
                image_id=parsed.image_id,
                receipt_id=parsed.receipt_id,
                line_id=parsed.line_id or 0,
                text=_text(data),
                bounding_box=_box(data.get("bounding_box")),
                confidence=data.get("confidence"),
            )
        )
    elif parsed.kind == keys.TYPE_WORD:
        context.words.append(
            ReceiptWord(
                image_id=parsed.image_id,
                receipt_id=parsed.receipt_id,
                line_id=parsed.line_id or 0,
                word_id=parsed.word_id or 0,
                text=_text(data),
                bounding_box=_box(data.get("bounding_box")),
                confidence=data.get("confidence"),
            )
        )
    elif parsed.kind == keys.TYPE_LABEL:
        context.labels.append(label_from_item(data, parsed))
    elif parsed.kind == keys.TYPE_METADATA:
        context.metadata = metadata_from_item(data, parsed)


def _text(data: PlainItem) -> str:
    text = data.get("text", "")
    if not isinstance(text, str):
        raise UnreadableItem("text is not a string")
    return text
