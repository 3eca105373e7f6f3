"""The counts a run reports must be the table's: `stream --json` and `sweep --json` are what operators alert on."""

from __future__ import annotations

from typing import Any

from domain.store.repository import DynamoReceiptRepository
from sweepers import pending
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import run_sweep
from tests.reliability.table_state import assert_sound, label_keys_of, load_samples
from tests.reliability.test_stream_reader_faults import reader_for


def test_stream_run_left_pending_matches_the_table_when_metadata_arrives_in_a_later_batch(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    """Each receipt's metadata record comes after its label records, so small batches split them: the receipt's last
    invocation then checks only its metadata, and must not reset the count of labels it left PENDING.

    Seed 2's first receipt has metadata and the rules leave 3 of its 8 labels PENDING; with batches of 8 its
    metadata record rides alone (for that receipt) in the second batch.
    """
    contexts = load_samples(table, 3, seed=2)
    expected = label_keys_of(contexts)

    data = reader_for(table, rules_verifier, batch_size=8).run().as_dict()

    state = assert_sound(table, expected)
    assert state.pending, "the rules must leave some labels PENDING for this test to mean anything"
    assert data["valid"] + data["invalid"] + data["needs_review"] == state.total() - len(state.pending)
    assert data["left_pending"] == len(state.pending)
    assert data["labels_seen"] == len(expected)


def test_sweep_counts_match_the_table(table: DynamoReceiptRepository, rules_verifier: Any) -> None:
    contexts = load_samples(table, 6)
    expected = label_keys_of(contexts)

    data = run_sweep(pending.build(rules_verifier), SweepPayload(), table, LocalContext(60)).as_dict()

    state = assert_sound(table, expected)
    assert data["labels_seen"] == len(expected) and data["receipts"] == len(contexts)
    assert data["valid"] == state.counts["VALID"] and data["invalid"] == state.counts["INVALID"]
    assert data["needs_review"] == state.counts["NEEDS_REVIEW"] and data["left_pending"] == len(state.pending)
    assert data["writes"] == state.total() - len(state.pending)
