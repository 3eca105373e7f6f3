"""`bench/accuracy.py`: both generated sets, the same metrics for each, counted from the `check` path's verdicts."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

from samples import generate_receipts

_spec = importlib.util.spec_from_file_location("bench_accuracy", Path(__file__).parents[2] / "bench" / "accuracy.py")
assert _spec and _spec.loader
accuracy = importlib.util.module_from_spec(_spec)
sys.modules["bench_accuracy"] = accuracy  # dataclasses look their module up
_spec.loader.exec_module(accuracy)

METRICS = {"invalid_precision", "invalid_recall", "true_labels_wrongly_invalid", "true_labels_confirmed_valid",
           "decided_by_rules"}  # fmt: skip


def test_both_sets_side_by_side_with_the_same_metrics(capsys) -> None:
    assert accuracy.main(["--receipts", "12", "--seed", "4"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["path"] == "check"
    assert set(out["side_by_side"]) == METRICS
    for shape in ("classic", "real"):
        truth = [t for r in generate_receipts(12, seed=4, shape=shape) for t in r.truth]
        overall = out[shape]["overall"]
        assert overall["labels"] == len(truth) and overall["wrong"] == sum(not t.correct for t in truth)
        assert set(overall) >= METRICS and out[shape]["errors"] == 0
        assert set(out[shape]["false_invalid_by_label"]) == set(out[shape]["per_label"])
        per_label_total = sum(r["labels"] for r in out[shape]["per_label"].values())
        assert per_label_total == overall["labels"]
        assert out["side_by_side"]["invalid_recall"][shape] == overall["invalid_recall"]


def test_one_set_can_be_asked_for_alone(capsys) -> None:
    assert accuracy.main(["--receipts", "3", "--shapes", "real"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert "real" in out and "classic" not in out


def test_llm_ollama_asks_any_model_the_server_has(monkeypatch, capsys) -> None:
    from tests.fakes.ollama_server import FakeOllama

    with FakeOllama(model="any-model:3b", responder=lambda req: {"answers": []}) as fake:
        monkeypatch.setenv("OLLAMA_HOST", fake.url)
        monkeypatch.setenv("OLLAMA_TIMEOUT_S", "5")
        assert accuracy.main(["--receipts", "3", "--seed", "4", "--shapes", "classic", "--llm", "ollama",
                              "--model", "any-model:3b"]) == 0  # fmt: skip
        out = json.loads(capsys.readouterr().out)
        assert out["llm"] == "any-model:3b"
        assert out["classic"]["llm_calls"] == fake.calls > 0
        assert {r.body["model"] for r in fake.requests} == {"any-model:3b"}


def test_llm_ollama_on_a_closed_port_is_one_line_and_exit_1(monkeypatch, capsys) -> None:
    import socket

    import pytest

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("OLLAMA_HOST", f"http://127.0.0.1:{port}")
    with pytest.raises(SystemExit) as done:
        accuracy.main(["--receipts", "2", "--llm", "ollama", "--model", "m"])
    assert done.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.strip().startswith(f"Ollama unreachable at http://127.0.0.1:{port}: ")
    assert len(captured.err.strip().splitlines()) == 1
