"""The stream handler against a real table: partial failures, idempotence, lost races, bad records, metrics."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

from boto3.dynamodb.types import TypeDeserializer

from cli.stream_events import LocalLambdaContext
from domain import keys
from domain.model import ReceiptRef, ValidationStatus
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler
from stream_handlers.validation import ServiceValidation, use_validation
from tests.fakes.receipts import GROCERY_TRUTH
from tests.unit.stream.records_factory import label_record, metadata_record, remove_record, word_record


def invoke(records: list[dict[str, Any]], output: io.StringIO | None = None) -> dict[str, Any]:
    with contextlib.redirect_stdout(output or io.StringIO()):
        return handler.lambda_handler({"Records": records}, LocalLambdaContext())


def label_statuses(store: DynamoReceiptRepository, ref: ReceiptRef) -> dict[str, str]:
    context = store.load_receipt(ref)
    assert context is not None
    return {lb.claim_id: lb.validation_status.value for lb in context.labels}


def table_items(store: DynamoReceiptRepository) -> list[dict[str, Any]]:
    de = TypeDeserializer()
    items = store.client.scan(TableName=store.table_name)["Items"]
    return sorted(({k: de.deserialize(v) for k, v in it.items()} for it in items), key=lambda d: (d["PK"], d["SK"]))


def seqs_of(records: list[dict[str, Any]], ref: ReceiptRef) -> set[str]:
    return {
        r["dynamodb"]["SequenceNumber"]
        for r in records
        if r["dynamodb"]["Keys"]["PK"]["S"] == keys.image_pk(ref.image_id)
    }


class FlakyVerifier:
    """The real verifier, except that one receipt's verification fails as if the LLM were down."""

    def __init__(self, real: Any, broken: ReceiptRef):
        self.real, self.broken = real, broken

    def verify(self, context: Any, claims: list[Any]) -> Any:
        if context.ref == self.broken:
            from domain.cove.llm import LLMUnavailable

            raise LLMUnavailable("unreachable", "connection refused", attempts=1)
        return self.real.verify(context, claims)


def test_partial_failure_reports_only_the_failed_receipts_records(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, stream_records
) -> None:
    good, bad = import_receipts(2)
    use_validation(ServiceValidation(stream_store, FlakyVerifier(verifier, bad)))
    records = [r for r in stream_records() if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_LABEL]

    response = invoke(records)

    failed = {item["itemIdentifier"] for item in response["batchItemFailures"]}
    assert failed == seqs_of(records, bad)
    assert set(label_statuses(stream_store, bad).values()) == {"PENDING"}  # an error decides nothing
    assert "PENDING" not in set(label_statuses(stream_store, good).values())  # the other receipt's verdicts landed
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.failed_receipts == 1 and summary.failed_records == len(failed)


def test_replaying_an_event_is_idempotent(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, stream_records
) -> None:
    import_receipts(2)
    use_validation(ServiceValidation(stream_store, verifier))
    records = [r for r in stream_records() if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_LABEL]

    assert invoke(records) == {"batchItemFailures": []}
    first = handler.last_invocation_summary()
    after_first = table_items(stream_store)
    assert invoke(records) == {"batchItemFailures": []}
    second = handler.last_invocation_summary()

    assert first is not None and first.totals()["writes"] > 0
    assert second is not None and second.totals()["writes"] == 0 and second.totals()["labels_seen"] == 0
    assert table_items(stream_store) == after_first


