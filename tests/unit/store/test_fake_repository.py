"""The tests' fake repository keeps the real repository's conditions: the same writes, after the same changes since
read, are accepted or refused alike by `FakeReceiptRepository` and by `DynamoReceiptRepository` on moto."""

from __future__ import annotations

from typing import Any

import pytest

from domain import keys
from domain.model import MetadataStatus, MetadataVerdict, ReceiptContext, ValidationStatus, Verdict
from domain.store.repository import DynamoReceiptRepository
from tests.fakes.receipts import GROCERY_META, grocery
from tests.fakes.store import FakeReceiptRepository

# what changed on the label between the read and the write (None: nothing)
LABEL_CHANGES: dict[str, dict[str, str] | None] = {
    "nothing changed": None,
    "status changed": {"validation_status": "VALID"},
    "a person settled it": {"validated_by": "human:alice"},
    "a machine validated it": {"validated_by": "rule:amounts"},
    "proposal changed": {"label_proposed_by": "another-model"},
    "re-proposed": {"timestamp_added": "2030-01-01T00:00:00+00:00"},
}


def _seeded(store: DynamoReceiptRepository) -> tuple[ReceiptContext, FakeReceiptRepository]:
    """The grocery receipt in the table, read back; and a fake holding exactly what was read."""
    context = grocery(metadata=dict(GROCERY_META))
    store.write_contexts([context])
    read = store.load_receipt(context.ref)
    assert read is not None and read.labels and read.metadata is not None
    return read, FakeReceiptRepository(read)


def _change_label(
    store: DynamoReceiptRepository, fake: FakeReceiptRepository, read: ReceiptContext, change: dict[str, str]
) -> None:
    lb = read.labels[0]
    names = {f"#a{i}": k for i, k in enumerate(change)}
    store.client.update_item(
        TableName=store.table_name,
        Key={
            "PK": {"S": keys.image_pk(lb.image_id)},
            "SK": {"S": keys.label_sk(lb.receipt_id, lb.line_id, lb.word_id, lb.label)},
        },
        UpdateExpression="SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(change))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={f":a{i}": {"S": v} for i, v in enumerate(change.values())},
    )
    stored = fake.contexts[read.ref].labels[0]
    update: dict[str, Any] = {k: ValidationStatus(v) if k == "validation_status" else v for k, v in change.items()}
    fake.contexts[read.ref].labels[0] = stored.model_copy(update=update)


@pytest.mark.parametrize("change", LABEL_CHANGES.values(), ids=LABEL_CHANGES.keys())
def test_label_writes_are_accepted_or_refused_alike(
    moto_store: DynamoReceiptRepository, change: dict[str, str] | None
) -> None:
    read, fake = _seeded(moto_store)
    if change:
        _change_label(moto_store, fake, read, change)
    judged = read.labels[0]
    verdict = Verdict(label=judged, status=ValidationStatus.INVALID, reasoning="test", validated_by="rule:test")
    outcomes = []
    for repo in (moto_store, fake):
        outcomes.append(
            (
                repo.touch_verified(judged, judged.validation_status),
                repo.apply_verdict(verdict, judged.validation_status),
            )
        )
    real, faked = outcomes
    assert real == faked
    assert real == ((True, True) if change is None else (False, False))


def test_a_label_read_as_a_persons_verdict_is_never_written_by_either(moto_store: DynamoReceiptRepository) -> None:
    """The status and `validated_by` read are what is stored, and it is a person's: both refuse the automatic write."""
    read, fake = _seeded(moto_store)
    _change_label(moto_store, fake, read, {"validated_by": "human:alice"})
    judged = read.labels[0].model_copy(update={"validated_by": "human:alice"})
    verdict = Verdict(label=judged, status=ValidationStatus.INVALID, reasoning="test", validated_by="rule:test")
    assert moto_store.apply_verdict(verdict, judged.validation_status) is False
    assert fake.apply_verdict(verdict, judged.validation_status) is False


@pytest.mark.parametrize("merchant_changed", [False, True])
def test_metadata_writes_are_accepted_or_refused_alike(
    moto_store: DynamoReceiptRepository, merchant_changed: bool
) -> None:
    read, fake = _seeded(moto_store)
    assert read.metadata is not None
    if merchant_changed:
        moto_store.client.update_item(
            TableName=moto_store.table_name,
            Key={"PK": {"S": keys.image_pk(read.ref.image_id)}, "SK": {"S": keys.metadata_sk(read.ref.receipt_id)}},
            UpdateExpression="SET merchant_name = :m",
            ExpressionAttributeValues={":m": {"S": "ANOTHER SHOP"}},
        )
        stored = fake.contexts[read.ref]
        assert stored.metadata is not None
        stored.metadata = stored.metadata.model_copy(update={"merchant_name": "ANOTHER SHOP"})
    verdict = MetadataVerdict(
        metadata=read.metadata, status=MetadataStatus.MATCHED, reasoning="test", validated_by="rule:test"
    )
    real, faked = moto_store.apply_metadata_verdict(verdict), fake.apply_metadata_verdict(verdict)
    assert real == faked == (not merchant_changed)
