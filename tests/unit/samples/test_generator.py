"""The synthetic receipt generator: valid bundles, consistent arithmetic, full label coverage, and wrong labels
that are really wrong, in the requested share."""

from __future__ import annotations

import json
import statistics
import uuid
from collections import Counter
from decimal import Decimal

import pytest

from domain.bundles import parse_bundle_lines
from domain.labels import ALL_LABELS, AMOUNT_LABELS, canonical_label
from samples import GeneratedReceipt, generate_receipts, write_bundles
from samples.__main__ import main as samples_main
from samples.catalogue import LOCALES
from samples.errors import ERROR_KINDS
from samples.formats import MoneyStyle, money, parse_amount, parse_quantity, render_amount

N = 300


@pytest.fixture(scope="module")
def receipts() -> list[GeneratedReceipt]:
    return generate_receipts(N, seed=7, wrong_share=0.2)


def _words(r: GeneratedReceipt) -> dict[tuple[int, int], dict]:
    return {(w["line_id"], w["word_id"]): w for w in r.bundle["words"]}


def _amount(r: GeneratedReceipt, pos: list[int] | None) -> Decimal:
    assert pos is not None
    style = MoneyStyle.from_dict(r.facts["money_style"])
    return parse_amount(_words(r)[tuple(pos)]["text"], style)


# -- determinism ----------------------------------------------------------------------------------------------


def test_same_seed_gives_same_receipts_and_other_seed_does_not() -> None:
    a = generate_receipts(25, seed=11)
    b = generate_receipts(25, seed=11)
    c = generate_receipts(25, seed=12)
    assert [r.bundle for r in a] == [r.bundle for r in b]
    assert [r.truth for r in a] == [r.truth for r in b]
    assert [r.bundle for r in a] != [r.bundle for r in c]


def test_generation_does_not_touch_the_global_rng() -> None:
    import random

    random.seed(1)
    expected = random.random()
    random.seed(1)
    generate_receipts(5, seed=3)
    assert random.random() == expected


# -- the bundle contract (CONTRACT §2) ------------------------------------------------------------------------


def test_every_bundle_follows_the_import_format(receipts: list[GeneratedReceipt]) -> None:
    ids = set()
    for i, r in enumerate(receipts):
        b = r.bundle
        json.dumps(b)
        assert set(b) <= {"image_id", "receipt_id", "words", "labels", "metadata"}
        assert uuid.UUID(b["image_id"]).version == 4
        assert b["receipt_id"] == i + 1
        ids.add(b["image_id"])
        words = _words(r)
        assert len(words) == len(b["words"]), "duplicate word ids"
        line_ids = sorted({lid for lid, _ in words})
        assert line_ids == list(range(1, len(line_ids) + 1))
        for lid in line_ids:
            wids = sorted(wid for l2, wid in words if l2 == lid)
            assert wids == list(range(1, len(wids) + 1))
        for w in b["words"]:
            assert set(w) <= {"line_id", "word_id", "text", "bounding_box"}
            assert w["text"] and " " not in w["text"]
        seen = set()
        for lb in b["labels"]:
            assert set(lb) == {"line_id", "word_id", "label", "validation_status", "label_proposed_by"}
            assert lb["label"] in ALL_LABELS and canonical_label(lb["label"]) == lb["label"]
            assert (lb["line_id"], lb["word_id"]) in words, "label on a missing word"
            assert lb["validation_status"] == "PENDING"
            assert lb["label_proposed_by"] == "sample-generator"
            key = (lb["line_id"], lb["word_id"], lb["label"])
            assert key not in seen
            seen.add(key)
        if "metadata" in b:
            assert set(b["metadata"]) <= {"merchant_name", "address", "phone_number", "place_id", "merchant_category"}
            assert b["metadata"]["merchant_name"]
    assert len(ids) == len(receipts)


def test_the_project_importer_accepts_every_bundle(receipts: list[GeneratedReceipt]) -> None:
    parsed = parse_bundle_lines(json.dumps(r.bundle) for r in receipts)
    assert len(parsed.contexts) == len(receipts) and parsed.notes == []