class RacingStore(DynamoReceiptRepository):
    """Someone edits a label between the handler's load and its write."""

    def __init__(self, inner: DynamoReceiptRepository, claim: tuple[int, int, str]):
        super().__init__(inner.table_name, inner.client)
        self.claim = claim

    def load_receipt(self, ref: ReceiptRef) -> Any:
        context = super().load_receipt(ref)
        line_id, word_id, label = self.claim
        self.client.update_item(
            TableName=self.table_name,
            Key={
                "PK": {"S": keys.image_pk(ref.image_id)},
                "SK": {"S": keys.label_sk(ref.receipt_id, line_id, word_id, label)},
            },
            UpdateExpression="SET validation_status = :s, validated_by = :v, reasoning = :r",
            ExpressionAttributeValues={
                ":s": {"S": "INVALID"},
                ":v": {"S": "human:alice"},
                ":r": {"S": "checked by hand"},
            },
        )
        return context


def test_a_concurrent_change_is_kept(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, stream_records
) -> None:
    (ref,) = import_receipts(1)
    line_id, word_id = next(key for key, name in GROCERY_TRUTH.items() if name == "GRAND_TOTAL")
    use_validation(ServiceValidation(RacingStore(stream_store, (line_id, word_id, "GRAND_TOTAL")), verifier))
    records = [r for r in stream_records() if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_LABEL]

    assert invoke(records) == {"batchItemFailures": []}

    context = stream_store.load_receipt(ref)
    assert context is not None
    total = next(lb for lb in context.labels if lb.claim_id == f"{line_id}/{word_id}/GRAND_TOTAL")
    assert total.validation_status is ValidationStatus.INVALID
    assert total.validated_by == "human:alice" and total.reasoning == "checked by hand"
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.totals()["lost_races"] == 1


def test_bad_and_foreign_records_never_fail_the_batch(stream_store: DynamoReceiptRepository, verifier: Any) -> None:
    use_validation(ServiceValidation(stream_store, verifier))
    missing_keys = label_record()
    del missing_keys["dynamodb"]["Keys"]
    bad_type = label_record()
    bad_type["dynamodb"]["NewImage"]["validation_status"] = {"BOOL": True}
    unknown_label = label_record(label="FOO_BAR")
    records = [
        missing_keys,
        bad_type,
        unknown_label,
        {"eventName": "INSERT"},
        "not a record",
        remove_record(),
        word_record(),
        metadata_record(validated=True),
        label_record("VALID", event="MODIFY"),
        label_record(),  # work for a receipt that is not in the table: nothing to do, not an error
    ]

    assert invoke(records) == {"batchItemFailures": []}

    summary = handler.last_invocation_summary()
    assert summary is not None
    assert summary.malformed == 5
    assert summary.ignored == {"remove": 1, "other_entity": 1, "validator_write": 1, "not_pending": 1}
    assert len(summary.receipts) == 1 and not summary.receipts[0].failed


def test_metrics_are_flushed_once_per_invocation(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, stream_records
):
    import_receipts(1)
    use_validation(ServiceValidation(stream_store, verifier))
    records = stream_records()
    output = io.StringIO()

    invoke(records[:5], output)
    invoke(records[5:], output)
    invoke([remove_record()], output)

    lines = [json.loads(line) for line in output.getvalue().splitlines() if line.startswith("{")]
    emf = [line for line in lines if "_aws" in line]
    assert len(emf) == 3
    names = {m["Name"] for m in emf[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"]}
    assert {"Receipts", "LabelsValid", "LabelsInvalid", "LLMCalls", "Errors", "RecordsIgnored"} <= names
    assert {"RecordsMalformed", "Duration", "LabelsNeedsReview"} <= names
    assert sum(sum(e["LabelsSeen"]) for e in emf) == len(GROCERY_TRUTH)  # powertools writes each value as a list
    assert emf[2]["RecordsIgnored"] == [1.0] and emf[2]["Receipts"] == [0.0]


def test_info_logs_carry_no_receipt_text(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, stream_records
):
    import_receipts(1)
    use_validation(ServiceValidation(stream_store, verifier))
    output = io.StringIO()
    invoke(stream_records(), output)
    text = output.getvalue()
    assert "batch_done" in text
    for word in ("BANANAS", "TRADER", "4.84", "555-0100"):
        assert word not in text
