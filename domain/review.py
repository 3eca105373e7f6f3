"""The review door: what a person needs to settle a label, and the one way a person's verdict is written.

A verdict is written as `validated_by = human:<name>` with a conditional update on what the person saw (status,
validated_by, label_proposed_by, timestamp_added): if the label changed since, nothing is written and the caller is
told (`Settled.stale`). The automatic paths never write over a person's verdict.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from domain.labels import UnknownLabelError, canonical_label
from domain.model import ReceiptContext, ReceiptRef, ReceiptWordLabel, ValidationStatus
from domain.store.repository import DynamoReceiptRepository

Decision = Literal["valid", "invalid", "relabel"]
REVIEW_STATUSES = tuple(s for s in ValidationStatus if s is not ValidationStatus.NONE)


class ReviewError(ValueError):
    """A request the review door cannot carry out (unknown label or receipt, bad name): nothing written."""


@dataclass(frozen=True)
class QueueEntry:
    ref: ReceiptRef
    line_id: int
    word_id: int
    label: str
    status: str
    merchant: str | None
    validated_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "receipt": str(self.ref),
            "line_id": self.line_id,
            "word_id": self.word_id,
            "label": self.label,
            "validation_status": self.status,
            "merchant": self.merchant,
            "validated_by": self.validated_by,
        }


def review_queue(
    store: DynamoReceiptRepository,
    statuses: Iterable[ValidationStatus] = (ValidationStatus.NEEDS_REVIEW,),
    *,
    label: str | None = None,
    merchant: str | None = None,
) -> list[QueueEntry]:
    """Labels of the given statuses (GSI3), optionally of one label and of merchants whose name contains `merchant`."""
    wanted_label = canonical_label(label) if label else None
    needle = merchant.casefold().strip() if merchant else None
    merchants: dict[ReceiptRef, str | None] = {}
    out: list[QueueEntry] = []
    for status in statuses:
        for lb in store.labels_with_status(status):
            if wanted_label and lb.label != wanted_label:
                continue
            if lb.ref not in merchants:
                meta = store.load_metadata(lb.ref)
                merchants[lb.ref] = meta.merchant_name if meta else None
            name = merchants[lb.ref]
            if needle and (not name or needle not in name.casefold()):
                continue
            out.append(
                QueueEntry(lb.ref, lb.line_id, lb.word_id, lb.label, lb.validation_status.value, name, lb.validated_by)
            )
    out.sort(key=lambda e: (e.merchant or "~", str(e.ref), e.line_id, e.word_id, e.label))
    return out


def receipt_view(context: ReceiptContext) -> dict[str, Any]:
    """A receipt as the page draws it: words with their boxes (normalized, origin bottom-left) and every label with
    its verdict, reasoning and what a verdict must be conditioned on (`seen`)."""
    meta = context.metadata
    return {
        "receipt": str(context.ref),
        "merchant": meta.merchant_name if meta else None,
        "metadata": meta.model_dump(exclude={"image_id", "receipt_id"}) if meta else None,
        "words": [
            {
                "line_id": w.line_id,
                "word_id": w.word_id,
                "text": w.text,
                "box": w.bounding_box.model_dump() if w.bounding_box else None,
            }
            for w in context.words
        ],
        "labels": [
            {
                "line_id": lb.line_id,
                "word_id": lb.word_id,
                "label": lb.label,
                "validation_status": lb.validation_status.value,
                "reasoning": lb.reasoning,
                "validated_by": lb.validated_by,
                "validated_at": lb.validated_at,
                "label_proposed_by": lb.label_proposed_by,
                "seen": seen_of(lb),
            }
            for lb in sorted(context.labels, key=lambda lb: (lb.line_id, lb.word_id, lb.label))
        ],
    }


def seen_of(lb: ReceiptWordLabel) -> dict[str, str | None]:
    return {
        "validation_status": lb.validation_status.value,
        "validated_by": lb.validated_by,
        "label_proposed_by": lb.label_proposed_by,
        "timestamp_added": lb.timestamp_added,
    }


@dataclass(frozen=True)
class Settled:
    written: bool
    stale: bool = False
    message: str = ""


def find_label(context: ReceiptContext, line_id: int, word_id: int, label: str) -> ReceiptWordLabel:
    """The label as stored (a legacy alias such as TOTAL is found by its own name or by GRAND_TOTAL)."""
    names = {label.strip().upper()}
    with contextlib.suppress(UnknownLabelError):
        names.add(canonical_label(label))
    for lb in context.labels:
        if (lb.line_id, lb.word_id) == (line_id, word_id) and lb.label in names:
            return lb
    raise ReviewError(f"receipt {context.ref} has no label {label.upper()} on line {line_id} word {word_id}")


def settle(
    store: DynamoReceiptRepository,
    ref: ReceiptRef,
    line_id: int,
    word_id: int,
    label: str,
    decision: Decision,
    *,
    by: str,
    seen: dict[str, Any] | None = None,
    new_label: str | None = None,
    note: str | None = None,
) -> Settled:
    """Writes a person's verdict on one label, conditioned on `seen` (what the page showed) or, without it, on the
    label as read now (a script settling what it just listed)."""
    context = store.load_receipt(ref)
    if context is None:
        raise ReviewError(f"receipt {ref} not found")
    current = find_label(context, line_id, word_id, label)
    judged = _as_seen(current, seen) if seen is not None else current
    if decision == "relabel":
        return _relabel(store, context, judged, new_label, by=by, note=note)
    status = ValidationStatus.VALID if decision == "valid" else ValidationStatus.INVALID
    reasoning = f"settled {status.value} by {by} in review" + (f": {note}" if note else "")
    written = _apply(store, judged, status, by=by, reasoning=reasoning)
    if not written:
        return Settled(False, stale=True, message=_stale_message(ref, judged))
    return Settled(True, message=f"{ref} line {line_id} word {word_id} {judged.label}: {status.value}")


def _relabel(
    store: DynamoReceiptRepository,
    context: ReceiptContext,
    judged: ReceiptWordLabel,
    new_label: str | None,
    *,
    by: str,
    note: str | None,
) -> Settled:
    if not new_label:
        raise ReviewError("relabel needs the new label")
    name = _label_name(new_label)
    if name == judged.label:
        raise ReviewError(f"the word is already labelled {name}")
    if any((lb.line_id, lb.word_id, lb.label) == (judged.line_id, judged.word_id, name) for lb in context.labels):
        raise ReviewError(f"line {judged.line_id} word {judged.word_id} already has a {name} label: settle that one")
    why = f"relabelled {judged.label} -> {name} by {by} in review" + (f": {note}" if note else "")
    if not _apply(store, judged, ValidationStatus.INVALID, by=by, reasoning=why):
        return Settled(False, stale=True, message=_stale_message(context.ref, judged))
    added = judged.model_copy(update={"label": name})
    if not store.add_human_label(added, by=by, reasoning=why):
        return Settled(False, stale=True, message=f"{name} was added to that word meanwhile; reload")
    return Settled(True, message=f"{context.ref} line {judged.line_id} word {judged.word_id}: {judged.label} -> {name}")


def _apply(
    store: DynamoReceiptRepository, judged: ReceiptWordLabel, status: ValidationStatus, *, by: str, reasoning: str
) -> bool:
    try:
        return store.apply_human_verdict(judged, status, by=by, reasoning=reasoning)
    except ValueError as exc:  # a bad reviewer name
        raise ReviewError(str(exc)) from None


def _as_seen(current: ReceiptWordLabel, seen: dict[str, Any]) -> ReceiptWordLabel:
    """The label as the person saw it: the condition of the write is what they saw, not what is there now."""
    try:
        status = ValidationStatus(seen.get("validation_status") or "NONE")
    except ValueError:
        raise ReviewError(f"unknown status {seen.get('validation_status')!r}") from None
    fields = ("validated_by", "label_proposed_by", "timestamp_added")
    return current.model_copy(update={"validation_status": status, **{f: seen.get(f) for f in fields}})


def _label_name(label: str) -> str:
    try:
        return canonical_label(label)
    except UnknownLabelError as exc:
        raise ReviewError(str(exc)) from None


def _stale_message(ref: ReceiptRef, lb: ReceiptWordLabel) -> str:
    return (
        f"{ref} line {lb.line_id} word {lb.word_id} {lb.label} changed since it was read "
        f"(it was {lb.validation_status.value}); nothing was written — reload and look again"
    )
