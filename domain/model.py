"""Entities of the receipts table and the verdicts the validator produces.

Entities mirror CONTRACT §1; the label name and ids live in the keys of the table, and here as plain fields.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ValidationStatus(StrEnum):
    NONE = "NONE"
    PENDING = "PENDING"
    VALID = "VALID"
    INVALID = "INVALID"
    NEEDS_REVIEW = "NEEDS_REVIEW"


class MetadataStatus(StrEnum):
    MATCHED = "MATCHED"
    UNSURE = "UNSURE"
    NO_MATCH = "NO_MATCH"


class Answer(StrEnum):
    """The answer a verification question gets, relative to the claim it serves."""

    SUPPORTS = "supports"
    REFUTES = "refutes"
    UNKNOWN = "unknown"


class EvidenceKind(StrEnum):
    """What a piece of evidence rests on; the policy (`domain.decision`) trusts each kind as far as it was measured."""

    FORM = "form"  # the word's own text: is it an amount, a date, a phone number; has it digits at all
    POSITION = "position"  # where the word sits in the layout: header, item lines, below the totals
    ARITHMETIC = "arithmetic"  # the receipt's amounts add up (items -> subtotal, subtotal + tax -> total)
    KEYWORD = "keyword"  # a keyword on the word's line says what the line is (`TAX`, `CASH`, `SUBTOTAL`)
    STYLE = "style"  # how the receipt's other amounts are written (with cents or without)
    METADATA = "metadata"  # the receipt's metadata (merchant name, address, phone) or a places listing
    LLM = "llm"  # an LLM's independent answer


class Strength(StrEnum):
    """How far a piece of evidence goes within its kind. STRONG is conclusive for the kind (for arithmetic: two
    independent relations agree); whether that kind may decide alone is the policy's call, from measurements."""

    STRONG = "strong"
    WEAK = "weak"


class BoundingBox(BaseModel):
    """Normalized to 0..1 of the receipt, origin bottom-left."""

    model_config = ConfigDict(frozen=True)
    x: float
    y: float
    width: float
    height: float


class ReceiptRef(BaseModel):
    """Identifies one receipt: the unit of work."""

    model_config = ConfigDict(frozen=True)
    image_id: str
    receipt_id: int = Field(ge=0, le=99999)

    def __str__(self) -> str:
        return f"{self.image_id}/{self.receipt_id}"

    @classmethod
    def parse(cls, text: str) -> ReceiptRef:
        """Parses `IMAGE_ID/RECEIPT_ID` as typed on the command line."""
        image_id, sep, receipt = text.strip().rpartition("/")
        if not sep or not image_id or not receipt.isdigit():
            raise ValueError(f"expected IMAGE_ID/RECEIPT_ID, got {text!r}")
        return cls(image_id=image_id, receipt_id=int(receipt))


class Receipt(BaseModel):
    image_id: str
    receipt_id: int
    extra: dict[str, Any] = Field(default_factory=dict, description="attributes the validator does not own")

    @property
    def ref(self) -> ReceiptRef:
        return ReceiptRef(image_id=self.image_id, receipt_id=self.receipt_id)


class ReceiptLine(BaseModel):
    image_id: str
    receipt_id: int
    line_id: int
    text: str
    bounding_box: BoundingBox | None = None
    confidence: float | None = None


class ReceiptWord(BaseModel):
    image_id: str
    receipt_id: int
    line_id: int
    word_id: int
    text: str
    bounding_box: BoundingBox | None = None
    confidence: float | None = None


