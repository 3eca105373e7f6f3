"""What the handler calls to validate a receipt: the domain service, bound once per container to a store and verifier.

The verifier (LLM client + compiled CoVe graph) is expensive, so it is built lazily on the first invocation and kept
for the life of the container. `use_validation()` is the seam through which the local runtime (the CLI's stream
reader, which already knows its endpoint and LLM choice) and tests install their own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from domain.model import ReceiptRef


class ReceiptValidation(Protocol):
    def validate(self, ref: ReceiptRef, *, labels: bool, metadata: bool) -> list[Any]:
        """Reports (ReceiptReport for labels, then MetadataReport); a report with errors > 0 means not done."""


@dataclass
class ServiceValidation:
    """The real thing: `domain.service` on a store, with the container's verifier and Places client."""

    store: Any
    verifier: Any = None
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


def from_environment(env: Mapping[str, str] | None = None) -> ServiceValidation:
    """Built as the Lambda function is configured: table and endpoint from env, secrets from SSM (or env)."""
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier
    from domain.secrets import environment_with_secrets, places_client
    from domain.store.repository import DynamoReceiptRepository, make_client

    env = environment_with_secrets(env)
    table = env.get("DYNAMODB_TABLE_NAME")
    if not table:
        raise RuntimeError("DYNAMODB_TABLE_NAME is not set")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    store = DynamoReceiptRepository(table, make_client(env.get("AWS_ENDPOINT_URL_DYNAMODB") or None, region))
    verifier = build_verifier(LLMSettings.from_env(env))
    return ServiceValidation(store, verifier, places_client(env))


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
