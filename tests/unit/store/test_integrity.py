"""Integrity of the validator's writes, through the real store on moto and on DynamoDB Local (`store` fixture).

A person or the pipeline writing between the validator's read and its write must win: the write is refused (a lost
race, benign) and what they wrote stays. The concurrent writer is simulated by a store whose `load_receipt` runs a
raw UpdateItem right after the real read, i.e. exactly in the window between read and conditional write.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from domain import keys
from domain.bundles import context_from_bundle
from domain.cove.verifier import CoveResult
from domain.fingerprint import FINGERPRINT_ATTRIBUTE, metadata_fingerprint
from domain.model import MetadataStatus, MetadataVerdict, ReceiptContext, ReceiptRef, ValidationStatus, Verdict
from domain.service import validate_metadata, validate_receipt
from domain.store.conditions import LABEL_OWNED, METADATA_OWNED, NotOwned, owned_update
from domain.store.repository import DynamoReceiptRepository
from tests.fakes.receipts import IMAGE, sample_bundle
from tests.table_reads import raw_item

REF = ReceiptRef(image_id=IMAGE, receipt_id=1)
LABEL_SK = "RECEIPT#00001#LINE#00001#WORD#00001#LABEL#MERCHANT_NAME"
DECIDED_SK = "RECEIPT#00001#LINE#00001#WORD#00002#LABEL#MERCHANT_NAME"  # VALID in the bundle
METADATA_SK = "RECEIPT#00001#METADATA"


class Decides:
    """A verifier that gives every claim the same verdict (the store, not the verifier, is under test)."""

    def __init__(self, status: ValidationStatus):
        self.status = status

    def verify(self, context: ReceiptContext, claims: list[Any]) -> CoveResult:
        return CoveResult(
            [Verdict(label=c, status=self.status, reasoning="test", validated_by="rule:test") for c in claims]
        )


class Interleaved:
    """The real store, except that someone else writes right after each read."""

    def __init__(self, store: DynamoReceiptRepository, meanwhile: Callable[[], None]):
        self.store, self.meanwhile = store, meanwhile

    def load_receipt(self, ref: ReceiptRef) -> ReceiptContext | None:
        context = self.store.load_receipt(ref)
        self.meanwhile()
        return context

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


def _update(store: DynamoReceiptRepository, sk: str, values: dict[str, str]) -> None:
    names = {f"#a{i}": k for i, k in enumerate(values)}
    store.client.update_item(
        TableName=store.table_name,
        Key={"PK": {"S": keys.image_pk(IMAGE)}, "SK": {"S": sk}},
        UpdateExpression="SET " + ", ".join(f"#a{i} = :a{i}" for i in range(len(values))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues={f":a{i}": {"S": v} for i, v in enumerate(values.values())},
    )


def _machine_validated(store: DynamoReceiptRepository) -> None:
    store.write_contexts([context_from_bundle(sample_bundle())])
    _update(store, DECIDED_SK, {"validated_by": "rule:amounts", "validated_at": "2026-01-01T00:00:00+00:00"})


@pytest.mark.parametrize("machine_says", [ValidationStatus.INVALID, ValidationStatus.VALID])
def test_a_persons_verdict_with_equal_status_survives_a_concurrent_reverify(store, machine_says) -> None:
    """The person confirms VALID (status unchanged) while reverify runs: neither its INVALID nor its touch lands."""
    _machine_validated(store)
    person = {"validation_status": "VALID", "validated_by": "human:alice", "reasoning": "checked the photo"}
    racing = Interleaved(store, lambda: _update(store, DECIDED_SK, person))

    report = validate_receipt(racing, REF, mode="reverify", verifier=Decides(machine_says))

    assert report.labels_seen == 1 and report.lost_races == 1 and report.writes == 0 and report.errors == 0
    item = raw_item(store, DECIDED_SK)
    assert {k: item[k]["S"] for k in person} == person
    assert "last_verified_at" not in item


def test_a_persons_verdict_is_never_claimed_in_any_mode(store) -> None:
    store.write_contexts([context_from_bundle(sample_bundle())])
    _update(store, DECIDED_SK, {"validated_by": "human:bob"})
    _update(store, LABEL_SK, {"validated_by": "human:bob"})  # PENDING, but a person's: not the validator's to decide
    for mode in ("pending", "reverify"):
        report = validate_receipt(store, REF, mode=mode, verifier=Decides(ValidationStatus.INVALID))
        assert all(v.label.validated_by != "human:bob" for v in report.verdicts)
    assert raw_item(store, DECIDED_SK)["validation_status"]["S"] == "VALID"
    assert raw_item(store, LABEL_SK)["validation_status"]["S"] == "PENDING"


def test_the_store_refuses_a_verdict_over_a_person_even_when_everything_read_matches(store) -> None:
    """Belt and braces: a caller that read the person's verdict and still tries is refused by the condition."""
    store.write_contexts([context_from_bundle(sample_bundle())])
    _update(store, DECIDED_SK, {"validated_by": "human:carol"})
    label = next(lb for lb in store.load_receipt(REF).labels if lb.validated_by == "human:carol")
    verdict = Verdict(label=label, status=ValidationStatus.INVALID, reasoning="x", validated_by="rule:test")
    assert store.apply_verdict(verdict, ValidationStatus.VALID) is False
    assert store.touch_verified(label, ValidationStatus.VALID) is False
    assert raw_item(store, DECIDED_SK)["validation_status"]["S"] == "VALID"


