"""DynamoDB faults on the stream and sweep paths: throttled reads and writes, lost races, unprocessed batch items.

Each test ends on the table itself: every label decided with reasoning and source, or still PENDING and counted by
the run's report; the failed receipt's work is retried; no label is ever written twice.
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from domain import keys
from domain.model import ReceiptRef, ValidationStatus
from domain.store import repository as store_module
from domain.store.repository import DynamoReceiptRepository, StoreError
from stream_handlers import handler
from stream_handlers.validation import ServiceValidation, use_validation
from sweepers import pending
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import run_sweep
from tests.reliability.dynamo_faults import DynamoFaults, body_key, query_pk, transient
from tests.reliability.stream_io import failed_seqs, invoke, seqs_of, stream_records
from tests.reliability.table_state import (
    LabelKey,
    assert_sound,
    label_keys_of,
    label_rows,
    load_samples,
    receipt_label_keys,
)

THROTTLES = [
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "RequestLimitExceeded",
    "InternalServerError",
]


def rules_verdicts(store: DynamoReceiptRepository, verifier: Any, ref: ReceiptRef) -> dict[LabelKey, str]:
    """What the rules decide for a receipt's PENDING labels (read-only), to aim a fault at a decided label."""
    context = store.load_receipt(ref)
    assert context is not None
    result = verifier.verify(context, context.labels_with_status(ValidationStatus.PENDING))
    return {
        (
            keys.image_pk(v.label.image_id),
            keys.label_sk(ref.receipt_id, v.label.line_id, v.label.word_id, v.label.label),
        ): (v.status.value)
        for v in result.verdicts
    }


def totals() -> dict[str, int]:
    summary = handler.last_invocation_summary()
    assert summary is not None
    return summary.totals()


@pytest.mark.parametrize("code", THROTTLES)
def test_throttled_receipt_load_fails_only_that_receipt_and_decides_nothing(
    table: DynamoReceiptRepository, rules_verifier: Any, code: str
) -> None:
    contexts = load_samples(table, 3)
    expected = label_keys_of(contexts)
    victim = contexts[1].ref
    use_validation(ServiceValidation(table, rules_verifier))
    records = stream_records(table, only_labels=True)
    faults = DynamoFaults(table.client)
    faults.fail("Query", code, when=lambda body: query_pk(body) == keys.image_pk(victim.image_id))

    response = invoke(records)

    assert failed_seqs(response) == seqs_of(records, victim)
    state = assert_sound(table, expected)
    victim_keys = receipt_label_keys(victim, label_rows(table))
    assert victim_keys <= state.pending  # an error decided nothing
    counted = totals()
    assert counted["errors"] == 1
    decided = state.total() - len(state.pending)
    assert counted["valid"] + counted["invalid"] + counted["needs_review"] == decided == counted["writes"]
    assert counted["left_pending"] + len(victim_keys) == len(state.pending)

    faults.clear()  # the throttling ends; Lambda retries from the first failed record
    retry = [r for r in records if r["dynamodb"]["SequenceNumber"] in failed_seqs(response)]
    assert invoke(retry) == {"batchItemFailures": []}
    final = assert_sound(table, expected)
    assert len(final.pending) == counted["left_pending"] + totals()["left_pending"]
    assert faults.rewritten() == {}


@pytest.mark.parametrize("code", THROTTLES[:2])
def test_throttled_verdict_write_leaves_that_label_pending_and_retries_the_receipt(
    table: DynamoReceiptRepository, rules_verifier: Any, code: str
) -> None:
    contexts = load_samples(table, 2)
    expected = label_keys_of(contexts)
    ref = contexts[0].ref
    verdicts = rules_verdicts(table, rules_verifier, ref)
    decided = [k for k, s in verdicts.items() if s != "PENDING"]
    assert len(decided) >= 2, "the sample must give the rules at least two verdicts"
    target = decided[0]
    use_validation(ServiceValidation(table, rules_verifier))
    records = stream_records(table, only_labels=True)
    faults = DynamoFaults(table.client)
    faults.fail("UpdateItem", code, when=lambda body: body_key(body) == target)

    response = invoke(records)

    assert failed_seqs(response) == seqs_of(records, ref)
    state = assert_sound(table, expected)
    rows = label_rows(table)
    assert target in state.pending
    for key in decided[1:]:  # the receipt's other verdicts stand: each was evidence, written conditionally
        assert rows[key]["validation_status"] == verdicts[key]
    counted = totals()
    assert counted["errors"] == 1
    assert counted["writes"] == state.total() - len(state.pending)

    faults.clear()
    assert invoke([r for r in records if r["dynamodb"]["SequenceNumber"] in failed_seqs(response)]) == {
        "batchItemFailures": []
    }
    assert label_rows(table)[target]["validation_status"] == verdicts[target]
    assert_sound(table, expected)
    assert faults.rewritten() == {}  # the retry wrote only the label that had failed