def test_start_receipt_id_is_honoured() -> None:
    assert [r.bundle["receipt_id"] for r in generate_receipts(3, start_receipt_id=40)] == [40, 41, 42]


def test_geometry_is_normalized_and_lines_share_y(receipts: list[GeneratedReceipt]) -> None:
    without = 0
    for r in receipts:
        boxes = [w.get("bounding_box") for w in r.bundle["words"]]
        if all(b is None for b in boxes):
            without += 1
            continue
        assert all(b is not None for b in boxes)
        ys: dict[int, set[float]] = {}
        for w in r.bundle["words"]:
            box = w["bounding_box"]
            assert set(box) == {"x", "y", "width", "height"}
            assert 0 <= box["x"] <= 1 and 0 <= box["y"] <= 1 and box["width"] > 0 and box["height"] > 0
            assert box["x"] + box["width"] <= 1.0 + 1e-9 and box["y"] + box["height"] <= 1.0
            ys.setdefault(w["line_id"], set()).add(box["y"])
        assert all(len(v) == 1 for v in ys.values()), "words of a line share y"
        tops = [next(iter(ys[lid])) for lid in sorted(ys)]
        assert tops == sorted(tops, reverse=True), "line 1 is at the top (largest y)"
    assert 0.05 * N <= without <= 0.3 * N


def test_receipt_sizes_are_typical_with_some_long_ones(receipts: list[GeneratedReceipt]) -> None:
    words = [len(r.bundle["words"]) for r in receipts]
    labels = [len(r.bundle["labels"]) for r in receipts]
    assert 20 <= statistics.median(words) <= 60
    assert 8 <= statistics.median(labels) <= 30
    assert any(len(r.facts["items"]) >= 40 for r in receipts)
    assert {"grocery", "restaurant", "fuel", "pharmacy", "hardware", "coffee", "electronics"} <= {
        r.kind for r in receipts
    }
    assert len({r.facts["locale"] for r in receipts}) >= 4


# -- arithmetic -----------------------------------------------------------------------------------------------


def test_printed_amounts_add_up(receipts: list[GeneratedReceipt]) -> None:
    checked = Counter()
    for r in receipts:
        f = r.facts
        style = MoneyStyle.from_dict(f["money_style"])
        sign = Decimal(-1) if f["variant"] == "return" else Decimal(1)
        lines = Decimal(0)
        for item in f["items"]:
            total = _amount(r, item["total"])
            assert total == Decimal(item["total_value"])
            qty = Decimal(item["qty_value"])
            if item["qty"] is not None:
                qty = parse_quantity(_words(r)[tuple(item["qty"])]["text"], style)
                assert qty == Decimal(item["qty_value"])
            if item["unit"] is not None:
                assert sign * money(qty * _amount(r, item["unit"])) == total, (item, r.bundle["image_id"])
                checked["unit"] += 1
            lines += total
            if item["discount"] is not None:
                lines += _amount(r, item["discount"])
                checked["discount"] += 1
        lines += sum((_amount(r, pos) for pos in f["coupons"]), Decimal(0))
        assert lines == Decimal(f["subtotal_value"])
        if f["subtotal"] is not None:
            assert _amount(r, f["subtotal"]) == lines
            checked["subtotal"] += 1
        taxes = sum((_amount(r, pos) for pos in f["taxes"]), Decimal(0))
        tip = _amount(r, f["tip"]) if f["tip"] else Decimal(0)
        total = _amount(r, f["total"])
        assert total == lines + taxes + tip == Decimal(f["total_value"])
        if f["pre_tip"]:
            assert _amount(r, f["pre_tip"]) == lines + taxes
        cash_back = _amount(r, f["cash_back"]) if f["cash_back"] else Decimal(0)
        if f["tender"]:
            tender = _amount(r, f["tender"])
            if f["change"]:
                assert tender - total == _amount(r, f["change"]) >= 0
                checked["change"] += 1
            else:
                assert tender == total + cash_back
        if f["refund"]:
            assert _amount(r, f["refund"]) == -total > 0
            checked["refund"] += 1
    assert all(checked[k] > 5 for k in ("unit", "discount", "subtotal", "change", "refund")), checked


