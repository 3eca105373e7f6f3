"""The store against moto and DynamoDB Local (same tests, parametrized by backend)."""

from __future__ import annotations

import uuid

from domain import keys
from domain.bundles import context_from_bundle, context_to_bundle
from domain.model import ReceiptRef, ValidationStatus, Verdict
from domain.store.repository import receipt_cursor
from tests.call_counter import CallCounter
from tests.fakes.receipts import IMAGE, sample_bundle
from tests.table_reads import raw_item


def test_raw_items_match_contract(store):
    store.write_contexts([context_from_bundle(sample_bundle())])
    receipt = raw_item(store, "RECEIPT#00001")
    assert receipt["TYPE"] == {"S": "RECEIPT"}
    assert receipt["GSI2PK"] == {"S": "RECEIPT"}
    assert receipt["GSI2SK"] == {"S": f"IMAGE#{IMAGE}#RECEIPT#00001"}

    word = raw_item(store, "RECEIPT#00001#LINE#00001#WORD#00001")
    assert word["TYPE"] == {"S": "RECEIPT_WORD"}
    assert word["text"] == {"S": "TRADER"}
    assert word["bounding_box"] == {
        "M": {"x": {"N": "0.21"}, "y": {"N": "0.93"}, "width": {"N": "0.18"}, "height": {"N": "0.02"}}
    }
    assert raw_item(store, "RECEIPT#00001#LINE#00001#WORD#00002")["confidence"] == {"N": "0.97"}

    line = raw_item(store, "RECEIPT#00001#LINE#00002")
    assert line["TYPE"] == {"S": "RECEIPT_LINE"} and line["text"] == {"S": "13.39"}

    label = raw_item(store, "RECEIPT#00001#LINE#00002#WORD#00001#LABEL#GRAND_TOTAL")
    word_path = f"IMAGE#{IMAGE}#RECEIPT#00001#LINE#00002#WORD#00001"
    assert label["TYPE"] == {"S": "RECEIPT_WORD_LABEL"}
    assert label["GSI1PK"] == {"S": "LABEL#GRAND_TOTAL" + "_" * (40 - len("LABEL#GRAND_TOTAL"))}
    assert len(label["GSI1PK"]["S"]) == 40
    assert label["GSI1SK"] == {"S": word_path}
    assert label["GSI2PK"] == {"S": "RECEIPT"} and label["GSI2SK"] == {"S": word_path}
    assert label["GSI3PK"] == {"S": "VALIDATION_STATUS#PENDING"}
    assert label["GSI3SK"] == {"S": f"{word_path}#LABEL#GRAND_TOTAL"}
    assert label["validation_status"] == {"S": "PENDING"}
    assert label["reasoning"] == {"NULL": True}
    assert label["label_proposed_by"] == {"NULL": True}
    assert label["label_consolidated_from"] == {"NULL": True}
    assert "S" in label["timestamp_added"]
    merchant = raw_item(store, "RECEIPT#00001#LINE#00001#WORD#00001#LABEL#MERCHANT_NAME")
    assert merchant["label_proposed_by"] == {"S": "ocr-labeler"}

    meta = raw_item(store, "RECEIPT#00001#METADATA")
    assert meta["TYPE"] == {"S": "RECEIPT_METADATA"}
    assert meta["GSI1PK"] == {"S": "MERCHANT#TRADER_JOE'S"}
    assert meta["GSI1SK"] == {"S": f"IMAGE#{IMAGE}#RECEIPT#00001#METADATA"}
    assert meta["GSI2PK"] == {"S": "PLACE#ChIJabc"}
    assert meta["phone_number"] == {"S": "(805) 555-0100"}


def test_bundle_table_export_round_trip_is_lossless(store):
    bundle = sample_bundle()
    context = context_from_bundle(bundle)
    store.write_contexts([context])
    loaded = store.load_receipt(context.ref)
    exported = context_to_bundle(loaded)
    assert exported["words"] == sorted(bundle["words"], key=lambda w: (w["line_id"], w["word_id"]))
    want_labels = {(lb["line_id"], lb["word_id"], lb["label"]): lb for lb in bundle["labels"]}
    got_labels = {(lb["line_id"], lb["word_id"], lb["label"]): lb for lb in exported["labels"]}
    assert set(got_labels) == set(want_labels)
    for key, want in want_labels.items():
        for field, value in want.items():
            assert got_labels[key][field] == value, (key, field)
    for field, value in bundle["metadata"].items():
        assert exported["metadata"][field] == value
    # and the export re-imports to the same receipt
    again = context_from_bundle(exported)
    assert again.words == loaded.words and again.labels == loaded.labels and again.metadata == loaded.metadata


def test_load_receipt_is_one_query_per_page(store):
    big = sample_bundle(words=3)
    big["words"] += [{"line_id": 4 + i // 50, "word_id": 1 + i % 50, "text": "x" * 600} for i in range(2200)]
    store.write_contexts([context_from_bundle(big)])
    counter = CallCounter(store.client)
    context = store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1))
    assert len(context.words) == 2203
    assert set(counter.calls) == {"Query"}
    assert counter.pages_with_more["Query"] >= 1, "receipt should span pages for this test to mean anything"
    assert counter.calls["Query"] == counter.pages_with_more["Query"] + 1


def test_load_receipt_does_not_mix_neighbouring_receipts(store):
    store.write_contexts(
        [context_from_bundle(sample_bundle(receipt_id=1)), context_from_bundle(sample_bundle(receipt_id=2))]
    )
    ctx = store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=2))
    assert {w.receipt_id for w in ctx.words} == {2}
    assert store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=3)) is None