def test_a_re_proposed_label_survives_a_stale_verdict(store) -> None:
    store.write_contexts([context_from_bundle(sample_bundle())])
    proposal = {"label_proposed_by": "ocr-labeler-v2", "timestamp_added": "2026-11-29T12:00:00+00:00"}
    racing = Interleaved(store, lambda: _update(store, LABEL_SK, proposal))

    report = validate_receipt(racing, REF, mode="pending", verifier=Decides(ValidationStatus.INVALID))

    assert report.lost_races == 1 and report.writes == 1  # the other PENDING label was decided
    item = raw_item(store, LABEL_SK)
    assert item["validation_status"]["S"] == "PENDING" and "validated_by" not in item
    assert {k: item[k]["S"] for k in proposal} == proposal


def test_a_verdict_lands_when_nothing_changed(store) -> None:
    store.write_contexts([context_from_bundle(sample_bundle())])
    report = validate_receipt(store, REF, mode="pending", verifier=Decides(ValidationStatus.VALID))
    assert report.writes == 2 and report.lost_races == 0
    item = raw_item(store, LABEL_SK)
    assert item["validation_status"]["S"] == "VALID" and item["validated_by"]["S"] == "rule:test"
    assert item["GSI3PK"]["S"] == "VALIDATION_STATUS#VALID"


def test_metadata_edited_between_read_and_write_keeps_the_edit(store) -> None:
    store.write_contexts([context_from_bundle(sample_bundle())])
    racing = Interleaved(store, lambda: _update(store, METADATA_SK, {"merchant_name": "Trader Joe's Market"}))

    report = validate_metadata(racing, REF)

    assert report.metadata_seen == 1 and report.lost_races == 1 and report.writes == 0
    item = raw_item(store, METADATA_SK)
    assert item["merchant_name"]["S"] == "Trader Joe's Market"
    assert "validation_status" not in item and FINGERPRINT_ATTRIBUTE not in item


@pytest.mark.parametrize("field", ["address", "phone_number", "place_id"])
def test_metadata_verdict_is_tied_to_every_judged_value(store, field: str) -> None:
    store.write_contexts([context_from_bundle(sample_bundle())])
    racing = Interleaved(store, lambda: _update(store, METADATA_SK, {field: "changed"}))
    assert validate_metadata(racing, REF).lost_races == 1
    assert "validation_status" not in raw_item(store, METADATA_SK)


def test_metadata_verdict_carries_the_fingerprint_of_what_it_judged(store) -> None:
    bundle = sample_bundle()
    store.write_contexts([context_from_bundle(bundle)])
    _update(store, METADATA_SK, {keys.LEGACY_MARKER_ATTRIBUTE: "receipt-validator"})  # left by an earlier version
    assert validate_metadata(store, REF).writes == 1
    item = raw_item(store, METADATA_SK)
    assert item[FINGERPRINT_ATTRIBUTE]["S"] == metadata_fingerprint(bundle["metadata"])
    assert keys.LEGACY_MARKER_ATTRIBUTE not in item


# ---- what the validator may write, declared once and enforced -------------------------------------------------


