"""The service layer: the one entry point every door (stream handler, sweepers, CLI) calls.

`validate_receipt` verifies a receipt's labels; `validate_metadata` its metadata. Both load the receipt once, decide on
evidence only, write conditionally, and return a report. `report.failed` (errors > 0) means "not done: retry this
receipt's records"; anything else means done, including lost races, which are benign.

What they need comes in as arguments (the store, the verifier, a Places client), built once by `domain/wiring.py`.
Only the failures that are expected of the outside world are caught here and counted as "not done": DynamoDB
(botocore's ClientError and BotoCoreError), the LLM (`LLMUnavailable`, timeouts) and Places (`PlacesUnavailable`).
Anything else is a bug: it propagates, and the door turns it into "not done" for that one receipt, counted and logged
with its type, rather than a "retry later" that would hide it forever.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field

from domain import places as places_mod
from domain import write_pool
from domain.fingerprint import METADATA_JUDGED, metadata_fingerprint
from domain.model import (
    Answer,
    Evidence,
    MetadataStatus,
    MetadataVerdict,
    ReceiptContext,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWordLabel,
    ValidationStatus,
    Verdict,
)
from domain.store.repository import ReceiptRepository
from domain.telemetry import Counters

if TYPE_CHECKING:
    from domain.cove.verifier import CoveResult

log = logging.getLogger(__name__)

Mode = Literal["pending", "reverify"]
EvaluateMetadata = Callable[[ReceiptContext], dict[str, list[Evidence]]]
METADATA_FIELDS = ("merchant_name", "phone_number", "address")
HUMAN_PREFIX = "human:"


class ClaimVerifier(Protocol):
    """What the service needs from the verifier (domain/cove/verifier.py: rules + CoVe, built by the wiring)."""

    def verify(self, context: ReceiptContext, claims: list[ReceiptWordLabel]) -> CoveResult: ...


# A DynamoDB call that failed: throttled past botocore's retries, unreachable, timed out. Not done: retry later.
STORE_ERRORS: tuple[type[Exception], ...] = (ClientError, BotoCoreError)


def verify_errors() -> tuple[type[Exception], ...]:
    """An LLM that failed past its retries (unreachable, throttled, timed out, malformed answers): not done.

    Imported when needed: the LLM client's module brings langchain, which a Lambda's cold start does without."""
    from domain.cove.llm import LLMUnavailable

    return (LLMUnavailable, TimeoutError)


class _Report(BaseModel):
    errors: int = 0
    error_messages: list[str] = Field(default_factory=list)
    writes: int = Field(default=0, description="conditional updates that succeeded (a reverify touch counts)")
    lost_races: int = Field(default=0, description="updates refused because the item changed since read: benign")
    skipped_items: int = Field(default=0, description="items of the receipt that could not be read: left as they are")
    ref: ReceiptRef | None = None

    @property
    def failed(self) -> bool:
        """True when some work was not done and the receipt's records should be retried."""
        return self.errors > 0

    def fail(self, message: str) -> None:
        self.errors += 1
        self.error_messages.append(message)

    def counters(self) -> Counters:
        """The report's counts as the one type the doors add up and publish (domain/telemetry.py)."""
        return Counters(
            {name: getattr(self, name) for name, info in type(self).model_fields.items() if info.annotation is int}
        )

    def add(self, other: _Report) -> _Report:
        """Adds `other` into this report: every integer counter and list (refs are dropped: a sum covers many)."""
        for name, info in type(self).model_fields.items():
            if info.annotation is int:
                setattr(self, name, getattr(self, name) + getattr(other, name))
            elif name in ("error_messages", "verdicts"):
                getattr(self, name).extend(getattr(other, name))
        self.ref = None
        return self


class ReceiptReport(_Report):
    """What `validate_receipt` did; sum several with `add` (or `ReceiptReport.total`)."""

    ref: ReceiptRef | None = None
    receipts: int = 0
    labels_seen: int = 0
    valid: int = 0
    invalid: int = 0
    needs_review: int = 0
    left_pending: int = Field(default=0, description="undecided: left as read (PENDING in pending mode)")
    unchanged: int = Field(default=0, description="reverify: verdict equals the stored status (only touched)")
    llm_calls: int = 0
    verdicts: list[Verdict] = Field(default_factory=list)

    @classmethod
    def total(cls, reports: list[ReceiptReport]) -> ReceiptReport:
        out = cls()
        for r in reports:
            out.add(r)
        return out

    def count(self, status: ValidationStatus) -> None:
        if status is ValidationStatus.VALID:
            self.valid += 1
        elif status is ValidationStatus.INVALID:
            self.invalid += 1
        elif status is ValidationStatus.NEEDS_REVIEW:
            self.needs_review += 1
        else:
            self.left_pending += 1