def test_pending_listing_uses_gsi3_without_scan_and_groups_by_receipt(store):
    other = str(uuid.UUID(int=5, version=4))
    store.write_contexts(
        [context_from_bundle(sample_bundle(receipt_id=r)) for r in (1, 2)]
        + [context_from_bundle(sample_bundle(other, 7))]
    )
    counter = CallCounter(store.client)
    found = list(store.receipts_with_status(ValidationStatus.PENDING, page_size=2))
    assert "Scan" not in counter.calls
    assert set(counter.calls) == {"Query"}
    assert all(params.get("IndexName") == "GSI3" for _, params in counter.requests)
    assert sorted((p.ref.image_id, p.ref.receipt_id, p.label_count) for p in found) == sorted(
        [(IMAGE, 1, 2), (IMAGE, 2, 2), (other, 7, 2)]
    )
    # resuming after the first receipt lists only the later ones
    rest = list(store.receipts_with_status(ValidationStatus.PENDING, after=found[0].cursor))
    assert [p.ref for p in rest] == [p.ref for p in found[1:]]


def test_verdict_keeps_attributes_the_validator_does_not_own(store):
    store.write_contexts([context_from_bundle(sample_bundle())])
    sk = keys.label_sk(1, 2, 1, "GRAND_TOTAL")
    store.client.update_item(
        TableName=store.table_name,
        Key={"PK": {"S": f"IMAGE#{IMAGE}"}, "SK": {"S": sk}},
        UpdateExpression="SET pipeline_run = :p, extra_scores = :e",
        ExpressionAttributeValues={":p": {"S": "run-42"}, ":e": {"L": [{"N": "0.5"}, {"S": "x"}]}},
    )
    before = raw_item(store, sk)
    label = next(
        lb for lb in store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1)).labels if lb.label == "GRAND_TOTAL"
    )
    verdict = Verdict(label=label, status=ValidationStatus.VALID, reasoning="sums match", validated_by="rule:test")
    assert store.apply_verdict(verdict, ValidationStatus.PENDING) is True
    after = raw_item(store, sk)
    for attr in (
        "pipeline_run",
        "extra_scores",
        "timestamp_added",
        "label_proposed_by",
        "label_consolidated_from",
        "GSI1PK",
        "GSI1SK",
        "GSI2PK",
        "GSI2SK",
        "TYPE",
    ):
        assert after[attr] == before[attr], attr
    assert after["validation_status"] == {"S": "VALID"}
    assert after["GSI3PK"] == {"S": "VALIDATION_STATUS#VALID"}
    assert after["validated_by"] == {"S": "rule:test"}
    assert after["reasoning"] == {"S": "sums match"}


def test_verdict_loses_race_benignly_when_status_changed(store):
    store.write_contexts([context_from_bundle(sample_bundle())])
    label = next(
        lb for lb in store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1)).labels if lb.label == "GRAND_TOTAL"
    )
    sk = keys.label_sk(1, 2, 1, "GRAND_TOTAL")
    store.client.update_item(
        TableName=store.table_name,
        Key={"PK": {"S": f"IMAGE#{IMAGE}"}, "SK": {"S": sk}},
        UpdateExpression="SET validation_status = :s, validated_by = :h",
        ExpressionAttributeValues={":s": {"S": "INVALID"}, ":h": {"S": "human:ana"}},
    )
    verdict = Verdict(label=label, status=ValidationStatus.VALID, reasoning="r", validated_by="rule:test")
    assert store.apply_verdict(verdict, ValidationStatus.PENDING) is False
    after = raw_item(store, sk)
    assert after["validation_status"] == {"S": "INVALID"} and after["validated_by"] == {"S": "human:ana"}


def test_verdict_on_deleted_label_creates_nothing(store):
    store.write_contexts([context_from_bundle(sample_bundle())])
    label = store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1)).labels[0]
    store.client.delete_item(
        TableName=store.table_name,
        Key={"PK": {"S": f"IMAGE#{IMAGE}"}, "SK": {"S": keys.label_sk(1, label.line_id, label.word_id, label.label)}},
    )
    verdict = Verdict(label=label, status=ValidationStatus.VALID, reasoning="r", validated_by="rule:test")
    assert store.apply_verdict(verdict, ValidationStatus.PENDING) is False
    labels = store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1)).labels
    assert label.claim_id not in {lb.claim_id for lb in labels}


def test_status_counts_and_entity_listing(store):
    store.write_contexts([context_from_bundle(sample_bundle(receipt_id=r)) for r in (1, 2, 3)])
    counts = store.label_status_counts()
    assert counts == {"MERCHANT_NAME": {"PENDING": 3, "VALID": 3}, "GRAND_TOTAL": {"PENDING": 3}}
    assert sorted(r.receipt_id for r in store.iter_receipt_refs(keys.TYPE_METADATA)) == [1, 2, 3]
    pages = list(store.iter_entities(keys.TYPE_RECEIPT, page_size=2))
    assert len(pages) == 3
    resumed = list(store.iter_entities(keys.TYPE_RECEIPT, start=pages[1][1], page_size=2))
    assert len(resumed) == 1


def test_receipt_cursor_sorts_between_receipts():
    ref = ReceiptRef(image_id=IMAGE, receipt_id=1)
    cur = receipt_cursor(ref)
    assert keys.label_gsi3(IMAGE, 1, 99999, 99999, "ZZZ", "PENDING")["GSI3SK"] < cur
    assert cur < keys.label_gsi3(IMAGE, 2, 1, 1, "DATE", "PENDING")["GSI3SK"]
