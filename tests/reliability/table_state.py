"""The table under a reliability test: generated receipts loaded into it, its labels read back, and the invariants
every run must leave behind (DESIGN principle 4: evidence decides, errors never do)."""

from __future__ import annotations

import copy
from collections import Counter
from dataclasses import dataclass
from typing import Any

from domain import keys
from domain.bundles import context_from_bundle
from domain.model import ReceiptContext, ReceiptRef
from domain.store.repository import DynamoReceiptRepository
from samples import generate_receipts

# moto spends ~50 ms per UpdateItem: receipts are trimmed to their first labels (and the lines down to them).
LABELS_PER_RECEIPT = 8
DECIDED = ("VALID", "INVALID", "NEEDS_REVIEW")

LabelKey = tuple[str, str]


def load_samples(
    store: DynamoReceiptRepository, n: int, *, seed: int = 7, labels_per_receipt: int | None = LABELS_PER_RECEIPT
) -> list[ReceiptContext]:
    """`n` generated receipts with every label PENDING, written to the table as `import` would."""
    contexts = []
    for generated in generate_receipts(n, seed=seed):
        bundle = copy.deepcopy(generated.bundle)
        if labels_per_receipt is not None:
            bundle["labels"] = bundle["labels"][:labels_per_receipt]
            last_line = max(label["line_id"] for label in bundle["labels"])
            bundle["words"] = [w for w in bundle["words"] if w["line_id"] <= last_line]
            bundle.pop("lines", None)
        contexts.append(context_from_bundle(bundle))
    store.write_contexts(contexts)
    return contexts


def label_keys_of(contexts: list[ReceiptContext]) -> set[LabelKey]:
    return {
        (keys.image_pk(lb.image_id), keys.label_sk(lb.receipt_id, lb.line_id, lb.word_id, lb.label))
        for c in contexts
        for lb in c.labels
    }


def receipt_label_keys(ref: ReceiptRef, rows: dict[LabelKey, dict[str, Any]]) -> set[LabelKey]:
    prefix = keys.receipt_prefix(ref.receipt_id) + "#"
    return {k for k in rows if k[0] == keys.image_pk(ref.image_id) and k[1].startswith(prefix)}


def label_rows(store: DynamoReceiptRepository) -> dict[LabelKey, dict[str, Any]]:
    """Every label item as plain values (the test's own Scan, outside whatever it counts)."""
    rows: dict[LabelKey, dict[str, Any]] = {}
    for page in store.client.get_paginator("scan").paginate(TableName=store.table_name):
        for item in page["Items"]:
            if item.get("TYPE", {}).get("S") != keys.TYPE_LABEL:
                continue
            plain = {k: next(iter(v.values())) for k, v in item.items()}
            rows[(plain["PK"], plain["SK"])] = plain
    return rows


@dataclass(frozen=True)
class TableVerdicts:
    """How the labels under test ended: counts by status, and which keys stayed PENDING."""

    counts: Counter[str]
    pending: set[LabelKey]

    def total(self) -> int:
        return sum(self.counts.values())


def assert_sound(store: DynamoReceiptRepository, expected: set[LabelKey]) -> TableVerdicts:
    """No label lost or invented; every verdict carries reasoning and its source; PENDING ones were left alone.

    A decided label's GSI3 entry must follow its status, or the pending sweep would find it again (or never).
    """
    rows = label_rows(store)
    assert set(rows) == expected, "labels lost or invented"
    counts: Counter[str] = Counter()
    pending: set[LabelKey] = set()
    for key, row in rows.items():
        status = row.get("validation_status")
        counts[status] += 1
        assert row.get("GSI3PK") == keys.status_gsi3pk(status), (key, row.get("GSI3PK"), status)
        if status == "PENDING":
            pending.add(key)
            assert not row.get("validated_by") and not row.get("validated_at"), (key, row)
            continue
        assert status in DECIDED, (key, status)
        assert isinstance(row.get("reasoning"), str) and row["reasoning"].strip(), (key, "verdict without reasoning")
        assert isinstance(row.get("validated_by"), str) and row["validated_by"].strip(), (key, "verdict without source")
        assert row.get("validated_at"), (key, "verdict without time")
    return TableVerdicts(counts, pending)
