"""Validating metadata twice writes once: a replayed stream record or a repeated sweep changes nothing."""

from __future__ import annotations

from domain.bundles import context_from_bundle
from domain.fingerprint import metadata_fingerprint
from domain.service import validate_metadata
from tests.unit.store.test_store import IMG, _bundle, _raw


def test_second_metadata_validation_writes_nothing(moto_store):
    context = context_from_bundle(_bundle())
    moto_store.write_contexts([context])
    first = validate_metadata(moto_store, context.ref)
    assert first.writes == 1 and first.errors == 0
    after_first = _raw(moto_store, "RECEIPT#00001#METADATA", IMG)
    assert after_first["validated_fingerprint"] == {"S": metadata_fingerprint(context.metadata.model_dump())}

    second = validate_metadata(moto_store, context.ref)
    assert second.writes == 0 and second.unchanged == 1
    assert _raw(moto_store, "RECEIPT#00001#METADATA", IMG) == after_first


def test_changed_metadata_is_written_again(moto_store):
    context = context_from_bundle(_bundle())
    moto_store.write_contexts([context])
    validate_metadata(moto_store, context.ref)
    moto_store.client.update_item(
        TableName=moto_store.table_name,
        Key={"PK": {"S": f"IMAGE#{IMG}"}, "SK": {"S": "RECEIPT#00001#METADATA"}},
        UpdateExpression="SET phone_number = :p",
        ExpressionAttributeValues={":p": {"S": "(212) 555-9999"}},
    )
    again = validate_metadata(moto_store, context.ref)
    assert again.writes == 1 and again.unchanged == 0
