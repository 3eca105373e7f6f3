"""Receipt bundles (CONTRACT §2): parsing and validating a JSON Lines file as a whole, before anything is written.

A file is accepted only if every line is valid; otherwise every problem is reported with its line number and field.
Legacy label aliases are mapped and reported as notes, not errors.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from domain.labels import LEGACY_ALIASES, UnknownLabelError, canonical_label
from domain.model import (
    BoundingBox,
    MetadataStatus,
    Receipt,
    ReceiptContext,
    ReceiptLine,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWord,
    ReceiptWordLabel,
    ValidationStatus,
)

MAX_ID = 99999
# What one DynamoDB item can hold: 400 KB an item, 2,048 bytes a GSI partition key, numbers no smaller than 1E-130.
MAX_TEXT_BYTES = 100_000
MAX_KEY_PART_BYTES = 1_000
SMALLEST_NUMBER = 1e-120


def _storable_number(value: float) -> float:
    if value != 0 and abs(value) < SMALLEST_NUMBER:
        raise ValueError(f"{value!r} is too close to zero for DynamoDB (use 0)")
    return value


def _bytes_at_most(limit: int) -> AfterValidator:
    def check(value: str | None) -> str | None:
        if value is not None and len(value.encode("utf-8")) > limit:
            raise ValueError(
                f"text of {len(value.encode('utf-8'))} bytes is longer than the {limit} the table can hold"
            )
        return value

    return AfterValidator(check)


Coordinate = Annotated[float, Field(ge=0, le=1), AfterValidator(_storable_number)]
Text = Annotated[str, Field(strict=True), _bytes_at_most(MAX_TEXT_BYTES)]
OptionalText = Annotated[str | None, _bytes_at_most(MAX_TEXT_BYTES)]
KeyText = Annotated[str | None, _bytes_at_most(MAX_KEY_PART_BYTES)]


class _Box(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=False)
    x: Coordinate
    y: Coordinate
    width: Coordinate
    height: Coordinate


class _Word(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_id: int = Field(ge=1, le=MAX_ID, strict=True)
    word_id: int = Field(ge=1, le=MAX_ID, strict=True)
    text: Text
    bounding_box: _Box | None = None
    confidence: Coordinate | None = None


class _Line(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_id: int = Field(ge=1, le=MAX_ID, strict=True)
    text: Text
    bounding_box: _Box | None = None
    confidence: Coordinate | None = None


class _Label(BaseModel):
    model_config = ConfigDict(extra="forbid")
    line_id: int = Field(ge=1, le=MAX_ID, strict=True)
    word_id: int = Field(ge=1, le=MAX_ID, strict=True)
    label: str = Field(strict=True, min_length=1)
    validation_status: ValidationStatus = ValidationStatus.PENDING
    reasoning: str | None = None
    timestamp_added: str | None = None
    label_proposed_by: str | None = None
    label_consolidated_from: str | None = None
    validated_by: str | None = None
    validated_at: str | None = None


class _Metadata(BaseModel):
    model_config = ConfigDict(extra="forbid")
    merchant_name: KeyText = None  # part of GSI1PK
    address: OptionalText = None
    phone_number: OptionalText = None
    place_id: KeyText = None  # part of GSI2PK
    merchant_category: OptionalText = None
    matched_fields: list[str] = Field(default_factory=list)
    validated_by: OptionalText = None
    reasoning: OptionalText = None
    timestamp: OptionalText = None
    validation_status: MetadataStatus | None = None
    canonical: dict[str, str] = Field(default_factory=dict)


class _Bundle(BaseModel):
    model_config = ConfigDict(extra="forbid")
    image_id: str = Field(strict=True)
    receipt_id: int = Field(ge=1, le=MAX_ID, strict=True)
    words: list[_Word]
    lines: list[_Line] | None = None
    labels: list[_Label] = Field(default_factory=list)
    metadata: _Metadata | None = None


@dataclass(frozen=True)
class BundleProblem:
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", {self.field}" if self.field else "")
        return f"{where}: {self.message}"


class BundleError(ValueError):
    """The file is refused as a whole; `problems` names every one."""

    def __init__(self, problems: list[BundleProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in bundle file:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass
class ParsedBundles:
    contexts: list[ReceiptContext]
    notes: list[BundleProblem] = field(default_factory=list)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse_bundle_lines(lines: Iterable[str]) -> ParsedBundles:
    """Validates every line; raises BundleError listing all problems, or returns receipts ready to write."""
    problems: list[BundleProblem] = []
    notes: list[BundleProblem] = []
    contexts: list[ReceiptContext] = []
    seen: dict[ReceiptRef, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            problems.append(BundleProblem(number, "", f"malformed JSON: {exc.msg} at column {exc.colno}"))
            continue
        if not isinstance(data, dict):
            problems.append(BundleProblem(number, "", f"expected a JSON object, got {type(data).__name__}"))
            continue
        try:
            bundle = _Bundle.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                problems.append(BundleProblem(number, _loc(err["loc"]), err["msg"]))
            continue
        line_problems, line_notes, context = _check_bundle(number, bundle)
        problems += line_problems
        notes += line_notes
        if context is None:
            continue
        if context.ref in seen:
            problems.append(
                BundleProblem(number, "receipt_id", f"receipt {context.ref} already given on line {seen[context.ref]}")
            )
            continue
        seen[context.ref] = number
        contexts.append(context)
    if problems:
        raise BundleError(problems)
    return ParsedBundles(contexts, notes)


def _check_bundle(number: int, b: _Bundle) -> tuple[list[BundleProblem], list[BundleProblem], ReceiptContext | None]:
    problems: list[BundleProblem] = []
    notes: list[BundleProblem] = []
    try:
        uuid.UUID(b.image_id)
    except ValueError:
        problems.append(BundleProblem(number, "image_id", f"{b.image_id!r} is not a UUID"))
    word_keys: dict[tuple[int, int], int] = {}
    for i, w in enumerate(b.words):
        key = (w.line_id, w.word_id)
        if key in word_keys:
            problems.append(
                BundleProblem(
                    number,
                    f"words[{i}]",
                    f"duplicate word id line {key[0]} word {key[1]} (also words[{word_keys[key]}])",
                )
            )
        else:
            word_keys[key] = i
    if b.lines is not None:
        seen_lines: set[int] = set()
        for i, given in enumerate(b.lines):
            if given.line_id in seen_lines:
                problems.append(BundleProblem(number, f"lines[{i}]", f"duplicate line id {given.line_id}"))
            seen_lines.add(given.line_id)
    labels = _check_labels(number, b, word_keys, problems, notes)
    if problems:
        return problems, notes, None
    words = [
        ReceiptWord(
            image_id=b.image_id,
            receipt_id=b.receipt_id,
            **w.model_dump(exclude={"bounding_box"}),
            bounding_box=BoundingBox(**w.bounding_box.model_dump()) if w.bounding_box else None,
        )
        for w in b.words
    ]
    lines = (
        [
            ReceiptLine(
                image_id=b.image_id,
                receipt_id=b.receipt_id,
                **ln.model_dump(exclude={"bounding_box"}),
                bounding_box=BoundingBox(**ln.bounding_box.model_dump()) if ln.bounding_box else None,
            )
            for ln in b.lines
        ]
        if b.lines is not None
        else derive_lines(words)
    )
    for ln in lines:
        size = len(ln.text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            problems.append(
                BundleProblem(
                    number,
                    "lines",
                    f"line {ln.line_id} holds {size} bytes of text, more than the {MAX_TEXT_BYTES} the table can hold",
                )
            )
    if problems:
        return problems, notes, None
    metadata = (
        ReceiptMetadata(image_id=b.image_id, receipt_id=b.receipt_id, **b.metadata.model_dump())
        if b.metadata is not None
        else None
    )
    ref = ReceiptRef(image_id=b.image_id, receipt_id=b.receipt_id)
    context = ReceiptContext(
        ref=ref,
        receipt=Receipt(image_id=b.image_id, receipt_id=b.receipt_id),
        lines=lines,
        words=sorted(words, key=lambda w: (w.line_id, w.word_id)),
        labels=labels,
        metadata=metadata,
    )
    return problems, notes, context


def _check_labels(
    number: int,
    b: _Bundle,
    word_keys: dict[tuple[int, int], int],
    problems: list[BundleProblem],
    notes: list[BundleProblem],
) -> list[ReceiptWordLabel]:
    """The bundle's labels under their canonical names; what is wrong with them goes to `problems` and `notes`."""
    labels: list[ReceiptWordLabel] = []
    label_keys: set[tuple[int, int, str]] = set()
    for i, lb in enumerate(b.labels):
        where = f"labels[{i}]"
        try:
            name = canonical_label(lb.label)
        except UnknownLabelError:
            problems.append(BundleProblem(number, f"{where}.label", f"unknown label {lb.label!r}"))
            continue
        if lb.label.strip().upper() in LEGACY_ALIASES:
            notes.append(BundleProblem(number, f"{where}.label", f"legacy alias {lb.label!r} mapped to {name}"))
        if (lb.line_id, lb.word_id) not in word_keys:
            problems.append(
                BundleProblem(
                    number,
                    where,
                    f"label {name} is on line {lb.line_id} word {lb.word_id}, which is not among the words",
                )
            )
            continue
        if (lb.line_id, lb.word_id, name) in label_keys:
            problems.append(
                BundleProblem(number, where, f"duplicate label {name} on line {lb.line_id} word {lb.word_id}")
            )
            continue
        label_keys.add((lb.line_id, lb.word_id, name))
        labels.append(
            ReceiptWordLabel(
                image_id=b.image_id, receipt_id=b.receipt_id, **lb.model_dump(exclude={"label"}), label=name
            )
        )
    return labels


