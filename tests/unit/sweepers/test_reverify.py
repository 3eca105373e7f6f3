"""The reverify sweep changes a label only when new evidence contradicts it, and never one a person validated."""

from __future__ import annotations

from domain import keys
from domain.bundles import context_from_bundle
from domain.model import ValidationStatus
from samples import generate_receipts
from sweepers import reverify
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import run_sweep
from tests.unit.sweepers.conftest import raw_items

VALID, INVALID = ValidationStatus.VALID, ValidationStatus.INVALID


def test_reverify_changes_only_contradicted_machine_verdicts(moto_store, verifier):
    generated = generate_receipts(1, seed=11)[0]  # a small receipt (15 labels, 2 of them wrong)
    context = context_from_bundle(generated.bundle)
    truth = {(t.line_id, t.word_id, t.label): t.correct for t in generated.truth}

    def is_right(label) -> bool:
        return truth[(label.line_id, label.word_id, label.label)]

    wrong = [lb for lb in context.labels if not is_right(lb)]
    right = [lb for lb in context.labels if is_right(lb)]
    human = {wrong[0].claim_id, right[0].claim_id}  # a person said VALID, even where the generator says wrong
    flipped = right[1].claim_id  # a machine said INVALID about a right label
    context.labels = [
        lb.model_copy(
            update={
                "validation_status": INVALID if lb.claim_id == flipped else VALID,
                "validated_by": "human:alice" if lb.claim_id in human else "rule:old-rules",
            }
        )
        for lb in context.labels
    ]
    moto_store.write_contexts([context])
    before = raw_items(moto_store)

    summary = run_sweep(reverify.build(verifier), SweepPayload(), moto_store, LocalContext(600))
    after = raw_items(moto_store)

    assert summary.receipts == 1 and summary.counts["errors"] == 0
    assert summary.counts["labels_seen"] == len(context.labels) - len(human)
    changed = []
    for label in context.labels:
        key = (
            keys.image_pk(label.image_id),
            keys.label_sk(label.receipt_id, label.line_id, label.word_id, label.label),
        )
        old, new = before[key], after[key]
        if label.claim_id in human:
            assert new == old, f"a person's verdict was touched: {label.claim_id}"
            continue
        stored_right = (label.validation_status is VALID) == is_right(label)
        if new["validation_status"] != old["validation_status"]:
            assert not stored_right, f"{label.claim_id} changed without contradicting evidence"
            assert new["GSI3PK"]["S"] == keys.status_gsi3pk(new["validation_status"]["S"])
            changed.append(label.claim_id)
        elif new != old:  # kept: only the re-verification stamp moved
            assert {k for k in new if new.get(k) != old.get(k)} == {"last_verified_at"}
    assert flipped in changed and set(changed) <= {flipped} | {lb.claim_id for lb in wrong}
    # the flipped INVALID back to VALID, and (when there is one) a wrong machine VALID to INVALID
    assert len(changed) >= 1 + (len(wrong) > 1)