def test_correct_amount_labels_sit_on_the_printed_facts(receipts: list[GeneratedReceipt]) -> None:
    for r in receipts:
        f = r.facts
        where = {
            "GRAND_TOTAL": [f["total"]],
            "SUBTOTAL": [f["subtotal"]],
            "TAX": f["taxes"],
            "TIP": [f["tip"]],
            "CHANGE": [f["change"]],
            "CASH_BACK": [f["cash_back"]],
            "REFUND": [f["refund"]],
            "COUPON": f["coupons"],
            "LINE_TOTAL": [i["total"] for i in f["items"]],
            "UNIT_PRICE": [i["unit"] for i in f["items"]],
            "QUANTITY": [i["qty"] for i in f["items"]],
        }
        for t in r.truth:
            if t.correct and t.label in where:
                assert [t.line_id, t.word_id] in where[t.label], (t, r.bundle["image_id"])


def test_formats_read_back_what_they_print() -> None:
    for locale in LOCALES.values():
        for style in locale.money:
            for value in (Decimal("0.05"), Decimal("12.50"), Decimal("-1.00"), Decimal("1234.56"), Decimal("-10234.5")):
                for symbol in (False, True):
                    text = render_amount(value, style, symbol=symbol)
                    digits = next(w for w in text.split() if any(ch.isdigit() for ch in w))
                    assert parse_amount(digits, style) == money(value), (text, style)
    us = MoneyStyle("$", "prefix", ".", ",", "trailing")
    assert render_amount(Decimal("-1"), us) == "1.00-"
    assert render_amount(Decimal("1234.56"), us, symbol=True) == "$1,234.56"
    assert render_amount(Decimal("12.5"), MoneyStyle("RM", "prefix_space"), symbol=True) == "RM 12.50"
    assert render_amount(Decimal("12.5"), MoneyStyle("€", "suffix_space", ",", "."), symbol=True) == "12,50 €"
    assert parse_amount("$3.459/GAL", us) == Decimal("3.459")


# -- labels and their truth -----------------------------------------------------------------------------------


def test_truth_lines_up_with_labels(receipts: list[GeneratedReceipt]) -> None:
    for r in receipts:
        assert [(t.line_id, t.word_id, t.label) for t in r.truth] == [
            (lb["line_id"], lb["word_id"], lb["label"]) for lb in r.bundle["labels"]
        ]
        for t in r.truth:
            if t.correct:
                assert t.error_kind is None and t.true_label == t.label
            else:
                assert t.error_kind in ERROR_KINDS and t.true_label != t.label
                assert t.true_label is None or t.true_label in ALL_LABELS


def test_all_label_types_appear_correctly(receipts: list[GeneratedReceipt]) -> None:
    correct = Counter(t.label for r in receipts for t in r.truth if t.correct)
    assert set(correct) == set(ALL_LABELS), set(ALL_LABELS) - set(correct)


def test_wrong_share_is_as_requested(receipts: list[GeneratedReceipt]) -> None:
    truth = [t for r in receipts for t in r.truth]
    share = sum(not t.correct for t in truth) / len(truth)
    assert abs(share - 0.2) <= 0.05, share
    assert not any(not t.correct for r in generate_receipts(50, wrong_share=0.0) for t in r.truth)
    for requested in (0.5, 0.9):
        truth = [t for r in generate_receipts(150, seed=5, wrong_share=requested) for t in r.truth]
        assert abs(sum(not t.correct for t in truth) / len(truth) - requested) <= 0.03, requested
    with pytest.raises(ValueError):
        generate_receipts(1, wrong_share=1.5)


