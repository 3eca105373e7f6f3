"""The local stream reader keeps its place per stream ARN across runs, as a Lambda event source mapping does.

Runs on the embedded moto server and on DynamoDB Local (the `endpoint` fixture of this folder).
"""

from __future__ import annotations

import json

from cli.main import main
from cli.settings import Settings
from cli.stream_checkpoint import CheckpointFile, Position


def _stream(settings: Settings, capsys, *extra: str) -> dict:
    argv = ["--endpoint-url", settings.endpoint_url, "--table", settings.table, "--llm", "none"]
    assert main([*argv, "stream", "--until-idle", "2", "--json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def test_second_run_on_an_unchanged_table_reads_nothing(
    settings, stream_store, import_receipts, tmp_path, capsys
) -> None:
    import_receipts(2)
    checkpoint = str(tmp_path / "cp.json")
    first = _stream(settings, capsys, "--checkpoint", checkpoint)
    assert first["records_read"] > 0 and first["receipts"] == 2
    second = _stream(settings, capsys, "--checkpoint", checkpoint)
    assert second["records_read"] == 0 and second["receipts"] == 0 and second["labels_seen"] == 0
    saved = json.loads((tmp_path / "cp.json").read_text())
    assert list(saved["streams"]) == [stream_store.stream_arn()]


def test_default_checkpoint_lives_in_the_user_cache(
    settings, stream_store, import_receipts, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    import_receipts(1)
    assert _stream(settings, capsys)["records_read"] > 0
    assert _stream(settings, capsys)["records_read"] == 0
    assert (tmp_path / "cache" / "receipt-validator" / "stream-checkpoints.json").exists()


def test_new_writes_after_a_run_are_all_the_next_run_sees(settings, stream_store, import_receipts, tmp_path, capsys):
    import_receipts(1)
    checkpoint = str(tmp_path / "cp.json")
    _stream(settings, capsys, "--checkpoint", checkpoint)
    import_receipts(1)
    again = _stream(settings, capsys, "--checkpoint", checkpoint)
    assert again["receipts"] == 1 and again["records_read"] > 0


def test_from_trim_horizon_and_latest(settings, stream_store, import_receipts, tmp_path, capsys):
    import_receipts(1)
    checkpoint = str(tmp_path / "cp.json")
    first = _stream(settings, capsys, "--checkpoint", checkpoint)
    replay = _stream(settings, capsys, "--checkpoint", checkpoint, "--from", "trim-horizon")
    assert replay["records_read"] >= first["records_read"] > 0
    latest = _stream(settings, capsys, "--checkpoint", tmp_path.joinpath("other.json").as_posix(), "--from", "latest")
    assert latest["records_read"] == 0


def test_unhandled_records_are_saved_as_at_positions(tmp_path) -> None:
    """A run interrupted with a record buffered resumes AT that record, not after it."""
    cp = CheckpointFile(tmp_path / "cp.json")
    cp.save("arn:1", {"s1": Position("100", at=True), "s2": Position("7")})
    assert cp.load("arn:1") == {"s1": Position("100", at=True), "s2": Position("7")}
    assert cp.load("arn:other") == {}


def test_a_corrupt_checkpoint_file_is_exit_2(settings, stream_store, tmp_path, capsys) -> None:
    bad = tmp_path / "cp.json"
    bad.write_text("{not json")
    argv = ["--endpoint-url", settings.endpoint_url, "--table", settings.table, "stream", "--checkpoint", str(bad)]
    assert main([*argv, "--until-idle", "0.1"]) == 2
    assert "trim-horizon" in capsys.readouterr().err