class MetadataReport(_Report):
    """What `validate_metadata` did; sum several with `add`."""

    ref: ReceiptRef | None = None
    receipts: int = 0
    metadata_seen: int = 0
    matched: int = 0
    unsure: int = 0
    no_match: int = 0
    places_calls: int = 0
    unchanged: int = 0
    verdicts: list[MetadataVerdict] = Field(default_factory=list)


# -- labels ------------------------------------------------------------------------------------------------------


def claims_for(context: ReceiptContext, mode: Mode) -> list[ReceiptWordLabel]:
    """The labels a run verifies: PENDING ones, or (reverify) VALID/INVALID ones; never a person's verdict."""
    statuses = (ValidationStatus.PENDING,) if mode == "pending" else (ValidationStatus.VALID, ValidationStatus.INVALID)
    return [lb for lb in context.labels_with_status(*statuses) if not (lb.validated_by or "").startswith(HUMAN_PREFIX)]


def validate_receipt(
    store: ReceiptRepository,
    ref: ReceiptRef,
    *,
    verifier: ClaimVerifier,
    mode: Mode = "pending",
    dry_run: bool = False,
) -> ReceiptReport:
    """Verifies one receipt's labels and writes the verdicts that change something (unless `dry_run`)."""
    report = ReceiptReport(ref=ref, receipts=1)
    try:
        context = store.load_receipt(ref)
    except STORE_ERRORS as exc:  # DynamoDB failed: not done, retry later
        log.warning("receipt_load_failed", extra={"receipt": str(ref), "error": type(exc).__name__})
        report.fail(f"load {ref}: {type(exc).__name__}: {exc}")
        return report
    if context is None:
        log.info("receipt_not_found", extra={"receipt": str(ref)})
        return report
    report.skipped_items = len(context.skipped)
    claims = claims_for(context, mode)
    report.labels_seen = len(claims)
    if not claims:
        return report

    try:
        result = verifier.verify(context, claims)
    except verify_errors() as exc:  # the LLM failed: decide nothing, retry later
        log.warning("receipt_verify_failed", extra={"receipt": str(ref), "error": type(exc).__name__})
        report.fail(f"verify {ref}: {type(exc).__name__}: {exc}")
        report.left_pending += len(claims)
        return report
    report.llm_calls = result.llm_calls
    for message in result.errors:
        report.fail(message)

    writes: list[tuple[Verdict, Callable[[], bool]]] = []
    for verdict in result.verdicts:
        report.verdicts.append(verdict)
        report.count(verdict.status)
        if not verdict.decided:
            continue
        read = verdict.label.validation_status
        same = mode == "reverify" and verdict.status is read
        report.unchanged += same
        if not dry_run:
            writes.append((verdict, _write_call(store, verdict, read, touch_only=same)))
    _write_all(report, writes)
    log.info("receipt_validated", extra={"receipt": str(ref), **report.counters()})
    return report


def _write_call(
    store: ReceiptRepository, verdict: Verdict, read: ValidationStatus, *, touch_only: bool
) -> Callable[[], bool]:
    """One conditional write, to run in the process's write pool: True written, False lost race, raises on failure."""
    if touch_only:
        return lambda: store.touch_verified(verdict.label, expected_status=read)
    return lambda: store.apply_verdict(verdict, expected_status=read)


def _write_all(report: ReceiptReport, writes: list[tuple[Verdict, Callable[[], bool]]]) -> None:
    """Runs a receipt's writes overlapped (domain/write_pool.py), each its own conditional UpdateItem, and counts
    each one's outcome on its own: a failed or refused write leaves its label alone and no other. A write that
    raised something other than a DynamoDB error is a bug: raised again once every write has ended."""
    outcomes = write_pool.run_all([call for _, call in writes])
    bug = next((o.error for o in outcomes if o.error is not None and not isinstance(o.error, STORE_ERRORS)), None)
    if bug is not None:  # not a DynamoDB failure: the door reports the receipt as not done, with the error's type
        raise bug
    for (verdict, _), outcome in zip(writes, outcomes, strict=True):
        label = verdict.label
        if outcome.error is not None:  # DynamoDB failure: this label is not done
            exc = outcome.error
            log.warning(
                "verdict_write_failed",
                extra={"receipt": str(label.ref), "claim": label.claim_id, "error": type(exc).__name__},
            )
            report.fail(f"write {label.ref} {label.claim_id}: {type(exc).__name__}: {exc}")
        elif outcome.value:
            report.writes += 1
        else:
            report.lost_races += 1
            log.info("verdict_lost_race", extra={"receipt": str(label.ref), "claim": label.claim_id})


