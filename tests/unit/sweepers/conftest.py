"""Sweeper test kit: generated receipts in a moto table, raw-item snapshots, write counters, scripted time budgets."""

from __future__ import annotations

import copy
from collections import Counter
from typing import Any

import pytest

from domain.bundles import context_from_bundle
from domain.model import ReceiptContext
from domain.store.repository import DynamoReceiptRepository
from samples import generate_receipts

# Generated receipts hold ~50 labels on ~80 words; the top of each receipt (its first labels and the lines down to
# them) keeps moto, at ~50 ms per UpdateItem and ~3 ms per item read, fast.
LABELS_PER_RECEIPT = 8


def load_receipts(
    store: DynamoReceiptRepository, n: int, *, seed: int = 7, statuses: dict[int, str] | None = None, start: int = 1
) -> list[ReceiptContext]:
    """`n` generated receipts, trimmed to a few labels each; `statuses[i]` sets every label of receipt i."""
    contexts = []
    for i, generated in enumerate(generate_receipts(n, seed=seed, start_receipt_id=start)):
        bundle = copy.deepcopy(generated.bundle)
        bundle["labels"] = bundle["labels"][:LABELS_PER_RECEIPT]
        last_line = max(label["line_id"] for label in bundle["labels"])
        bundle["words"] = [w for w in bundle["words"] if w["line_id"] <= last_line]
        bundle.pop("lines", None)
        if statuses and i in statuses:
            for label in bundle["labels"]:
                label["validation_status"] = statuses[i]
        contexts.append(context_from_bundle(bundle))
    store.write_contexts(contexts)
    return contexts


def raw_items(store: DynamoReceiptRepository) -> dict[tuple[str, str], dict[str, Any]]:
    """Every item exactly as stored (the test's own Scan, outside any counted sweep)."""
    items: dict[tuple[str, str], dict[str, Any]] = {}
    for page in store.client.get_paginator("scan").paginate(TableName=store.table_name):
        for item in page["Items"]:
            items[(item["PK"]["S"], item["SK"]["S"])] = item
    return items


class WriteCounter:
    """Counts UpdateItem calls per item key (PK, SK): "each label processed exactly once" is checked on these."""

    def __init__(self, client: Any):
        self.per_key: Counter[tuple[str, str]] = Counter()
        client.meta.events.register("provide-client-params.dynamodb.UpdateItem", self._count)

    def _count(self, params: dict[str, Any], **_: Any) -> None:
        key = params["Key"]
        self.per_key[(key["PK"]["S"], key["SK"]["S"])] += 1


class StepContext:
    """A Lambda context with time for `steps` receipts: stops land at a chosen point, without sleeping.

    The first question is the runner reading its budget at the start of the invocation; each later one is asked
    before a receipt is submitted.
    """

    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:receipt-validator-dev-sweeper-pending"
    function_name = "receipt-validator-dev-sweeper-pending"
    memory_limit_in_mb = 1024
    aws_request_id = "test-request"

    def __init__(self, steps: int):
        self.steps = steps + 1

    def get_remaining_time_in_millis(self) -> int:
        self.steps -= 1
        return 900_000 if self.steps >= 0 else 1_000


@pytest.fixture(scope="session")
def verifier() -> Any:
    """Rules only (VALIDATOR_LLM=none in tests), compiled once for the session."""
    from domain.wiring import Wiring, WiringSettings

    return Wiring(WiringSettings(llm="none")).verifier


@pytest.fixture(autouse=True)
def _fresh_metrics() -> Any:
    """Tests that call `handle` directly add metrics no decorator flushes; start every test with none."""
    from sweepers.lambda_entry import metrics

    metrics.clear_metrics()
    yield
    metrics.clear_metrics()