def derive_lines(words: list[ReceiptWord]) -> list[ReceiptLine]:
    """Lines from words: text joined in word order, box the union of the word boxes."""
    by_line: dict[int, list[ReceiptWord]] = {}
    for w in words:
        by_line.setdefault(w.line_id, []).append(w)
    lines = []
    for line_id in sorted(by_line):
        ws = sorted(by_line[line_id], key=lambda w: w.word_id)
        boxes = [w.bounding_box for w in ws if w.bounding_box is not None]
        box = None
        if boxes and len(boxes) == len(ws):
            # OCR boxes may overshoot the receipt's edge; the union is kept inside it
            x0 = min(b.x for b in boxes)
            y0 = min(b.y for b in boxes)
            x1 = min(1.0, max(b.x + b.width for b in boxes))
            y1 = min(1.0, max(b.y + b.height for b in boxes))
            box = BoundingBox(x=x0, y=y0, width=round(x1 - x0, 6), height=round(y1 - y0, 6))
        first = ws[0]
        lines.append(
            ReceiptLine(
                image_id=first.image_id,
                receipt_id=first.receipt_id,
                line_id=line_id,
                text=" ".join(w.text for w in ws),
                bounding_box=box,
            )
        )
    return lines


def context_from_bundle(bundle: dict[str, Any]) -> ReceiptContext:
    """One bundle dict as a ReceiptContext (what store.load_receipt would return after import)."""
    return parse_bundle_lines([json.dumps(bundle)]).contexts[0]


def context_to_bundle(context: ReceiptContext) -> dict[str, Any]:
    """The inverse of import: a receipt as a CONTRACT §2 bundle (lines included)."""
    ref = context.ref
    out: dict[str, Any] = {
        "image_id": ref.image_id,
        "receipt_id": ref.receipt_id,
        "lines": [ln.model_dump(exclude={"image_id", "receipt_id"}, exclude_none=True) for ln in context.lines],
        "words": [w.model_dump(exclude={"image_id", "receipt_id"}, exclude_none=True) for w in context.words],
        "labels": [
            lb.model_dump(exclude={"image_id", "receipt_id", "last_verified_at"}, mode="json", exclude_none=True)
            for lb in context.labels
        ],
    }
    if context.metadata is not None:
        out["metadata"] = context.metadata.model_dump(
            exclude={"image_id", "receipt_id"}, mode="json", exclude_none=True
        )
    return out
