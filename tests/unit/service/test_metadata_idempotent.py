"""Validating metadata twice writes once: a replayed stream record or a repeated sweep changes nothing."""

from __future__ import annotations

from domain.bundles import context_from_bundle
from domain.fingerprint import metadata_fingerprint
from domain.service import validate_metadata
from tests.fakes.receipts import IMAGE, sample_bundle
from tests.table_reads import raw_item


def test_second_metadata_validation_writes_nothing(moto_store):
    context = context_from_bundle(sample_bundle())
    moto_store.write_contexts([context])
    first = validate_metadata(moto_store, context.ref)
    assert first.writes == 1 and first.errors == 0
    after_first = raw_item(moto_store, "RECEIPT#00001#METADATA", IMAGE)
    assert after_first["validated_fingerprint"] == {"S": metadata_fingerprint(context.metadata.model_dump())}

    second = validate_metadata(moto_store, context.ref)
    assert second.writes == 0 and second.unchanged == 1
    assert raw_item(moto_store, "RECEIPT#00001#METADATA", IMAGE) == after_first


def test_changed_metadata_is_written_again(moto_store):
    context = context_from_bundle(sample_bundle())
    moto_store.write_contexts([context])
    validate_metadata(moto_store, context.ref)
    moto_store.client.update_item(
        TableName=moto_store.table_name,
        Key={"PK": {"S": f"IMAGE#{IMAGE}"}, "SK": {"S": "RECEIPT#00001#METADATA"}},
        UpdateExpression="SET phone_number = :p",
        ExpressionAttributeValues={":p": {"S": "(212) 555-9999"}},
    )
    again = validate_metadata(moto_store, context.ref)
    assert again.writes == 1 and again.unchanged == 0
