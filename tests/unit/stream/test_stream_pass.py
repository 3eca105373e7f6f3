"""The whole stream path on a real table: import -> stream -> real handler -> verdicts, and no feedback loop."""

from __future__ import annotations

import json
from typing import Any

from domain.model import ValidationStatus
from domain.store import ReceiptStore
from stream_handlers.validation import ServiceValidation, use_validation
from tests.unit.stream.test_handler import FlakyVerifier


def test_a_pass_validates_and_a_second_pass_sees_nothing(store: ReceiptStore, import_receipts, make_reader) -> None:
    refs = import_receipts(3)
    reader = make_reader(batch_size=10)

    first = reader.run().as_dict()
    assert first["receipts"] == 3 and first["labels_seen"] == 39 and first["errors"] == 0
    assert first["valid"] + first["invalid"] + first["needs_review"] + first["left_pending"] == 39
    assert first["records_passed_filter"] == 42 and first["batches"] == 5 and first["on_failure"] == []
    for ref in refs:
        context = store.load_receipt(ref)
        assert context is not None and context.metadata is not None and context.metadata.validation_status
    decided = {lb.validation_status for ref in refs for lb in store.load_receipt(ref).labels}
    assert ValidationStatus.PENDING not in decided or first["left_pending"] > 0

    # The run read its own verdict writes (it stops only when the stream is idle), and none of them passed.
    imported_items = 3 * (1 + 8 + 16 + 13 + 1)  # receipt, lines, words, labels, metadata
    assert first["records_read"] == imported_items + first["writes"]

    store.client.put_item(TableName=store.table_name, Item={"PK": {"S": "IMAGE#x"}, "SK": {"S": "OTHER"}})
    second = reader.run().as_dict()  # same reader: continues after its checkpoint
    assert second["records_read"] == 1 and second["records_passed_filter"] == 0
    assert second["labels_seen"] == 0 and second["receipts"] == 0 and second["invocations"] == 0


def test_a_fresh_run_from_trim_horizon_finds_nothing_left_to_do(import_receipts, make_reader) -> None:
    import_receipts(2)
    make_reader().run()
    again = make_reader().run().as_dict()
    assert again["labels_seen"] == 0 and again["valid"] == 0 and again["left_pending"] == 0


def test_a_failing_receipt_is_retried_then_listed(store: ReceiptStore, verifier: Any, import_receipts, make_reader):
    good, bad = import_receipts(2)
    reader = make_reader(batch_size=100, max_retries=2)
    use_validation(ServiceValidation(store, FlakyVerifier(verifier, bad)))  # after the reader installed its own

    run = reader.run().as_dict()

    assert [e["receipts"] for e in run["on_failure"]] == [[str(bad)]]
    assert run["on_failure"][0]["retries"] == 2 and run["failed_receipts"] == [str(bad)]
    assert run["errors"] >= 3 and run["left_pending"] == 13  # its labels stay PENDING for the sweeper
    assert {lb.validation_status for lb in store.load_receipt(bad).labels} == {ValidationStatus.PENDING}
    assert ValidationStatus.PENDING not in {lb.validation_status for lb in store.load_receipt(good).labels}
    json.dumps(run)  # the --json object is JSON
