"""Key formats of CONTRACT §1, both ways."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain import keys
from domain.labels import ALL_LABELS

ids = st.integers(min_value=0, max_value=99999)
images = st.uuids().map(str)


@settings(deadline=None)  # no timed tests: a loaded CI machine is not a failure
@given(images, ids, ids, ids, st.sampled_from(ALL_LABELS))
def test_label_keys_round_trip(image_id, r, ln, w, label):
    k = keys.label_keys(image_id, r, ln, w, label, "PENDING")
    parsed = keys.parse_keys(k["PK"], k["SK"])
    assert parsed == keys.ParsedKey(keys.TYPE_LABEL, image_id, r, ln, w, label)
    assert keys.parse_gsi3sk(k["GSI3SK"]) == parsed
    assert len(k["GSI1PK"]) == 40 and k["GSI1PK"].startswith(f"LABEL#{label}")


@settings(deadline=None)
@given(images, ids)
def test_receipt_and_metadata_keys_round_trip(image_id, r):
    rk = keys.receipt_keys(image_id, r)
    assert keys.parse_keys(rk["PK"], rk["SK"]).kind == keys.TYPE_RECEIPT
    mk = keys.metadata_keys(image_id, r, "Trader Joe's", None)
    assert keys.parse_keys(mk["PK"], mk["SK"]) == keys.ParsedKey(keys.TYPE_METADATA, image_id, r)
    assert "GSI2PK" not in mk


@pytest.mark.parametrize(
    ("sk", "kind"),
    [
        ("RECEIPT#00001", keys.TYPE_RECEIPT),
        ("RECEIPT#00001#LINE#00003", keys.TYPE_LINE),
        ("RECEIPT#00001#LINE#00003#WORD#00002", keys.TYPE_WORD),
        ("RECEIPT#00001#LINE#00003#WORD#00002#LABEL#GRAND_TOTAL", keys.TYPE_LABEL),
        ("RECEIPT#00001#METADATA", keys.TYPE_METADATA),
    ],
)
def test_parse_contract_examples(sk, kind):
    assert keys.parse_keys("IMAGE#abc", sk).kind == kind


@pytest.mark.parametrize(
    ("pk", "sk"),
    [
        ("IMAGE#", "RECEIPT#00001"),
        ("RECEIPT#1", "RECEIPT#00001"),
        ("IMAGE#a", "RECEIPT#1"),
        ("IMAGE#a", "RECEIPT#00001#LINE#3"),
        ("IMAGE#a", "RECEIPT#00001#LINE#00003#WORD#00002#LABEL#"),
        ("IMAGE#a", "RECEIPT#00001#LINE#00003#WORD#00002#LABEL#grand total"),
        ("IMAGE#a", "RECEIPT#00001#SOMETHING"),
    ],
)
def test_parse_rejects_malformed(pk, sk):
    with pytest.raises(keys.KeyFormatError):
        keys.parse_keys(pk, sk)


def test_pad_rejects_out_of_range():
    with pytest.raises(ValueError):
        keys.pad(100000)
    with pytest.raises(ValueError):
        keys.pad(-1)


def test_merchant_gsi1pk():
    assert keys.merchant_gsi1pk("Trader Joe's Market") == "MERCHANT#TRADER_JOE'S_MARKET"
