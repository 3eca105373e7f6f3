"""Judging receipts held in memory (bundles), with no table: the service's own path, on a one-receipt store.

`check_receipt` hands one receipt to `service.validate_receipt` in dry-run mode, so the offline check, the
accuracy bench and the Lambdas share one engine and one policy; nothing here decides anything. Every label is
judged whatever status it was given (an offline check is asked about all of them); the status it came with is
kept beside the verdict.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from domain.cove.verifier import Verifier
from domain.model import (
    MetadataVerdict,
    ReceiptContext,
    ReceiptRef,
    ReceiptWordLabel,
    ValidationStatus,
    Verdict,
)
from domain.service import ReceiptReport, validate_receipt


class _OneReceipt:
    """The service's store protocol over one receipt in memory. Dry runs never write; a write would be a bug."""

    def __init__(self, context: ReceiptContext) -> None:
        self.context = context

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None:
        return self.context if ref == self.context.ref else None

    def apply_verdict(self, verdict: Verdict, expected_status: ValidationStatus) -> bool:
        raise RuntimeError("an offline check writes nothing")

    def touch_verified(self, label: ReceiptWordLabel, expected_status: ValidationStatus) -> bool:
        raise RuntimeError("an offline check writes nothing")

    def apply_metadata_verdict(self, verdict: MetadataVerdict) -> bool:
        raise RuntimeError("an offline check writes nothing")


@dataclass(frozen=True)
class Judged:
    """One label as given, and what the engine made of it (None: the receipt failed before a verdict)."""

    given: ReceiptWordLabel
    verdict: Verdict | None


@dataclass
class CheckedReceipt:
    context: ReceiptContext
    report: ReceiptReport
    judged: list[Judged]


def as_pending(context: ReceiptContext) -> ReceiptContext:
    """The receipt with every label PENDING and no earlier verdict: what the pending path judges."""
    labels = [
        lb.model_copy(update={"validation_status": ValidationStatus.PENDING, "validated_by": None})
        for lb in context.labels
    ]
    return context.model_copy(update={"labels": labels})


def check_receipt(context: ReceiptContext, verifier: Verifier) -> CheckedReceipt:
    """Judges every label of `context` on the service's path (dry run); one `Judged` per label, in label order."""
    judged_context = as_pending(context)
    report = validate_receipt(
        _OneReceipt(judged_context), judged_context.ref, mode="pending", dry_run=True, verifier=verifier
    )
    by_claim = {v.label.claim_id: v for v in report.verdicts}
    judged = [Judged(given, by_claim.get(given.claim_id)) for given in context.labels]
    return CheckedReceipt(context, report, judged)


def unjudged(context: ReceiptContext, message: str) -> CheckedReceipt:
    """A receipt the engine failed on (a door caught what the service raised): counted as one error, every label
    left PENDING and named "not judged" with `message`."""
    report = ReceiptReport(ref=context.ref, receipts=1, labels_seen=len(context.labels))
    report.left_pending = len(context.labels)
    report.fail(message)
    return CheckedReceipt(context, report, [Judged(given, None) for given in context.labels])


def verdict_records(checked: CheckedReceipt, at: str) -> Iterator[dict[str, Any]]:
    """One export-format record (CONTRACT §3) per label: the verdict's status, reasoning and validator, the word's
    text, and the status the label came with (`input_status`). Undecided labels stay PENDING, `validated_by` null."""
    context = checked.context
    failure = "; ".join(checked.report.error_messages) or "not judged"
    for item in checked.judged:
        given, verdict = item.given, item.verdict
        if verdict is None:
            status, reasoning, validated_by = ValidationStatus.PENDING, f"not judged: {failure}", None
        else:
            status, reasoning = verdict.status, verdict.reasoning
            validated_by = verdict.validated_by if verdict.decided else None
        word = context.word(given.line_id, given.word_id)
        record = given.model_dump(mode="json", exclude={"last_verified_at"})
        record.update(
            validation_status=status.value,
            reasoning=reasoning,
            validated_by=validated_by,
            validated_at=at if validated_by else None,
        )
        text = word.text if word else None
        yield {"kind": "label", **record, "text": text, "input_status": given.validation_status.value}