# -- metadata ----------------------------------------------------------------------------------------------------


def metadata_decision(evidence: dict[str, list[Evidence]]) -> tuple[MetadataStatus, list[str], str]:
    """(status, matched_fields, reasoning): MATCHED needs the name (or two fields) agreeing and nothing refuted."""
    matched, refuted, notes = [], [], []
    for name in METADATA_FIELDS:
        items = evidence.get(name, [])
        supports = any(e.answer is Answer.SUPPORTS for e in items)
        refutes = any(e.answer is Answer.REFUTES for e in items)
        if refutes:
            refuted.append(name)
        elif supports:
            matched.append(name)
        for e in items:
            notes.append(f"{name}: {e.question}: {e.answer.value}{' - ' + e.detail if e.detail else ''}")
    if matched and not refuted and ("merchant_name" in matched or len(matched) >= 2):
        status = MetadataStatus.MATCHED
    elif refuted and not matched:
        status = MetadataStatus.NO_MATCH
    else:
        status = MetadataStatus.UNSURE
    reasoning = "; ".join(notes) if notes else "no evidence about the metadata"
    return status, matched, reasoning


def validate_metadata(
    store: ReceiptRepository,
    ref: ReceiptRef,
    *,
    dry_run: bool = False,
    places: places_mod.PlacesClient | None = None,
    evaluate_metadata: EvaluateMetadata | None = None,
) -> MetadataReport:
    """Checks merchant name, phone and address against the receipt (and Places when a client is given)."""
    report = MetadataReport(ref=ref, receipts=1)
    try:
        context = store.load_receipt(ref)
    except STORE_ERRORS as exc:
        log.warning("receipt_load_failed", extra={"receipt": str(ref), "error": type(exc).__name__})
        report.fail(f"load {ref}: {type(exc).__name__}: {exc}")
        return report
    if context is None:
        return report
    report.skipped_items = len(context.skipped)
    if context.metadata is None:
        return report
    report.metadata_seen = 1
    metadata = context.metadata
    if evaluate_metadata is None:
        from domain.checks import evaluate_metadata as default_checks

        evaluate_metadata = default_checks

    evidence = {k: list(v) for k, v in evaluate_metadata(context).items()}  # code: a failure here is a bug
    validated_by = "rule:metadata"
    canonical: dict[str, str] = {}
    query = places_mod.query_for(metadata) if places is not None else None
    if places is not None and query:
        report.places_calls += 1
        try:
            place = places.search_text(query)
        except places_mod.PlacesUnavailable as exc:  # an error never decides: no verdict, retry later
            report.fail(f"places {ref}: {exc}")
            return report
        for name, items in places_mod.place_evidence(metadata, place).items():
            evidence.setdefault(name, []).extend(items)
        canonical = places_mod.canonical_fields(place)
        validated_by = f"rule:metadata+{places_mod.SOURCE}"

    status, matched, reasoning = metadata_decision(evidence)
    verdict = MetadataVerdict(
        metadata=metadata,
        status=status,
        matched_fields=matched,
        reasoning=reasoning,
        validated_by=validated_by,
        evidence=[e for items in evidence.values() for e in items],
        canonical=canonical,
    )
    report.verdicts.append(verdict)
    report.matched += status is MetadataStatus.MATCHED
    report.unsure += status is MetadataStatus.UNSURE
    report.no_match += status is MetadataStatus.NO_MATCH
    if dry_run:
        return report
    if _metadata_verdict_unchanged(metadata, verdict):
        report.unchanged += 1  # a replayed record or a repeated sweep writes nothing
        return report
    try:
        if store.apply_metadata_verdict(verdict):
            report.writes += 1
        else:
            report.lost_races += 1
    except STORE_ERRORS as exc:
        log.warning("metadata_write_failed", extra={"receipt": str(ref), "error": type(exc).__name__})
        report.fail(f"write metadata {ref}: {type(exc).__name__}: {exc}")
    return report


def _metadata_verdict_unchanged(metadata: ReceiptMetadata, verdict: MetadataVerdict) -> bool:
    """True when the item already holds this verdict, so writing it again would change nothing but a timestamp."""
    return (
        metadata.validated_fingerprint == metadata_fingerprint({n: getattr(metadata, n) for n in METADATA_JUDGED})
        and metadata.validation_status == verdict.status
        and sorted(metadata.matched_fields) == sorted(verdict.matched_fields)
        and metadata.reasoning == verdict.reasoning
        and metadata.validated_by == verdict.validated_by
        and all(metadata.canonical.get(k) == v for k, v in verdict.canonical.items())
    )
