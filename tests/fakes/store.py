"""A dict-backed `ReceiptRepository` (the port of domain/store/repository.py) with the real repository's conditions.

A label verdict or touch is written only while the stored label still holds what was judged (`label_held`, with the
status read) and is not a person's verdict; a metadata verdict only while the stored metadata holds the values judged
(`metadata_held`). A refused write returns False, as a lost race does on DynamoDB. `race` makes every write lose.
"""

from __future__ import annotations

from botocore.exceptions import ClientError

from domain.model import (
    MetadataVerdict,
    ReceiptContext,
    ReceiptRef,
    ReceiptWordLabel,
    ValidationStatus,
    Verdict,
    utc_now_iso,
)
from domain.store.conditions import HUMAN_PREFIX, label_held, metadata_held
from domain.store.repository import ReceiptRepository


def throttled(operation: str) -> ClientError:
    """What the real store raises when DynamoDB throttles past botocore's retries."""
    error = {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}
    return ClientError({"Error": error}, operation)


class FakeReceiptRepository(ReceiptRepository):
    def __init__(self, *contexts: ReceiptContext) -> None:
        self.contexts: dict[ReceiptRef, ReceiptContext] = {c.ref: c.model_copy(deep=True) for c in contexts}
        self.loads = 0
        self.writes: list[Verdict] = []
        self.touches: list[ReceiptWordLabel] = []
        self.metadata_writes: list[MetadataVerdict] = []
        self.fail_loads = False
        self.fail_writes = False
        self.race = False  # when True, every conditional write finds the item changed

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None:
        self.loads += 1
        if self.fail_loads:
            raise throttled("Query")
        ctx = self.contexts.get(ref)
        return ctx.model_copy(deep=True) if ctx else None

    def _stored(self, label: ReceiptWordLabel) -> ReceiptWordLabel | None:
        ctx = self.contexts.get(label.ref)
        for lb in ctx.labels if ctx else []:
            if lb.claim_id == label.claim_id:
                return lb
        return None

    def _writable(self, judged: ReceiptWordLabel, expected_status: ValidationStatus) -> ReceiptWordLabel | None:
        """The stored label, if the real repository's condition holds for it; None when the write would be refused."""
        stored = self._stored(judged)
        if self.race or stored is None:
            return None
        if label_held(stored) != {**label_held(judged), "validation_status": expected_status.value}:
            return None
        if (stored.validated_by or "").startswith(HUMAN_PREFIX):
            return None
        return stored

    def apply_verdict(self, verdict: Verdict, expected_status: ValidationStatus) -> bool:
        if self.fail_writes:
            raise throttled("UpdateItem")
        stored = self._writable(verdict.label, expected_status)
        if stored is None:
            return False
        stamp = utc_now_iso()
        stored.validation_status = verdict.status
        stored.reasoning = verdict.reasoning
        stored.validated_by = verdict.validated_by
        stored.validated_at = stored.last_verified_at = stamp
        self.writes.append(verdict)
        return True

    def touch_verified(self, label: ReceiptWordLabel, expected_status: ValidationStatus) -> bool:
        stored = self._writable(label, expected_status)
        if stored is None:
            return False
        stored.last_verified_at = utc_now_iso()
        self.touches.append(label)
        return True

    def apply_metadata_verdict(self, verdict: MetadataVerdict) -> bool:
        if self.fail_writes:
            raise throttled("UpdateItem")
        ctx = self.contexts.get(verdict.metadata.ref)
        stored = ctx.metadata if ctx else None
        if self.race or stored is None or metadata_held(stored) != metadata_held(verdict.metadata):
            return False
        self.metadata_writes.append(verdict)
        return True

    def status(self, ref: ReceiptRef, claim_id: str) -> ValidationStatus:
        return next(lb.validation_status for lb in self.contexts[ref].labels if lb.claim_id == claim_id)

    @property
    def wrote_anything(self) -> bool:
        return bool(self.writes or self.touches or self.metadata_writes)