def test_every_error_kind_occurs(receipts: list[GeneratedReceipt]) -> None:
    kinds = Counter(t.error_kind for r in receipts for t in r.truth if not t.correct)
    assert set(kinds) == set(ERROR_KINDS), set(ERROR_KINDS) - set(kinds)


def test_every_label_type_has_wrong_instances(receipts: list[GeneratedReceipt]) -> None:
    wrong = Counter(t.label for r in receipts for t in r.truth if not t.correct)
    assert set(wrong) == set(ALL_LABELS), set(ALL_LABELS) - set(wrong)


def test_wrong_labels_are_really_wrong(receipts: list[GeneratedReceipt]) -> None:
    """A wrong money label never sits on an amount equal to the one it names; named confusions sit where
    their name says."""
    singles = {"GRAND_TOTAL": "total", "SUBTOTAL": "subtotal"}
    for r in receipts:
        style = MoneyStyle.from_dict(r.facts["money_style"])
        words = _words(r)
        for t in r.truth:
            if t.correct:
                continue
            text = words[(t.line_id, t.word_id)]["text"]
            if t.label in singles and t.label in AMOUNT_LABELS:
                try:
                    value = parse_amount(text, style)
                except ValueError:
                    continue
                assert value != Decimal(r.facts[f"{singles[t.label]}_value"]), (t, text)
            if t.error_kind == "subtotal_as_total":
                assert [t.line_id, t.word_id] == r.facts["subtotal"] and t.label == "GRAND_TOTAL"
            if t.error_kind == "tax_as_total":
                assert [t.line_id, t.word_id] in r.facts["taxes"]
            if t.error_kind == "unit_price_as_line_total":
                assert [t.line_id, t.word_id] in [i["unit"] for i in r.facts["items"]]


# -- metadata -------------------------------------------------------------------------------------------------


def test_metadata_truth_covers_each_field_and_some_mismatch(receipts: list[GeneratedReceipt]) -> None:
    with_meta = [r for r in receipts if "metadata" in r.bundle]
    assert 0.7 * N <= len(with_meta) < N
    mismatched = 0
    for r in with_meta:
        assert set(r.metadata_truth) == set(r.bundle["metadata"])
        if not all(r.metadata_truth.values()):
            mismatched += 1
        digits = "".join(ch for w in r.bundle["words"] for ch in w["text"] if ch.isdigit())
        phone = "".join(ch for ch in r.bundle["metadata"]["phone_number"] if ch.isdigit())
        if not r.metadata_truth["phone_number"]:
            assert phone not in digits
    assert 0.03 * len(with_meta) <= mismatched <= 0.2 * len(with_meta)
    assert all(r.metadata_truth == {} for r in receipts if "metadata" not in r.bundle)


# -- output and speed -----------------------------------------------------------------------------------------


def test_write_bundles_and_truth_as_json_lines(tmp_path) -> None:
    receipts = generate_receipts(10, seed=2)
    out, truth = tmp_path / "b.jsonl", tmp_path / "t.jsonl"
    write_bundles(out, receipts, truth_path=truth)
    assert [json.loads(line) for line in out.read_text().splitlines()] == [r.bundle for r in receipts]
    records = [json.loads(line) for line in truth.read_text().splitlines()]
    assert [(t["image_id"], t["receipt_id"]) for t in records] == [
        (r.bundle["image_id"], r.bundle["receipt_id"]) for r in receipts
    ]
    assert records[0]["labels"][0].keys() >= {"line_id", "word_id", "label", "correct", "error_kind", "true_label"}


def test_command_line_writes_files(tmp_path, capsys) -> None:
    out, truth = tmp_path / "b.jsonl", tmp_path / "t.jsonl"
    args = ["--count", "4", "--seed", "9", "--wrong-share", "0.3", "--out", str(out), "--truth", str(truth)]
    assert samples_main(args) == 0
    assert len(out.read_text().splitlines()) == 4 and len(truth.read_text().splitlines()) == 4
    assert "4 receipts" in capsys.readouterr().err