def _named_attributes(params: dict[str, Any]) -> set[str]:
    """Every attribute an UpdateExpression names: placeholders resolved, bare names taken as written."""
    names = params.get("ExpressionAttributeNames", {})
    out = set()
    for token in re.findall(r"[#:]?[A-Za-z_][A-Za-z0-9_]*", params["UpdateExpression"]):
        if token.startswith(":") or token.upper() in {"SET", "REMOVE", "ADD", "DELETE", "IF_NOT_EXISTS", "LIST_APPEND"}:
            continue
        out.add(names[token] if token.startswith("#") else token)
    return out


def test_every_write_names_only_attributes_the_validator_owns(store) -> None:
    """Runs every automatic write path through the real client and reads back each UpdateItem it sent."""
    _machine_validated(store)
    sent: list[dict[str, Any]] = []
    store.client.meta.events.register(
        "provide-client-params.dynamodb.UpdateItem", lambda params, **_: sent.append(params)
    )
    validate_receipt(store, REF, mode="pending", verifier=Decides(ValidationStatus.INVALID))  # apply_verdict
    validate_receipt(store, REF, mode="reverify", verifier=Decides(ValidationStatus.INVALID))  # 2 touches + 1 apply
    validate_metadata(store, REF)  # verdict, fingerprint, REMOVE of marker and matched_fields
    context = store.load_receipt(REF)
    assert context is not None and context.metadata is not None
    with_places = MetadataVerdict(
        metadata=context.metadata,
        status=MetadataStatus.MATCHED,
        matched_fields=["merchant_name"],
        reasoning="places",
        validated_by="rule:metadata+places",
        canonical={"place_id": "ChIJ1", "address": "1 Main"},
    )
    assert store.apply_metadata_verdict(with_places)
    touched = [p for p in sent if p["Key"]["SK"]["S"] != METADATA_SK]
    assert len(touched) == 5 and len(sent) == 7
    for params in sent:
        owner = METADATA_OWNED if params["Key"]["SK"]["S"].endswith("#METADATA") else LABEL_OWNED
        named = _named_attributes(params)
        assert named and all(owner.owns(n) for n in named), named - {n for n in named if owner.owns(n)}


@pytest.mark.parametrize(
    ("owner", "attribute"),
    [(LABEL_OWNED, "label_proposed_by"), (LABEL_OWNED, "timestamp_added"), (METADATA_OWNED, "merchant_name")],
)
def test_a_write_naming_another_attribute_is_refused_before_it_is_sent(owner, attribute) -> None:
    with pytest.raises(NotOwned):
        owned_update(owner, sets={attribute: "x"})
    with pytest.raises(NotOwned):
        owned_update(owner, sets={"reasoning": "x"}, removes=[attribute])


# ---- unreadable items -------------------------------------------------------------------------------------------


def _poison(store: DynamoReceiptRepository) -> None:
    """A label with a status in lower case, a word whose text is a number, metadata with an unknown status."""
    _update(store, LABEL_SK, {"validation_status": "pending"})
    store.client.update_item(
        TableName=store.table_name,
        Key={"PK": {"S": keys.image_pk(IMAGE)}, "SK": {"S": "RECEIPT#00001#LINE#00003#WORD#00004"}},
        UpdateExpression="SET #t = :n",
        ExpressionAttributeNames={"#t": "text"},
        ExpressionAttributeValues={":n": {"N": "7"}},
    )
    _update(store, METADATA_SK, {"validation_status": "MAYBE"})


def test_a_receipt_with_poison_items_gets_its_other_labels_decided(store) -> None:
    store.write_contexts([context_from_bundle(sample_bundle(words=4))])
    _poison(store)

    context = store.load_receipt(REF)
    assert context is not None and len(context.skipped) == 3 and context.metadata is None
    report = validate_receipt(store, REF, mode="pending", verifier=Decides(ValidationStatus.VALID))

    assert report.errors == 0 and report.skipped_items == 3
    assert report.labels_seen == 1 and report.writes == 1  # GRAND_TOTAL decided
    grand_total = raw_item(store, "RECEIPT#00001#LINE#00002#WORD#00001#LABEL#GRAND_TOTAL")
    assert grand_total["validation_status"]["S"] == "VALID"
    assert raw_item(store, LABEL_SK)["validation_status"]["S"] == "pending"  # left exactly as it was
    metadata = validate_metadata(store, REF)
    assert metadata.errors == 0 and metadata.skipped_items == 3 and metadata.writes == 0
    assert report.counters()["skipped_items"] == 3
