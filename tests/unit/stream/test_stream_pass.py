"""The whole stream path on a real table: import -> stream -> real handler -> verdicts, and no feedback loop."""

from __future__ import annotations

import json
import math
from typing import Any

from domain import keys
from domain.model import ValidationStatus
from domain.store.repository import DynamoReceiptRepository
from stream_handlers.validation import ServiceValidation, use_validation
from tests.fakes.receipts import GROCERY_LINES, GROCERY_TRUTH
from tests.unit.stream.test_handler import FlakyVerifier

LABELS = len(GROCERY_TRUTH)  # per imported receipt (tests/fakes/receipts.py)
PASSING = LABELS + 1  # records per imported receipt that pass the filter: its labels and its metadata


def test_a_pass_validates_and_a_second_pass_sees_nothing(
    stream_store: DynamoReceiptRepository, import_receipts, make_reader
) -> None:
    refs = import_receipts(3)
    reader = make_reader(batch_size=10)

    first = reader.run().as_dict()
    assert first["receipts"] == 3 and first["labels_seen"] == 3 * LABELS and first["errors"] == 0
    assert first["valid"] + first["invalid"] + first["needs_review"] + first["left_pending"] == 3 * LABELS
    # the imported records in batches of 10, then the 3 metadata verdicts the run wrote: they pass the filter, the
    # handler drops them
    assert first["records_passed_filter"] == 3 * PASSING + 3 and first["on_failure"] == []
    assert first["batches"] == math.ceil(3 * PASSING / 10) + 1
    assert first["ignored_by_handler"] == 3
    for ref in refs:
        context = stream_store.load_receipt(ref)
        assert context is not None and context.metadata is not None and context.metadata.validation_status
    decided = {lb.validation_status for ref in refs for lb in stream_store.load_receipt(ref).labels}
    assert ValidationStatus.PENDING not in decided or first["left_pending"] > 0

    # The run read its own verdict writes (it stops only when the stream is idle), and none of them was work.
    words = sum(len(line.split()) for line in GROCERY_LINES)
    imported_items = 3 * (1 + len(GROCERY_LINES) + words + LABELS + 1)  # receipt, lines, words, labels, metadata
    assert first["records_read"] == imported_items + first["writes"]

    stream_store.client.put_item(TableName=stream_store.table_name, Item={"PK": {"S": "IMAGE#x"}, "SK": {"S": "OTHER"}})
    second = reader.run().as_dict()  # same reader: continues after its checkpoint
    assert second["records_read"] == 1 and second["records_passed_filter"] == 0
    assert second["labels_seen"] == 0 and second["receipts"] == 0 and second["invocations"] == 0


def test_a_fresh_run_from_trim_horizon_finds_nothing_left_to_do(import_receipts, make_reader) -> None:
    import_receipts(2)
    make_reader().run()
    again = make_reader().run().as_dict()
    assert again["labels_seen"] == 0 and again["valid"] == 0 and again["left_pending"] == 0


def test_a_failing_receipt_is_retried_then_listed(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, make_reader
):
    good, bad = import_receipts(2)
    reader = make_reader(batch_size=100, max_retries=2)
    use_validation(ServiceValidation(stream_store, FlakyVerifier(verifier, bad)))  # after the reader installed its own

    run = reader.run().as_dict()

    assert [e["receipts"] for e in run["on_failure"]] == [[str(bad)]]
    assert run["on_failure"][0]["retries"] == 2 and run["failed_receipts"] == [str(bad)]
    assert run["errors"] >= 3 and run["left_pending"] == LABELS  # its labels stay PENDING for the sweeper
    assert {lb.validation_status for lb in stream_store.load_receipt(bad).labels} == {ValidationStatus.PENDING}
    assert ValidationStatus.PENDING not in {lb.validation_status for lb in stream_store.load_receipt(good).labels}
    json.dumps(run)  # the --json object is JSON


def test_a_pipeline_edit_of_metadata_after_validation_is_validated_again(
    stream_store: DynamoReceiptRepository, import_receipts, make_reader
):
    """On real streams (the embedded moto server, and DynamoDB Local in the integration tier): the pipeline's own
    UpdateItem of merchant_name, after the validator judged the metadata, reaches validation; the validator's own
    verdict writes (the first run's and the second's) are read from the stream and dropped, never validated."""
    (ref,) = import_receipts(1)
    reader = make_reader(batch_size=10)
    first = reader.run().as_dict()
    judged = stream_store.load_receipt(ref).metadata
    assert judged is not None and judged.validated_fingerprint is not None
    assert first["ignored_by_handler"] == 1  # its own metadata verdict came back and was dropped

    stream_store.client.update_item(
        TableName=stream_store.table_name,
        Key={"PK": {"S": keys.image_pk(ref.image_id)}, "SK": {"S": keys.metadata_sk(ref.receipt_id)}},
        UpdateExpression="SET merchant_name = :n",
        ExpressionAttributeValues={":n": {"S": "Totally Different Name"}},
    )
    second = reader.run().as_dict()

    assert second["receipts"] == 1 and second["errors"] == 0 and second["writes"] == 1
    again = stream_store.load_receipt(ref).metadata
    assert again is not None and again.merchant_name == "Totally Different Name"
    assert again.validated_fingerprint not in (None, judged.validated_fingerprint)
    assert again.reasoning != judged.reasoning  # judged anew, on the new name
    assert second["ignored_by_handler"] == 1  # and its new verdict came back and was dropped

    third = reader.run().as_dict()
    assert third["records_read"] == 0 and third["receipts"] == 0  # nothing loops
