"""The pending sweep on moto: what it reads, how it resumes, and that a dry run writes nothing."""

from __future__ import annotations

from domain import keys
from domain.model import ValidationStatus
from sweepers import metadata, pending, reverify
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import RunLimits, run_sweep
from tests.call_counter import CallCounter
from tests.unit.sweepers.conftest import StepContext, WriteCounter, load_receipts, raw_items


def _pending_keys(items: dict) -> set[tuple[str, str]]:
    return {k for k, it in items.items() if it.get("validation_status", {}).get("S") == "PENDING"}


def test_reads_only_pending_labels_and_their_receipts_without_scan(moto_store, verifier):
    # receipts 1 and 3 hold PENDING labels; receipt 2 only VALID ones
    contexts = load_receipts(moto_store, 3, statuses={1: "VALID"})
    pending_refs = {c.ref for c in contexts if c.labels[0].validation_status is ValidationStatus.PENDING}
    before = raw_items(moto_store)
    n_pending = len(_pending_keys(before))
    counter = CallCounter(moto_store.client)

    summary = run_sweep(pending.build(verifier), SweepPayload(), moto_store, LocalContext(600))

    assert counter.calls["Scan"] == 0
    queries = [params for name, params in counter.requests if name == "Query"]
    gsi3 = [q for q in queries if q.get("IndexName") == "GSI3"]
    table = [q for q in queries if "IndexName" not in q]
    assert gsi3 and len(gsi3) + len(table) == len(queries)  # no other index is read
    assert {q["ExpressionAttributeValues"][":pk"]["S"] for q in gsi3} == {"VALIDATION_STATUS#PENDING"}
    loaded = {q["ExpressionAttributeValues"][":pk"]["S"] for q in table}
    assert loaded == {keys.image_pk(ref.image_id) for ref in pending_refs}
    assert len(table) == len(pending_refs)  # one Query per receipt
    prefixes = {(keys.image_pk(r.image_id), keys.receipt_prefix(r.receipt_id)) for r in pending_refs}
    receipt_items = sum(1 for pk, sk in before if any(pk == p and sk.startswith(s) for p, s in prefixes))
    assert counter.items["Query"] == n_pending + receipt_items  # GSI3 gave the pending entries, no more
    assert summary.receipts == 2 and summary.counts["labels_seen"] == n_pending
    assert summary.counts["errors"] == 0 and not summary.failed_receipts


def test_gsi3_listing_returns_exactly_the_pending_labels(moto_store, verifier):
    contexts = load_receipts(moto_store, 3, statuses={0: "VALID"})
    n_pending = sum(len(c.labels) for c in contexts[1:])
    counter = CallCounter(moto_store.client)
    refs = [item.ref for item in pending.build(verifier).list_receipts(moto_store, None, None)]
    assert sorted(refs, key=str) == sorted((c.ref for c in contexts[1:]), key=str)
    assert counter.calls["Scan"] == 0 and counter.items["Query"] == n_pending


def test_time_budget_stops_with_cursor_and_resume_processes_each_label_once(store, verifier):
    """On moto, and on DynamoDB Local in the integration tier (real ExclusiveStartKey semantics)."""
    load_receipts(store, 3)
    before = raw_items(store)
    n_pending = len(_pending_keys(before))
    writes = WriteCounter(store.client)
    sweep = pending.build(verifier)
    limits = RunLimits(max_workers=2, safety_margin_ms=5_000)

    rounds, payload, seen = 0, SweepPayload(), 0
    while True:
        rounds += 1
        summary = run_sweep(sweep, payload, store, StepContext(steps=2), limits=limits)
        seen += summary.counts["labels_seen"]
        if summary.cursor is None:
            break
        assert summary.stopped_by == "time" and summary.receipts == 2
        payload = SweepPayload(cursor=summary.cursor)

    assert rounds == 2  # 2 + 1 receipts
    assert seen == n_pending
    label_writes = {k: n for k, n in writes.per_key.items() if "#LABEL#" in k[1]}
    assert set(label_writes.values()) == {1}
    decided = {k for k, it in raw_items(store).items() if k in before and "validated_by" in it}
    assert set(label_writes) == decided


def test_dry_run_leaves_every_item_byte_identical(moto_store, verifier):
    load_receipts(moto_store, 2, statuses={1: "VALID"})
    before = raw_items(moto_store)
    counter = CallCounter(moto_store.client)
    for sweep in (pending.build(verifier), reverify.build(verifier), metadata.build()):
        summary = run_sweep(sweep, SweepPayload(dry_run=True), moto_store, LocalContext(600))
        assert summary.dry_run and summary.receipts > 0
        assert summary.counts["writes"] == 0
    assert counter.calls["UpdateItem"] == counter.calls["PutItem"] == counter.calls["BatchWriteItem"] == 0
    assert raw_items(moto_store) == before
