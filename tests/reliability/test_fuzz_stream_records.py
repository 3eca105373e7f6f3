"""Fuzzing the stream Lambda with every shape a stream record can take, against a moto table holding one receipt.

Malformed records are skipped and counted, never raised and never reported in batchItemFailures (retrying them
cannot help and would block the shard). With DynamoDB and the rules working, no receipt fails, so the response must
always be empty; and every record is accounted for exactly once: malformed, ignored, or work on a receipt.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, metadata_fingerprint
from domain.labels import ALL_LABELS, LEGACY_ALIASES
from domain.model import ReceiptContext
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler
from stream_handlers.validation import ServiceValidation, use_validation
from tests.reliability.stream_io import invoke
from tests.reliability.table_state import assert_sound, label_keys_of, load_samples

_seq = itertools.count(10**20)

text = st.text(max_size=30) | st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=3000)
scalar = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | text
garbage = st.recursive(
    scalar, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4), max_leaves=12
)

dynamo_value = st.recursive(
    st.builds(lambda s: {"S": s}, text)
    | st.builds(lambda n: {"N": str(n)}, st.integers() | st.floats(allow_nan=False))
    | st.just({"NULL": True})
    | st.builds(lambda b: {"BOOL": b}, st.booleans())
    | st.builds(lambda b: {"B": b}, st.binary(max_size=20).map(lambda b: b.hex())),
    lambda inner: (
        st.builds(lambda m: {"M": m}, st.dictionaries(text, inner, max_size=4))
        | st.builds(lambda items: {"L": items}, st.lists(inner, max_size=4))
    ),
    max_leaves=10,
)
label_names = st.sampled_from([*ALL_LABELS, *LEGACY_ALIASES, "NOT_A_LABEL", "grand_total", "X" * 200])


def sequence_number() -> str:
    return str(next(_seq))


@st.composite
def keys_for(draw: st.DrawFn, image_ids: list[str]) -> dict[str, Any]:
    """Keys of the loaded receipt, of receipts that do not exist, or broken ones."""
    image = draw(st.sampled_from(image_ids) | st.uuids().map(str))
    receipt = draw(st.sampled_from([1, 2]) | st.integers(0, 99999))
    line, word = draw(st.integers(0, 99999)), draw(st.integers(0, 99999))
    sk = draw(
        st.sampled_from(
            [
                keys.label_sk(receipt, line, word, draw(label_names)) if draw(label_names).isupper() else "",
                keys.label_sk(receipt, min(line, 12), min(word, 6), draw(label_names)),
                keys.metadata_sk(receipt),
                keys.word_sk(receipt, line, word),
                keys.receipt_sk(receipt),
            ]
        )
        | text
    )
    pk = draw(st.just(keys.image_pk(image)) | st.sampled_from(["IMAGE#", "USER#1"]) | text)
    shape = draw(st.sampled_from(["ok", "ok", "ok", "number", "missing", "garbage"]))
    if shape == "number":
        return {"PK": {"N": "1"}, "SK": {"S": sk}}
    if shape == "missing":
        return {"PK": {"S": pk}}
    if shape == "garbage":
        return draw(garbage)
    return {"PK": {"S": pk}, "SK": {"S": sk}}


@st.composite
def records(draw: st.DrawFn, image_ids: list[str]) -> Any:
    if draw(st.integers(0, 20)) == 0:
        return draw(garbage)
    record_keys = draw(keys_for(image_ids))
    image: dict[str, Any] = {}
    if isinstance(record_keys, dict):
        image.update({k: v for k, v in record_keys.items() if isinstance(v, dict)})
    image["TYPE"] = draw(
        st.sampled_from([{"S": t} for t in (keys.TYPE_LABEL, keys.TYPE_METADATA, keys.TYPE_WORD)]) | dynamo_value
    )
    if draw(st.booleans()):
        image["validation_status"] = draw(
            st.sampled_from([{"S": "PENDING"}, {"S": "VALID"}, {"S": "pending"}, {"NULL": True}]) | dynamo_value
        )
    if draw(st.booleans()):
        image[FINGERPRINT_ATTRIBUTE] = draw(st.just({"S": metadata_fingerprint({})}) | dynamo_value)
    image.update(draw(st.dictionaries(text, dynamo_value, max_size=3)))
    body: dict[str, Any] = {
        "Keys": record_keys,
        "NewImage": draw(st.just(image) | garbage) if draw(st.integers(0, 9)) else draw(garbage),
        "SequenceNumber": sequence_number(),
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    for name in draw(st.sets(st.sampled_from(["Keys", "NewImage", "SequenceNumber"]), max_size=1)):
        del body[name]
    if draw(st.integers(0, 15)) == 0:
        body["SequenceNumber"] = draw(garbage)
    event = {
        "eventID": draw(text),
        "eventName": draw(st.sampled_from(["INSERT", "MODIFY", "REMOVE"]) | garbage),
        "eventSource": "aws:dynamodb",
        "dynamodb": body if draw(st.integers(0, 15)) else draw(garbage),
    }
    return event


@pytest.fixture
def loaded(table: DynamoReceiptRepository, rules_verifier: Any) -> tuple[DynamoReceiptRepository, list[ReceiptContext]]:
    contexts = load_samples(table, 1)
    use_validation(ServiceValidation(table, rules_verifier))
    return table, contexts


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_batch_is_handled_without_raising_or_failing_records(
    loaded: tuple[DynamoReceiptRepository, list[ReceiptContext]], data: st.DataObject
) -> None:
    store, contexts = loaded
    image_ids = [c.ref.image_id for c in contexts]
    batch = data.draw(st.lists(records(image_ids), min_size=1, max_size=12))

    response = invoke(batch)

    assert response == {"batchItemFailures": []}
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.records == len(batch)
    work = sum(o.records for o in summary.receipts)
    assert summary.malformed + sum(summary.ignored.values()) + work == len(batch)
    assert summary.failed_receipts == 0 and summary.totals()["errors"] == 0
    assert_sound(store, label_keys_of(contexts))


def _label_record(image_id: str) -> dict[str, Any]:
    k = keys.label_keys(image_id, 1, 1, 1, "MERCHANT_NAME", "PENDING")
    return {
        "eventID": "e1",
        "eventName": "INSERT",
        "eventSource": "aws:dynamodb",
        "dynamodb": {
            "Keys": {"PK": {"S": k["PK"]}, "SK": {"S": k["SK"]}},
            "NewImage": {name: {"S": v} for name, v in k.items()} | {"validation_status": {"S": "PENDING"}},
            "SequenceNumber": sequence_number(),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


@pytest.mark.parametrize("event_name", [[], {}, ["INSERT"]])
def test_an_unhashable_event_name_is_malformed_not_a_function_error(
    loaded: tuple[DynamoReceiptRepository, list[ReceiptContext]], event_name: Any
) -> None:
    """Found by the fuzz test: `event_name not in KNOWN_EVENTS` hashes the value, so a list raised TypeError out of
    plan_batch and failed the whole batch (Lambda would retry and bisect the good records with it)."""
    _, contexts = loaded
    good, bad = _label_record(contexts[0].ref.image_id), _label_record(contexts[0].ref.image_id)
    bad["eventName"] = event_name

    assert invoke([good, bad]) == {"batchItemFailures": []}
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.malformed == 1 and len(summary.receipts) == 1


@pytest.mark.parametrize("sequence", [[], {}, ["1"]])
def test_an_unhashable_sequence_number_is_malformed_not_a_reported_failure(
    loaded: tuple[DynamoReceiptRepository, list[ReceiptContext]], sequence: Any
) -> None:
    """Found by the fuzz test: the record handler looks the record's SequenceNumber up in a dict, so a list raised
    TypeError there and BatchProcessor reported `{"itemIdentifier": []}`, an identifier Lambda cannot honour."""
    _, contexts = loaded
    good, bad = _label_record(contexts[0].ref.image_id), _label_record(contexts[0].ref.image_id)
    bad["dynamodb"]["SequenceNumber"] = sequence

    assert invoke([good, bad]) == {"batchItemFailures": []}
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.malformed == 1
