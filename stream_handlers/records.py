"""One DynamoDB stream record -> the work it asks for, the reason it is ignored, or why it is malformed.

The handler re-checks here the same conditions as `filter_pattern.FILTER_PATTERNS` (the event source mapping applies
them before invoking, but a mapping deployed without the filter, or a replayed event, must not cause a feedback loop):
a label passes only when its new image is PENDING. Metadata, which the filter passes whole, is work unless its new
image holds the fingerprint of its own judged values: that is the validator's verdict on exactly these values (or a
change to nothing a verdict reads), whereas a pipeline's edit of a judged value, or metadata never judged, differs.
Lambda never ships moto's pattern matcher, so the check is written out; a unit test holds it to the patterns.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, METADATA_JUDGED, metadata_fingerprint
from domain.labels import UnknownLabelError, canonical_label
from domain.model import ReceiptRef, ValidationStatus
from stream_handlers.filter_pattern import LABEL_PATTERN, METADATA_PATTERN

WORK_EVENTS = frozenset(LABEL_PATTERN["eventName"]) | frozenset(METADATA_PATTERN["eventName"])
KNOWN_EVENTS = WORK_EVENTS | {"REMOVE"}


class WorkKind(StrEnum):
    LABEL = "label"
    METADATA = "metadata"


class IgnoreReason(StrEnum):
    REMOVE = "remove"
    OTHER_ENTITY = "other_entity"
    NOT_PENDING = "not_pending"  # includes the validator's own verdict writes
    VALIDATOR_WRITE = "validator_write"  # metadata whose judged values are those its verdict was written for


@dataclass(frozen=True)
class Work:
    """A record that asks for its receipt to be validated."""

    sequence_number: str
    ref: ReceiptRef
    kind: WorkKind
    label: str | None = None


@dataclass(frozen=True)
class Ignored:
    sequence_number: str
    reason: IgnoreReason


class MalformedRecord(ValueError):
    """A record this handler cannot read (missing keys, bad types, unknown label): logged, counted, never retried."""

    def __init__(self, message: str, sequence_number: str | None = None):
        super().__init__(message)
        self.sequence_number = sequence_number


def _string(image: Mapping[str, Any], name: str, seq: str | None) -> str | None:
    """The S value of attribute `name`; None when absent; malformed when present with another type."""
    if name not in image:
        return None
    value = image[name]
    if not isinstance(value, Mapping):
        raise MalformedRecord(f"attribute {name} is not a DynamoDB value", seq)
    if "NULL" in value:
        return None
    if not isinstance(value.get("S"), str):
        raise MalformedRecord(f"attribute {name} is not a string", seq)
    return value["S"]


def classify(record: Mapping[str, Any]) -> Work | Ignored:
    """What one raw stream record (as in a Lambda event) asks for. Raises MalformedRecord."""
    seq, event_name, body, pk, sk = _envelope(record)
    if event_name == "REMOVE":
        return Ignored(seq, IgnoreReason.REMOVE)
    image = body.get("NewImage")
    if not isinstance(image, Mapping):
        raise MalformedRecord(f"{event_name} record has no NewImage (stream view must include new images)", seq)
    entity = _string(image, "TYPE", seq)
    if entity not in (keys.TYPE_LABEL, keys.TYPE_METADATA):
        return Ignored(seq, IgnoreReason.OTHER_ENTITY)
    parsed, ref = _receipt_of(pk, sk, entity, seq)
    if entity == keys.TYPE_METADATA:
        if _holds_its_verdict(image):
            return Ignored(seq, IgnoreReason.VALIDATOR_WRITE)
        return Work(seq, ref, WorkKind.METADATA)
    return _label_work(seq, ref, parsed.label, image)


def _envelope(record: Mapping[str, Any]) -> tuple[str, str, Mapping[str, Any], str, str]:
    """(sequence number, event name, dynamodb body, PK, SK) of a record whose envelope is well formed."""
    if not isinstance(record, Mapping):
        raise MalformedRecord("record is not an object")
    body = record.get("dynamodb")
    if not isinstance(body, Mapping):
        raise MalformedRecord("record has no dynamodb body")
    seq = body.get("SequenceNumber")
    if not isinstance(seq, str) or not seq:
        raise MalformedRecord("record has no SequenceNumber")
    event_name = record.get("eventName")
    if not isinstance(event_name, str) or event_name not in KNOWN_EVENTS:
        raise MalformedRecord(f"unknown eventName {event_name!r}", seq)
    record_keys = body.get("Keys")
    if not isinstance(record_keys, Mapping):
        raise MalformedRecord("record has no Keys", seq)
    pk, sk = _string(record_keys, "PK", seq), _string(record_keys, "SK", seq)
    if pk is None or sk is None:
        raise MalformedRecord("Keys lack PK or SK", seq)
    return seq, event_name, body, pk, sk


def _receipt_of(pk: str, sk: str, entity: str | None, seq: str) -> tuple[keys.ParsedKey, ReceiptRef]:
    """The parsed keys of a label or metadata item, and its receipt; malformed when they disagree with its TYPE."""
    try:
        parsed = keys.parse_keys(pk, sk)
    except keys.KeyFormatError as exc:
        raise MalformedRecord(str(exc), seq) from exc
    if parsed.kind != entity:
        raise MalformedRecord(f"TYPE {entity} does not match key {sk!r}", seq)
    try:
        ref = ReceiptRef(image_id=parsed.image_id, receipt_id=parsed.receipt_id)
    except ValueError as exc:
        raise MalformedRecord(f"bad receipt id in {sk!r}", seq) from exc
    return parsed, ref


def _label_work(seq: str, ref: ReceiptRef, label: str | None, image: Mapping[str, Any]) -> Work | Ignored:
    """A label record is work only when its label is known and its new image is PENDING."""
    try:
        canonical_label(label or "")
    except UnknownLabelError as exc:
        raise MalformedRecord(f"unknown label {label!r}", seq) from exc
    status = _string(image, "validation_status", seq)
    if status != ValidationStatus.PENDING.value:
        return Ignored(seq, IgnoreReason.NOT_PENDING)
    return Work(seq, ref, WorkKind.LABEL, label)


def _holds_its_verdict(image: Mapping[str, Any]) -> bool:
    """True when the image's fingerprint is that of its judged values (each a string, absent or NULL).

    Anything else (no fingerprint, a judged value changed, a judged value of another type) is work: the service then
    reads the item itself, and an unreadable one is skipped there, counted.
    """
    stored = image.get(FINGERPRINT_ATTRIBUTE)
    if not isinstance(stored, Mapping) or not isinstance(stored.get("S"), str):
        return False
    values: dict[str, str | None] = {}
    for name in METADATA_JUDGED:
        value = image.get(name)
        if value is None or (isinstance(value, Mapping) and "NULL" in value):
            values[name] = None
        elif isinstance(value, Mapping) and isinstance(value.get("S"), str):
            values[name] = value["S"]
        else:
            return False
    return stored["S"] == metadata_fingerprint(values)
