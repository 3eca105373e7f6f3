"""What the handler calls to validate a receipt: the domain service, bound once per container to a store and verifier.

The verifier (LLM client + compiled CoVe graph) is expensive, so it is built lazily, by `domain/wiring.py`, on the first
invocation that has work, and kept for the life of the container. `use_validation()` is the seam through which the
local runtime (the CLI's stream reader, wired from its own options) and tests install their own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from domain.model import ReceiptRef

if TYPE_CHECKING:
    from domain.wiring import Wiring


class ReceiptValidation(Protocol):
    def validate(self, ref: ReceiptRef, *, labels: bool, metadata: bool) -> list[Any]:
        """Reports (ReceiptReport for labels, then MetadataReport); a report with errors > 0 means not done."""


@dataclass
class ServiceValidation:
    """The real thing: `domain.service` on a store, with the container's verifier and Places client."""

    store: Any
    verifier: Any
    places: Any = None
    dry_run: bool = False

    def validate(self, ref: ReceiptRef, *, labels: bool, metadata: bool) -> list[Any]:
        from domain.service import validate_metadata, validate_receipt

        store = _OneLoad(self.store) if labels and metadata else self.store
        reports = []
        if labels:
            reports.append(validate_receipt(store, ref, mode="pending", dry_run=self.dry_run, verifier=self.verifier))
        if metadata:
            reports.append(validate_metadata(store, ref, dry_run=self.dry_run, places=self.places))
        return reports


class _OneLoad:
    """The store, except that a receipt is queried once for both service calls (labels, then metadata).

    The metadata checks read the receipt's words and the metadata's own fields, which the label verdicts written in
    between do not change; every write is still conditional. Items skipped as unreadable are counted by the first
    call only: the receipt was read once. On moto and on DynamoDB alike this halves the Queries
    for receipts whose labels and metadata arrive in one batch (the usual case after an import).
    """

    def __init__(self, store: Any):
        self._store = store
        self._loaded: dict[ReceiptRef, Any] = {}

    def load_receipt(self, ref: ReceiptRef) -> Any:
        first = ref not in self._loaded
        if first:
            self._loaded[ref] = self._store.load_receipt(ref)
        context = self._loaded[ref]
        if context is None:
            return None
        copy = context.model_copy(deep=True)
        if not first:
            copy.skipped = []
        return copy

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def from_wiring(wiring: Wiring, *, dry_run: bool = False) -> ServiceValidation:
    """The service bound to what the wiring builds: the store, the verifier and the Places client."""
    return ServiceValidation(wiring.store, wiring.verifier, wiring.places, dry_run=dry_run)


def from_environment(env: Mapping[str, str] | None = None) -> ServiceValidation:
    """Built as the Lambda function is configured: table and endpoint from env, secrets from SSM (or env)."""
    from domain.wiring import from_environment as wiring_from_environment

    return from_wiring(wiring_from_environment(env))


_current: ReceiptValidation | None = None
_lock = threading.Lock()


def current_validation() -> ReceiptValidation:
    """The container's validation, built from the environment on first use."""
    global _current
    with _lock:
        if _current is None:
            _current = from_environment(os.environ)
        return _current


def use_validation(validation: ReceiptValidation | None) -> None:
    """Installs `validation` for later invocations (None: rebuild from the environment on next use)."""
    global _current
    with _lock:
        _current = validation
