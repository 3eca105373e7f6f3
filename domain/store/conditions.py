"""What the validator may write, and on which conditions: the arguments of every conditional UpdateItem.

Pure: builds UpdateExpression, ConditionExpression, names and values; domain/store/repository.py sends them. Every
way of writing verdicts (one UpdateItem each, overlapped, or a transaction in bench/write_path.py) sends the same
arguments, so every way holds the same conditions.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, METADATA_JUDGED
from domain.model import ReceiptMetadata, ReceiptWordLabel, ValidationStatus, Verdict, utc_now_iso
from domain.store.codec import Item, PlainItem, label_key, to_item

HUMAN_PREFIX = "human:"  # `validated_by` of a person's verdict: the automatic paths never write such a label


@dataclass(frozen=True)
class Ownership:
    """The attributes of one entity the validator may write: every update goes through `owned_update`, which refuses
    any other name. Declared once here (CONTRACT §1); the review door writes a person's verdict through the same set."""

    entity: str
    names: frozenset[str]
    prefixes: tuple[str, ...] = ()

    def owns(self, name: str) -> bool:
        return name in self.names or any(name.startswith(p) and len(name) > len(p) for p in self.prefixes)


LABEL_OWNED = Ownership(
    keys.TYPE_LABEL,
    frozenset(
        {"validation_status", "reasoning", "validated_by", "validated_at", "last_verified_at", "GSI3PK", "GSI3SK"}
    ),
)
METADATA_OWNED = Ownership(
    keys.TYPE_METADATA,
    frozenset(
        {
            "validation_status",
            "reasoning",
            "validated_by",
            "validated_at",
            "matched_fields",
            FINGERPRINT_ATTRIBUTE,
            keys.LEGACY_MARKER_ATTRIBUTE,  # removed on every write: the marker of earlier versions
        }
    ),
    prefixes=("canonical_",),
)
# What a label verdict judged: written only while the item still holds these values as read.
LABEL_JUDGED = ("validation_status", "validated_by", "label_proposed_by", "timestamp_added")


class NotOwned(ValueError):
    """A write that names an attribute the validator does not own: a programming error, never sent."""


def owned_update(
    owner: Ownership,
    *,
    sets: PlainItem,
    removes: Iterable[str] = (),
    held: PlainItem | None = None,
    not_human: bool = False,
) -> dict[str, Any]:
    """UpdateItem arguments (UpdateExpression, ConditionExpression, names, values) that write only `owner`'s attributes.

    The condition: the item exists, each attribute of `held` still holds its value (None: absent or NULL), and with
    `not_human` its `validated_by` does not start with `human:`. Every name goes through a placeholder, so a test can
    read every attribute a write names from ExpressionAttributeNames.
    """
    names: dict[str, str] = {}
    values: PlainItem = {}
    set_parts: list[str] = []
    remove_parts: list[str] = []
    for i, (name, value) in enumerate(sets.items()):
        if not owner.owns(name):
            raise NotOwned(f"{owner.entity} attribute {name!r} is not the validator's to write")
        names[f"#s{i}"] = name
        values[f":s{i}"] = value
        set_parts.append(f"#s{i} = :s{i}")
    for i, name in enumerate(removes):
        if not owner.owns(name):
            raise NotOwned(f"{owner.entity} attribute {name!r} is not the validator's to remove")
        names[f"#r{i}"] = name
        remove_parts.append(f"#r{i}")
    conditions = ["attribute_exists(PK)"]
    for i, (name, value) in enumerate((held or {}).items()):
        names[f"#h{i}"] = name
        if value is None:
            values[":null"] = "NULL"
            conditions.append(f"(attribute_not_exists(#h{i}) OR attribute_type(#h{i}, :null))")
        else:
            values[f":h{i}"] = value
            conditions.append(f"#h{i} = :h{i}")
    if not_human:
        placeholder = next((k for k, v in names.items() if k.startswith("#h") and v == "validated_by"), "#vb")
        names[placeholder] = "validated_by"
        values[":human"] = HUMAN_PREFIX
        conditions.append(f"NOT begins_with({placeholder}, :human)")
    expression = ("SET " + ", ".join(set_parts) if set_parts else "") + (
        (" REMOVE " if set_parts else "REMOVE ") + ", ".join(remove_parts) if remove_parts else ""
    )
    if not expression:
        raise ValueError("an update must set or remove something")
    return {
        "UpdateExpression": expression,
        "ConditionExpression": " AND ".join(conditions),
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": to_item(values),
    }


def label_held(lb: ReceiptWordLabel) -> PlainItem:
    """What a label verdict judged, as read: its status, who validated it, and the proposal."""
    return {
        "validation_status": lb.validation_status.value,
        "validated_by": lb.validated_by,
        "label_proposed_by": lb.label_proposed_by,
        "timestamp_added": lb.timestamp_added,
    }


def metadata_held(m: ReceiptMetadata) -> PlainItem:
    """What a metadata verdict judged, as read."""
    return {name: getattr(m, name) for name in METADATA_JUDGED}


def label_update(lb: ReceiptWordLabel, sets: PlainItem, expected: ValidationStatus) -> dict[str, Any]:
    """UpdateItem arguments of an automatic write to a label: on what was judged, never over a person's verdict."""
    held = {**label_held(lb), "validation_status": expected.value}
    return owned_update(LABEL_OWNED, sets=sets, held=held, not_human=True)


def verdict_update(
    verdict: Verdict, expected_status: ValidationStatus, *, now: str | None = None
) -> tuple[Item, dict[str, Any]]:
    """(Key, UpdateItem arguments) of a label verdict: the validator's attributes, on the conditions of `label_held`.

    The repository's `apply_verdict` sends it as one UpdateItem; the same arguments are what any other way of writing
    verdicts (the transaction measured by bench/write_path.py) must send, so every way holds the same conditions.
    """
    lb = verdict.label
    stamp = now or utc_now_iso()
    gsi3 = keys.label_gsi3(lb.image_id, lb.receipt_id, lb.line_id, lb.word_id, lb.label, verdict.status.value)
    sets = {
        "validation_status": verdict.status.value,
        "reasoning": verdict.reasoning,
        "validated_by": verdict.validated_by,
        "validated_at": stamp,
        "last_verified_at": stamp,
        **gsi3,
    }
    return label_key(lb), label_update(lb, sets, expected_status)


def human_validator(name: str) -> str:
    """`validated_by` of a person's verdict; the automatic paths never write over such a label."""
    name = name.strip()
    if not name or any(ch.isspace() for ch in name) or len(name) > 64:
        raise ValueError("a reviewer's name is 1..64 characters without spaces")
    return f"{HUMAN_PREFIX}{name}"