def test_lost_race_keeps_the_other_writers_verdict_and_is_not_a_failure(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    contexts = load_samples(table, 1)
    expected = label_keys_of(contexts)
    ref = contexts[0].ref
    verdicts = rules_verdicts(table, rules_verifier, ref)
    target = next(k for k, s in verdicts.items() if s != "PENDING")
    person = boto3.client("dynamodb", region_name="us-east-1")  # another writer on the same table
    raced: list[LabelKey] = []

    def person_decides_first(params: dict[str, Any], **_: Any) -> None:
        import json

        if body_key(json.loads(params["body"])) == target and not raced:
            raced.append(target)
            gsi3 = keys.status_gsi3pk("NEEDS_REVIEW")
            person.update_item(
                TableName=table.table_name,
                Key={"PK": {"S": target[0]}, "SK": {"S": target[1]}},
                UpdateExpression="SET validation_status = :s, validated_by = :v, reasoning = :r, "
                "validated_at = :t, GSI3PK = :g",
                ExpressionAttributeValues={
                    ":s": {"S": "NEEDS_REVIEW"},
                    ":v": {"S": "human:alice"},
                    ":r": {"S": "checked by hand"},
                    ":t": {"S": "2024-01-01T00:00:00+00:00"},
                    ":g": {"S": gsi3},
                },
            )

    table.client.meta.events.register("before-call.dynamodb.UpdateItem", person_decides_first)
    use_validation(ServiceValidation(table, rules_verifier))

    response = invoke(stream_records(table, only_labels=True))

    assert raced == [target]
    assert response == {"batchItemFailures": []}  # a lost race is benign
    row = label_rows(table)[target]
    assert (row["validation_status"], row["validated_by"]) == ("NEEDS_REVIEW", "human:alice")
    counted = totals()
    assert counted["lost_races"] == 1 and counted["errors"] == 0
    assert_sound(table, expected)


def test_unprocessed_batch_items_are_retried_until_every_item_is_written_once(
    table: DynamoReceiptRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    """BatchWriteItem accepts half of each of its first requests; the store must resend exactly the other half."""
    monkeypatch.setattr(store_module.time, "sleep", lambda _s: None)
    other = boto3.client("dynamodb", region_name="us-east-1")
    partial = {"left": 3}

    def accept_half(params: dict[str, Any], **_: Any) -> Any:
        import json
        from types import SimpleNamespace

        if partial["left"] <= 0:
            return None
        partial["left"] -= 1
        body = json.loads(params["body"])
        (name, requests), *_ = body["RequestItems"].items()
        half = len(requests) // 2
        if half:
            other.batch_write_item(RequestItems={name: requests[:half]})
        return SimpleNamespace(status_code=200, headers={}), {"UnprocessedItems": {name: requests[half:]}}

    table.client.meta.events.register("before-call.dynamodb.BatchWriteItem", accept_half)
    contexts = load_samples(table, 2)

    assert partial["left"] == 0
    assert set(label_rows(table)) == label_keys_of(contexts)
    records = stream_records(table, only_labels=True)
    assert len(records) == len(label_keys_of(contexts))  # each label reached the stream exactly once


def test_unprocessed_items_that_never_clear_fail_the_import_loudly(
    table: DynamoReceiptRepository, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module.time, "sleep", lambda _s: None)
    calls = {"n": 0}

    def refuse_all(params: dict[str, Any], **_: Any) -> Any:
        import json
        from types import SimpleNamespace

        calls["n"] += 1
        (name, requests), *_ = json.loads(params["body"])["RequestItems"].items()
        return SimpleNamespace(status_code=200, headers={}), {"UnprocessedItems": {name: requests}}

    table.client.meta.events.register("before-call.dynamodb.BatchWriteItem", refuse_all)
    with pytest.raises(StoreError, match="unprocessed"):
        load_samples(table, 1)
    assert calls["n"] == store_module.MAX_UNPROCESSED_RETRIES + 1
    assert label_rows(table) == {}  # nothing half-written, nothing on the stream to validate


@pytest.mark.integration
def test_transient_throttling_is_absorbed_by_botocore_retries(
    local_table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    """On DynamoDB Local the throttled send never reaches the server: botocore's retry is what writes the verdict."""
    contexts = load_samples(local_table, 1)
    use_validation(ServiceValidation(local_table, rules_verifier))
    records = stream_records(local_table, only_labels=True)
    seen = transient(local_table.client, "UpdateItem", "ProvisionedThroughputExceededException", times=2)

    assert invoke(records) == {"batchItemFailures": []}
    counted = totals()
    assert seen["faults"] == 2 and seen["sends"] == counted["writes"] + 2
    assert counted["errors"] == 0 and counted["lost_races"] == 0
    assert_sound(local_table, label_keys_of(contexts))


def test_a_verdict_whose_reply_is_lost_is_retried_and_counted_once(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    """moto applies the first send and the reply is then replaced by a throttle (as a reply lost on the way back):
    botocore retries, the conditional check refuses the second write, and the run counts a benign lost race."""
    contexts = load_samples(table, 1)
    use_validation(ServiceValidation(table, rules_verifier))
    records = stream_records(table, only_labels=True)
    faults = DynamoFaults(table.client)
    seen = transient(table.client, "UpdateItem", "ProvisionedThroughputExceededException", times=1)

    assert invoke(records) == {"batchItemFailures": []}
    counted = totals()
    assert seen["faults"] == 1 and counted["errors"] == 0
    assert counted["lost_races"] == 1 and counted["writes"] + 1 == counted["labels_seen"] - counted["left_pending"]
    state = assert_sound(table, label_keys_of(contexts))
    assert state.total() - len(state.pending) == counted["labels_seen"] - counted["left_pending"]
    assert faults.rewritten() == {}  # botocore's resend is one call: the verdict landed once


def test_throttled_receipt_in_the_pending_sweep_is_named_and_found_by_the_next_sweep(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    contexts = load_samples(table, 3)
    expected = label_keys_of(contexts)
    victim = contexts[2].ref
    faults = DynamoFaults(table.client)
    faults.fail(
        "Query", "ProvisionedThroughputExceededException", when=lambda b: query_pk(b) == keys.image_pk(victim.image_id)
    )
    sweep = pending.build(rules_verifier)

    first = run_sweep(sweep, SweepPayload(), table, LocalContext(600)).as_dict()

    assert [f["receipt"] for f in first["failed_receipts"]] == [str(victim)]
    state = assert_sound(table, expected)
    victim_keys = receipt_label_keys(victim, label_rows(table))
    assert victim_keys <= state.pending
    assert first["valid"] + first["invalid"] + first["needs_review"] == first["writes"]
    assert first["writes"] == state.total() - len(state.pending)
    assert first["left_pending"] + len(victim_keys) == len(state.pending)

    faults.clear()
    second = run_sweep(sweep, SweepPayload(), table, LocalContext(600)).as_dict()
    assert second["failed_receipts"] == [] and second["errors"] == 0
    final = assert_sound(table, expected)
    assert len(final.pending) == second["left_pending"]
    assert faults.rewritten() == {}


def test_throttled_gsi3_listing_stops_the_sweep_before_anything_is_decided(
    table: DynamoReceiptRepository, rules_verifier: Any
) -> None:
    contexts = load_samples(table, 2)
    faults = DynamoFaults(table.client)
    faults.fail("Query", "ThrottlingException", when=lambda b: b.get("IndexName") == "GSI3")
    sweep = pending.build(rules_verifier)

    with pytest.raises(ClientError):  # a function error: the schedule (or the caller) runs the sweep again
        run_sweep(sweep, SweepPayload(), table, LocalContext(600))

    state = assert_sound(table, label_keys_of(contexts))
    assert state.pending == label_keys_of(contexts)
    assert faults.calls["UpdateItem"] == 0
