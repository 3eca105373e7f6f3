"""A dict-backed stand-in for `domain.store.ReceiptStore`, with the same conditional-write semantics."""

from __future__ import annotations

from domain.model import MetadataVerdict, ReceiptContext, ReceiptRef, ReceiptWordLabel, ValidationStatus, Verdict


class FakeStoreError(RuntimeError):
    pass


class FakeStore:
    def __init__(self, *contexts: ReceiptContext) -> None:
        self.contexts: dict[ReceiptRef, ReceiptContext] = {c.ref: c.model_copy(deep=True) for c in contexts}
        self.loads = 0
        self.writes: list[Verdict] = []
        self.touches: list[ReceiptWordLabel] = []
        self.metadata_writes: list[MetadataVerdict] = []
        self.fail_loads = False
        self.fail_writes = False
        self.race = False  # when True, every conditional write finds the status changed

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None:
        self.loads += 1
        if self.fail_loads:
            raise FakeStoreError("throttled")
        ctx = self.contexts.get(ref)
        return ctx.model_copy(deep=True) if ctx else None

    def _stored(self, label: ReceiptWordLabel) -> ReceiptWordLabel | None:
        ctx = self.contexts.get(label.ref)
        for lb in ctx.labels if ctx else []:
            if lb.claim_id == label.claim_id:
                return lb
        return None

    def apply_verdict(self, verdict: Verdict, expected_status: ValidationStatus) -> bool:
        if self.fail_writes:
            raise FakeStoreError("throttled")
        stored = self._stored(verdict.label)
        if self.race or stored is None or stored.validation_status is not expected_status:
            return False
        stored.validation_status = verdict.status
        stored.reasoning = verdict.reasoning
        stored.validated_by = verdict.validated_by
        self.writes.append(verdict)
        return True

    def touch_verified(self, label: ReceiptWordLabel, expected_status: ValidationStatus) -> bool:
        stored = self._stored(label)
        if self.race or stored is None or stored.validation_status is not expected_status:
            return False
        self.touches.append(label)
        return True

    def apply_metadata_verdict(self, verdict: MetadataVerdict) -> bool:
        if self.fail_writes:
            raise FakeStoreError("throttled")
        self.metadata_writes.append(verdict)
        return True

    def status(self, ref: ReceiptRef, claim_id: str) -> ValidationStatus:
        return next(lb.validation_status for lb in self.contexts[ref].labels if lb.claim_id == claim_id)

    @property
    def wrote_anything(self) -> bool:
        return bool(self.writes or self.touches or self.metadata_writes)
