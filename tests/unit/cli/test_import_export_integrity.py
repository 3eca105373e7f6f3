"""`import` never replaces a receipt unless asked, `export` leaves a whole file or none: through the real entry point
and the real store, on moto and on DynamoDB Local (`backend` fixture)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from cli.main import main
from domain.bundles import context_from_bundle
from domain.model import ReceiptRef, ValidationStatus, Verdict
from domain.store.codec import context_items
from domain.store.repository import DynamoReceiptRepository, make_client
from tests.fakes.receipts import IMAGE, sample_bundle
from tests.table_reads import raw_item

LABEL_SK = "RECEIPT#00001#LINE#00001#WORD#00001#LABEL#MERCHANT_NAME"


@pytest.fixture
def cli(backend):
    """(argv prefix, store) for a fresh table on the backend, created through the CLI."""
    table = f"cli-{uuid.uuid4().hex[:10]}"
    argv = ["--table", table, "--region", "us-east-1"] + (["--endpoint-url", backend] if backend else [])
    assert main([*argv, "table", "create"]) == 0
    return argv, DynamoReceiptRepository(table, make_client(backend, "us-east-1"))


def _file(tmp_path: Path, *bundles: dict) -> str:
    path = tmp_path / f"{uuid.uuid4().hex[:6]}.jsonl"
    path.write_text("".join(json.dumps(b) + "\n" for b in bundles))
    return str(path)


def _decide_everything(store: DynamoReceiptRepository) -> int:
    context = store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1))
    n = 0
    for lb in context.labels:
        verdict = Verdict(label=lb, status=ValidationStatus.INVALID, reasoning="r", validated_by="rule:test")
        n += store.apply_verdict(verdict, lb.validation_status)
    return n


def test_re_import_leaves_verdicts_untouched_and_replace_resets_them_and_says_so(cli, tmp_path, capsys) -> None:
    argv, store = cli
    path = _file(tmp_path, sample_bundle(receipt_id=1), sample_bundle(receipt_id=2))
    assert main([*argv, "import", path, "--json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert first["written"] == 2 and first["skipped"] == 0 and first["labels"] == 6
    assert _decide_everything(store) == 3
    decided = raw_item(store, LABEL_SK)

    assert main([*argv, "import", path, "--json"]) == 0
    captured = capsys.readouterr()
    again = json.loads(captured.out)
    assert again["written"] == 0 and again["skipped"] == 2 and again["items"] == 0 and again["verdicts_reset"] == 0
    assert "skipped 2 receipt(s) already in" in captured.err and f"{IMAGE}/1" in captured.err
    assert raw_item(store, LABEL_SK) == decided  # not one attribute changed

    assert main([*argv, "import", path, "--replace"]) == 0
    err = capsys.readouterr().err
    assert "replaced 2 receipt(s)" in err and "3 verdict(s) reset" in err
    replaced = raw_item(store, LABEL_SK)
    assert replaced["validation_status"]["S"] == "PENDING" and "validated_by" not in replaced


def test_a_new_receipt_beside_existing_ones_is_written(cli, tmp_path, capsys) -> None:
    argv, store = cli
    assert main([*argv, "import", _file(tmp_path, sample_bundle(receipt_id=1))]) == 0
    assert (
        main([*argv, "import", _file(tmp_path, sample_bundle(receipt_id=1), sample_bundle(receipt_id=3)), "--json"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["written"] == 1 and out["skipped"] == 1 and out["pending"] == 2  # only receipt 3's labels
    assert store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=3)) is not None


def test_items_that_appear_while_a_receipt_is_written_are_kept(cli) -> None:
    """The transaction's conditions, not the existence check, are what protect a receipt written meanwhile."""
    _, store = cli
    items = context_items(context_from_bundle(sample_bundle(words=120)))  # more than one transaction of 100
    raced = next(it for it in items if it["SK"]["S"] == LABEL_SK)
    store.client.put_item(TableName=store.table_name, Item={**raced, "validation_status": {"S": "VALID"}})

    written, kept = store._put_new(items)

    assert kept == 1 and written == len(items) - 1
    assert raw_item(store, LABEL_SK)["validation_status"]["S"] == "VALID"
    assert store.load_receipt(ReceiptRef(image_id=IMAGE, receipt_id=1)).words[-1].text == "w120"


def test_an_interrupted_export_leaves_no_file(cli, tmp_path, monkeypatch, capsys) -> None:
    argv, _ = cli
    assert main([*argv, "import", _file(tmp_path, sample_bundle(receipt_id=1), sample_bundle(receipt_id=2))]) == 0
    real = DynamoReceiptRepository.load_receipt
    calls = {"n": 0}

    def interrupted(self, ref):
        calls["n"] += 1
        if calls["n"] == 2:  # the first receipt is already written to the file
            raise KeyboardInterrupt
        return real(self, ref)

    monkeypatch.setattr(DynamoReceiptRepository, "load_receipt", interrupted)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert main([*argv, "export", str(out_dir / "export.jsonl")]) == 130
    assert list(out_dir.iterdir()) == []

    monkeypatch.setattr(DynamoReceiptRepository, "load_receipt", real)
    assert main([*argv, "export", str(out_dir / "export.jsonl")]) == 0
    assert [p.name for p in out_dir.iterdir()] == ["export.jsonl"]
    assert len((out_dir / "export.jsonl").read_text().splitlines()) == 8  # 2 x (3 labels + metadata)