class ReceiptWordLabel(BaseModel):
    image_id: str
    receipt_id: int
    line_id: int
    word_id: int
    label: str
    validation_status: ValidationStatus = ValidationStatus.PENDING
    reasoning: str | None = None
    timestamp_added: str | None = None
    label_proposed_by: str | None = None
    label_consolidated_from: str | None = None
    # Attributes the validator owns (added to existing tables without migration).
    validated_by: str | None = None
    validated_at: str | None = None
    last_verified_at: str | None = None

    @property
    def ref(self) -> ReceiptRef:
        return ReceiptRef(image_id=self.image_id, receipt_id=self.receipt_id)

    @property
    def word_key(self) -> tuple[int, int]:
        return (self.line_id, self.word_id)

    @property
    def claim_id(self) -> str:
        """Stable id of this claim within its receipt: `line/word/LABEL`."""
        return f"{self.line_id}/{self.word_id}/{self.label}"


class ReceiptMetadata(BaseModel):
    image_id: str
    receipt_id: int
    merchant_name: str | None = None
    address: str | None = None
    phone_number: str | None = None
    place_id: str | None = None
    merchant_category: str | None = None
    matched_fields: list[str] = Field(default_factory=list)
    validated_by: str | None = None
    reasoning: str | None = None
    timestamp: str | None = None
    validation_status: MetadataStatus | None = None
    validated_fingerprint: str | None = Field(default=None, description="digest of the values last judged")
    canonical: dict[str, str] = Field(default_factory=dict, description="canonical_* attributes, without prefix")

    @property
    def ref(self) -> ReceiptRef:
        return ReceiptRef(image_id=self.image_id, receipt_id=self.receipt_id)


class ReceiptContext(BaseModel):
    """Everything one Query returns about a receipt: what verification reads."""

    ref: ReceiptRef
    receipt: Receipt | None = None
    lines: list[ReceiptLine] = Field(default_factory=list)
    words: list[ReceiptWord] = Field(default_factory=list)
    labels: list[ReceiptWordLabel] = Field(default_factory=list)
    metadata: ReceiptMetadata | None = None
    skipped: list[str] = Field(default_factory=list, description="sort keys of items that could not be read")

    def word(self, line_id: int, word_id: int) -> ReceiptWord | None:
        for w in self.words:
            if w.line_id == line_id and w.word_id == word_id:
                return w
        return None

    def words_by_key(self) -> dict[tuple[int, int], ReceiptWord]:
        return {(w.line_id, w.word_id): w for w in self.words}

    def line_words(self, line_id: int) -> list[ReceiptWord]:
        return sorted((w for w in self.words if w.line_id == line_id), key=lambda w: w.word_id)

    def line_text(self, line_id: int) -> str:
        return " ".join(w.text for w in self.line_words(line_id))

    def line_ids(self) -> list[int]:
        return sorted({w.line_id for w in self.words} | {ln.line_id for ln in self.lines})

    def labels_with_status(self, *statuses: ValidationStatus) -> list[ReceiptWordLabel]:
        return [lb for lb in self.labels if lb.validation_status in statuses]


class Evidence(BaseModel):
    """One answered verification question."""

    question: str
    answer: Answer
    detail: str = ""
    source: str = Field(description="`rule:<check>` or `cove:<model>`")
    kind: EvidenceKind = Field(description="what the answer rests on")
    strength: Strength = Strength.WEAK
    confidence: float = Field(default=1.0, ge=0.0, le=1.0)

    @property
    def strong(self) -> bool:
        return self.strength is Strength.STRONG

    @property
    def by_code(self) -> bool:
        return self.source.startswith("rule:")


class Verdict(BaseModel):
    """The decision about one label. PENDING means: nothing decided, write nothing."""

    label: ReceiptWordLabel
    status: ValidationStatus
    reasoning: str
    validated_by: str
    evidence: list[Evidence] = Field(default_factory=list)

    @property
    def decided(self) -> bool:
        return self.status is not ValidationStatus.PENDING


class MetadataVerdict(BaseModel):
    metadata: ReceiptMetadata
    status: MetadataStatus
    matched_fields: list[str] = Field(default_factory=list)
    reasoning: str
    validated_by: str
    evidence: list[Evidence] = Field(default_factory=list)
    canonical: dict[str, str] = Field(default_factory=dict)


def utc_now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
