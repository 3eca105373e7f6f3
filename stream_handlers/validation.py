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
    def validate_labels(self, ref: ReceiptRef) -> Any:
        """A ReceiptReport (errors > 0: not done)."""

    def validate_metadata(self, ref: ReceiptRef) -> Any:
        """A MetadataReport (errors > 0: not done)."""


@dataclass
class ServiceValidation:
    """The real thing: `domain.service` on a store, with the container's verifier and Places client."""

    store: Any
    verifier: Any = None
    places: Any = None
    dry_run: bool = False

    def validate_labels(self, ref: ReceiptRef) -> Any:
        from domain.service import validate_receipt

        return validate_receipt(self.store, ref, mode="pending", dry_run=self.dry_run, verifier=self.verifier)

    def validate_metadata(self, ref: ReceiptRef) -> Any:
        from domain.service import validate_metadata

        return validate_metadata(self.store, ref, dry_run=self.dry_run, places=self.places)


def from_environment(env: Mapping[str, str] | None = None) -> ServiceValidation:
    """Built as the Lambda function is configured: table and endpoint from env, secrets from SSM (or env)."""
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier
    from domain.places import GooglePlacesClient
    from domain.store import ReceiptStore, make_client
    from stream_handlers.secrets import environment_with_secrets

    env = environment_with_secrets(env)
    table = env.get("DYNAMODB_TABLE_NAME")
    if not table:
        raise RuntimeError("DYNAMODB_TABLE_NAME is not set")
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    store = ReceiptStore(table, make_client(env.get("AWS_ENDPOINT_URL_DYNAMODB") or None, region))
    verifier = build_verifier(LLMSettings.from_env(env))
    places_key = env.get("PLACES_API_KEY")
    return ServiceValidation(store, verifier, GooglePlacesClient(places_key) if places_key else None)


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
