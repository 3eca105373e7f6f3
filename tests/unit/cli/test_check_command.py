"""`check FILE`: bundles judged in the process, no table, through the real entry point (and the real ChatOllama
client against the fake Ollama server for `--llm ollama`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli.check_command as check_command
from cli.main import main
from domain.bundles import context_from_bundle
from domain.cove.settings import LLMSettings
from domain.cove.verifier import build_verifier
from domain.service import validate_receipt
from samples import generate_receipts
from tests.fakes.ollama_server import FakeOllama, truth_responder
from tests.fakes.store import FakeReceiptRepository

STATUSES = {"VALID", "INVALID", "NEEDS_REVIEW", "PENDING"}


@pytest.fixture(autouse=True)
def _no_llm_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("VALIDATOR_LLM", "OLLAMA_HOST", "OLLAMA_API_KEY", "OLLAMA_MODEL", "OLLAMA_API_KEY_PARAM"):
        monkeypatch.delenv(name, raising=False)


def _bundles(n: int = 4, seed: int = 7, shape: str = "classic") -> list[dict]:
    return [r.bundle for r in generate_receipts(n, seed=seed, shape=shape)]


def _write(path: Path, rows: list) -> str:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows) + "\n")
    return str(path)


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _messy(bundles: list[dict]) -> list[dict]:
    """Real-table oddities: labels of every status, a legacy alias, a word with no box, unicode text."""
    b = json.loads(json.dumps(bundles[0]))
    b["labels"][0]["validation_status"] = "VALID"
    b["labels"][0]["validated_by"] = "human:ana"
    b["labels"][1]["validation_status"] = "NONE"
    b["labels"][2]["validation_status"] = "INVALID"
    total = next((lb for lb in b["labels"] if lb["label"] == "GRAND_TOTAL"), None)
    if total is not None:
        total["label"] = "TOTAL"
    b["words"][0].pop("bounding_box", None)
    target = (b["labels"][3]["line_id"], b["labels"][3]["word_id"])
    next(w for w in b["words"] if (w["line_id"], w["word_id"]) == target)["text"] = "Café–№5 ✓"
    return [b, *bundles[1:]]


def test_good_file_gets_one_verdict_record_per_label(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    bundles = _messy(_bundles(4, seed=5, shape="real") + _bundles(3))
    src, out = _write(tmp_path / "b.jsonl", bundles), tmp_path / "v.jsonl"
    assert main(["check", src, "--out", str(out), "--llm", "none"]) == 0
    records = _records(out)
    labels = [(b["image_id"], lb["line_id"], lb["word_id"]) for b in bundles for lb in b["labels"]]
    assert [(r["image_id"], r["line_id"], r["word_id"]) for r in records] == labels
    for r in records:
        assert r["kind"] == "label" and r["validation_status"] in STATUSES
        assert r["reasoning"]
        assert (r["validated_by"] is None) == (r["validation_status"] == "PENDING")
        assert r["validated_by"] is None or r["validated_by"].startswith("rule:")
    given = {(lb["line_id"], lb["word_id"]): lb for lb in bundles[0]["labels"]}
    first = [r for r in records if r["image_id"] == bundles[0]["image_id"]]
    assert [r["input_status"] for r in first] == [
        given[(r["line_id"], r["word_id"])].get("validation_status", "PENDING") for r in first
    ]
    aliased = [r for r in first if r.get("label_as_given") == "TOTAL"]
    assert all(r["label"] == "GRAND_TOTAL" for r in aliased)
    assert first[3]["text"] == "Café–№5 ✓"
    assert {r["validation_status"] for r in records} >= {"VALID", "INVALID"}
    printed = capsys.readouterr()
    assert f"{len(bundles)} receipts, {len(labels)} labels" in printed.out
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl", "v.jsonl"]  # no temporary file left


def test_verdicts_are_those_of_the_service_path(tmp_path: Path) -> None:
    """Same engine, same policy: the records match `validate_receipt` on a store holding the same receipts."""
    bundles = _bundles(6, seed=2) + _bundles(4, seed=3, shape="real")
    src, out = _write(tmp_path / "b.jsonl", bundles), tmp_path / "v.jsonl"
    assert main(["check", src, "--out", str(out), "--llm", "none"]) == 0
    got = {(r["image_id"], r["line_id"], r["word_id"], r["label"]): r for r in _records(out)}
    contexts = [context_from_bundle(b) for b in bundles]
    store = FakeReceiptRepository(*contexts)
    verifier = build_verifier(LLMSettings(provider="none"))
    compared = 0
    for ctx in contexts:
        for v in validate_receipt(store, ctx.ref, dry_run=True, verifier=verifier).verdicts:
            r = got[(ctx.ref.image_id, v.label.line_id, v.label.word_id, v.label.label)]
            assert (r["validation_status"], r["reasoning"]) == (v.status.value, v.reasoning)
            compared += 1
    assert compared == len(got)


def test_json_summary_counts_what_was_written(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    src, out = _write(tmp_path / "b.jsonl", _bundles(5)), tmp_path / "v.jsonl"
    assert main(["--llm", "none", "check", src, "--out", str(out), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    records = _records(out)
    statuses = [r["validation_status"] for r in records]
    assert summary["receipts"] == 5 and summary["labels_seen"] == len(records)
    assert summary["valid"] == statuses.count("VALID") and summary["invalid"] == statuses.count("INVALID")
    assert summary["left_pending"] == statuses.count("PENDING")
    assert summary["needs_review"] == statuses.count("NEEDS_REVIEW")
    assert summary["llm_calls"] == 0 and summary["errors"] == 0


def test_records_go_to_stdout_and_the_summary_to_stderr_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    bundles = _bundles(2)
    src = _write(tmp_path / "b.jsonl", bundles)
    assert main(["check", src, "--json", "--llm", "none"]) == 0
    printed = capsys.readouterr()
    records = [json.loads(line) for line in printed.out.splitlines()]
    assert len(records) == sum(len(b["labels"]) for b in bundles)
    assert json.loads(printed.err)["labels_seen"] == len(records)


def test_bad_file_is_refused_whole_and_nothing_is_written(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    good = _bundles(2)
    bad = json.loads(json.dumps(good[1]))
    bad["labels"][0]["label"] = "NOT_A_LABEL"
    rows = [good[0], "{not json", bad, *[{"image_id": "x", "receipt_id": i, "words": []} for i in range(1, 80)]]
    src, out = _write(tmp_path / "b.jsonl", rows), tmp_path / "v.jsonl"
    out.write_text("earlier verdicts\n")
    assert main(["check", src, "--out", str(out), "--llm", "none"]) == 2
    err = capsys.readouterr().err
    assert "line 2" in err and "line 3, labels[0].label" in err and "NOT_A_LABEL" in err
    assert "... and" in err and len(err.splitlines()) <= 53  # capped
    assert out.read_text() == "earlier verdicts\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl", "v.jsonl"]


def test_unreadable_input_and_output_are_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["check", str(tmp_path / "missing.jsonl"), "--llm", "none"]) == 2
    assert "cannot read" in capsys.readouterr().err
    src = _write(tmp_path / "b.jsonl", _bundles(1))
    assert main(["check", src, "--out", str(tmp_path / "no" / "such" / "v.jsonl"), "--llm", "none"]) == 2
    assert "does not exist" in capsys.readouterr().err
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n")
    assert main(["check", str(empty), "--llm", "none"]) == 2


def test_an_interrupted_check_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    real = check_command.check_receipt
    calls = []

    def interrupted(context, verifier):
        calls.append(context.ref)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(context, verifier)

    monkeypatch.setattr(check_command, "check_receipt", interrupted)
    src, out = _write(tmp_path / "b.jsonl", _bundles(5)), tmp_path / "v.jsonl"
    assert main(["check", src, "--out", str(out), "--llm", "none"]) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.jsonl"]


def test_llm_through_chat_ollama_and_the_fake_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    generated = generate_receipts(3, seed=11)
    truth = {(r.bundle["image_id"], t.line_id, t.word_id): t.true_label or "OTHER" for r in generated for t in r.truth}
    src, out = _write(tmp_path / "b.jsonl", [r.bundle for r in generated]), tmp_path / "v.jsonl"
    with FakeOllama() as fake:

        def respond(req):
            image = next(r.bundle["image_id"] for r in generated if r.bundle["words"][0]["text"] in req.prompt)
            words = {(ln, w): lab for (img, ln, w), lab in truth.items() if img == image}
            return truth_responder(words)(req)

        fake.responder = respond
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        monkeypatch.setenv("OLLAMA_TIMEOUT_S", "5")
        assert main(["check", src, "--out", str(out), "--json", "--llm", "ollama", "--model", fake.model]) == 0
        summary = json.loads(capsys.readouterr().out)
        assert summary["llm_calls"] == fake.calls > 0
    records = _records(out)
    assert summary["errors"] == 0 and summary["labels_seen"] == len(records)
    assert all(r["validated_by"] is None or r["validated_by"].startswith(("rule:", "cove:")) for r in records)


def test_llm_failures_leave_labels_undecided_and_fail_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    src, out = _write(tmp_path / "b.jsonl", _bundles(2, seed=11)), tmp_path / "v.jsonl"
    with FakeOllama(fault="500") as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        monkeypatch.setenv("OLLAMA_MAX_RETRIES", "0")
        code = main(["check", src, "--out", str(out), "--json", "--llm", "ollama", "--model", fake.model])
    summary = json.loads(capsys.readouterr().out)
    rules_only = tmp_path / "rules.jsonl"
    assert main(["check", src, "--out", str(rules_only), "--llm", "none"]) == 0
    with_llm = {(r["line_id"], r["word_id"], r["image_id"]): r for r in _records(out)}
    for r in _records(rules_only):  # the LLM's failure changed nothing the rules decided, and decided nothing else
        assert with_llm[(r["line_id"], r["word_id"], r["image_id"])]["validation_status"] == r["validation_status"]
    assert code == 1 and summary["errors"] > 0  # failed LLM calls are errors: named, counted, never a verdict
    assert not any(str(r["validated_by"]).startswith("cove:") for r in with_llm.values())


def _mutate(bundle: dict, kind: int, rng) -> dict:
    """One kind of mess seen in real exports."""
    b = json.loads(json.dumps(bundle))
    if kind == 0:  # no boxes at all
        for w in b["words"]:
            w.pop("bounding_box", None)
    elif kind == 1:  # empty and odd unicode texts
        for w in b["words"]:
            if rng.random() < 0.3:
                w["text"] = rng.choice(["", "€€€", "１２.５０", "\u200b", "١٢٫٥٠", "12.50\u00a0RM", "Ⅻ"])
    elif kind == 2:  # only the labelled words survive
        keep = {(lb["line_id"], lb["word_id"]) for lb in b["labels"]}
        b["words"] = [w for w in b["words"] if (w["line_id"], w["word_id"]) in keep] or b["words"][:1]
    elif kind == 3:  # every status, legacy and lower-case names
        aliases = {"GRAND_TOTAL": "TOTAL", "PHONE_NUMBER": "phone", "MERCHANT_NAME": "business_name"}
        for lb in b["labels"]:
            lb["validation_status"] = rng.choice(["NONE", "VALID", "INVALID", "NEEDS_REVIEW", "PENDING"])
            lb["label"] = aliases.get(lb["label"], lb["label"])
    elif kind == 4:  # degenerate boxes
        for w in b["words"]:
            if "bounding_box" in w:
                w["bounding_box"] = {"x": 0, "y": 0, "width": 0, "height": 0}
    elif kind == 5:  # one OCR line for the whole receipt
        b.pop("metadata", None)
        new = {(w["line_id"], w["word_id"]): j for j, w in enumerate(b["words"], 1)}
        for w in b["words"]:
            w["word_id"], w["line_id"] = new[(w["line_id"], w["word_id"])], 1
        for lb in b["labels"]:
            lb["word_id"], lb["line_id"] = new[(lb["line_id"], lb["word_id"])], 1
    return b


def test_messy_real_input_gets_a_record_for_every_label(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    import random

    rng = random.Random(3)
    generated = _bundles(6, seed=9, shape="real") + [
        r.bundle for r in generate_receipts(6, seed=10, start_receipt_id=50)
    ]
    rows = [_mutate(b, i % 6, rng) for i, b in enumerate(generated)]
    src = tmp_path / "b.jsonl"
    src.write_text("\ufeff" + "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    out = tmp_path / "v.jsonl"
    assert main(["check", str(src), "--out", str(out), "--json", "--llm", "none"]) == 0
    summary = json.loads(capsys.readouterr().out)
    records = _records(out)
    assert len(records) == summary["labels_seen"] == sum(len(r["labels"]) for r in rows)
    assert summary["errors"] == 0 and summary["valid"] + summary["invalid"] > 0
    assert {r.get("label_as_given") for r in records} >= {"TOTAL", "phone"}


def _closed_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_ollama_is_said_once_and_fails_a_named_llm_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    src, out = _write(tmp_path / "b.jsonl", _bundles(3, seed=11)), tmp_path / "v.jsonl"
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{_closed_port()}")
    assert main(["check", src, "--out", str(out), "--json", "--llm", "ollama"]) == 1
    printed = capsys.readouterr()
    assert printed.err.count("Ollama unreachable") == 1 and "failed:" not in printed.err
    with_llm = _records(out)
    assert main(["check", src, "--out", str(tmp_path / "r.jsonl"), "--llm", "none"]) == 0
    assert [r["validation_status"] for r in with_llm] == [
        r["validation_status"] for r in _records(tmp_path / "r.jsonl")
    ]


def test_auto_mode_checks_with_rules_only_when_ollama_is_unreachable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    src, out = _write(tmp_path / "b.jsonl", _bundles(2, seed=11)), tmp_path / "v.jsonl"
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{_closed_port()}")
    assert main(["check", src, "--out", str(out), "--json"]) == 0
    printed = capsys.readouterr()
    assert "checking with rules only" in printed.err and json.loads(printed.out)["errors"] == 0
