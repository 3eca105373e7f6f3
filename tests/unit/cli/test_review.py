"""The review door for scripts (`review list`, `review resolve`) and the page's HTTP side (CSRF, stale pages, logs)."""

from __future__ import annotations

import json
import logging

import pytest

from cli.main import main
from cli.review_app import create_app
from domain.model import ValidationStatus
from domain.review import settle
from tests.unit.cli.review_data import label_item, load, review_bundle

HOSTS = {"127.0.0.1:8765"}


@pytest.fixture
def table(moto_store):
    return moto_store


def _argv(store) -> list[str]:
    return ["--table", store.table_name]


def test_list_shows_the_needs_review_queue_with_filters(table, capsys):
    _, deli = load(table, review_bundle("Corner Grocer"), review_bundle("Deli Bros"))
    assert main([*_argv(table), "review", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed["count"] == 4
    assert {e["validation_status"] for e in listed["labels"]} == {"NEEDS_REVIEW"}

    assert main([*_argv(table), "review", "list", "--json", "--merchant", "deli", "--label", "GRAND_TOTAL"]) == 0
    only = json.loads(capsys.readouterr().out)["labels"]
    assert [(e["receipt"], e["label"]) for e in only] == [(str(deli), "GRAND_TOTAL")]

    assert main(["review", "list", "--status", "VALID", "--json", *_argv(table)]) == 0  # options after, too
    assert {e["label"] for e in json.loads(capsys.readouterr().out)["labels"]} == {"MERCHANT_NAME"}


def test_resolve_writes_a_human_verdict_conditionally(table, capsys):
    (ref,) = load(table, review_bundle())
    argv = [*_argv(table), "review", "resolve", str(ref), "4", "2", "GRAND_TOTAL", "--invalid", "--by", "ana"]
    assert main(argv) == 0
    item = label_item(table, ref, 4, 2, "GRAND_TOTAL")
    assert item["validation_status"] == "INVALID" and item["validated_by"] == "human:ana"
    assert item["GSI3PK"] == "VALIDATION_STATUS#INVALID" and "ana" in item["reasoning"]
    assert item["label_proposed_by"] == "ocr-labeler" and item["timestamp_added"] == "2026-01-01T00:00:00+00:00"

    # the queue no longer lists it
    capsys.readouterr()
    assert main([*_argv(table), "review", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["count"] == 1


def test_resolve_relabel_adds_the_right_label(table):
    (ref,) = load(table, review_bundle())
    argv = [*_argv(table), "review", "resolve", str(ref), "2", "1", "DATE", "--relabel", "TIME", "--by", "bo"]
    assert main(argv) == 0
    assert label_item(table, ref, 2, 1, "DATE")["validation_status"] == "INVALID"
    added = label_item(table, ref, 2, 1, "TIME")
    assert added["validation_status"] == "VALID" and added["validated_by"] == "human:bo"
    assert added["label_proposed_by"] == "human:bo"


@pytest.mark.parametrize(
    "tail, message",
    [
        (["4", "2", "NOT_A_LABEL", "--valid", "--by", "x"], "NOT_A_LABEL"),
        (["9", "9", "GRAND_TOTAL", "--valid", "--by", "x"], "no label GRAND_TOTAL on line 9 word 9"),
        (["4", "2", "GRAND_TOTAL", "--valid", "--by", "two words"], "without spaces"),
    ],
)
def test_resolve_bad_requests_are_exit_2_and_write_nothing(table, capsys, tail, message):
    (ref,) = load(table, review_bundle())
    before = label_item(table, ref, 4, 2, "GRAND_TOTAL")
    assert main([*_argv(table), "review", "resolve", str(ref), *tail]) == 2
    assert message in capsys.readouterr().err
    assert label_item(table, ref, 4, 2, "GRAND_TOTAL") == before


def test_a_stale_view_cannot_overwrite_a_newer_change(table):
    (ref,) = load(table, review_bundle())
    seen = {
        "validation_status": "NEEDS_REVIEW",
        "validated_by": None,
        "label_proposed_by": "ocr-labeler",
        "timestamp_added": "2026-01-01T00:00:00+00:00",
    }
    first = settle(table, ref, 4, 2, "GRAND_TOTAL", "valid", by="ana", seen=seen)
    assert first.written
    second = settle(table, ref, 4, 2, "GRAND_TOTAL", "invalid", by="bo", seen=seen)  # bo's page was older
    assert not second.written and second.stale and "changed since" in second.message
    item = label_item(table, ref, 4, 2, "GRAND_TOTAL")
    assert item["validation_status"] == ValidationStatus.VALID.value and item["validated_by"] == "human:ana"


def _client(store):
    app = create_app(store, reviewer="ana", where="test", allowed_hosts=lambda: HOSTS, csrf_token="tok")
    return app.test_client()


def _settle_body(ref) -> dict:
    return {
        "receipt": str(ref),
        "line_id": 4,
        "word_id": 2,
        "label": "GRAND_TOTAL",
        "decision": "valid",
        "seen": {
            "validation_status": "NEEDS_REVIEW",
            "validated_by": None,
            "label_proposed_by": "ocr-labeler",
            "timestamp_added": "2026-01-01T00:00:00+00:00",
        },
    }


def test_posts_need_the_csrf_token_and_a_known_host(table):
    (ref,) = load(table, review_bundle())
    client = _client(table)
    base = {"base_url": "http://127.0.0.1:8765"}
    assert client.post("/api/settle", json=_settle_body(ref), **base).status_code == 403  # no token
    bad = {"X-CSRF-Token": "wrong"}
    assert client.post("/api/settle", json=_settle_body(ref), headers=bad, **base).status_code == 403
    cross = {"X-CSRF-Token": "tok", "Origin": "http://evil.example"}
    assert client.post("/api/settle", json=_settle_body(ref), headers=cross, **base).status_code == 403
    rebound = client.get("/api/queue", base_url="http://evil.example:8765")
    assert rebound.status_code == 421
    assert label_item(table, ref, 4, 2, "GRAND_TOTAL")["validation_status"] == "NEEDS_REVIEW"

    ok = client.post("/api/settle", json=_settle_body(ref), headers={"X-CSRF-Token": "tok"}, **base)
    assert ok.status_code == 200 and label_item(table, ref, 4, 2, "GRAND_TOTAL")["validated_by"] == "human:ana"
    stale = client.post("/api/settle", json=_settle_body(ref), headers={"X-CSRF-Token": "tok"}, **base)
    assert stale.status_code == 409 and stale.get_json()["stale"] is True


def test_page_has_no_external_assets_and_a_strict_policy(table):
    client = _client(table)
    page = client.get("/", base_url="http://127.0.0.1:8765")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'content="tok"' in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in html
    assert "default-src 'none'" in page.headers["Content-Security-Policy"]
    js = client.get("/static/review.js", base_url="http://127.0.0.1:8765").get_data(as_text=True)
    assert "innerHTML" not in js and "https://" not in js


def test_logs_carry_no_receipt_text(table, caplog):
    (ref,) = load(table, review_bundle("Secret Merchant"))
    client = _client(table)
    base = {"base_url": "http://127.0.0.1:8765"}
    with caplog.at_level(logging.INFO):  # INFO and up, every logger (debug of boto is the -vv choice)
        client.get("/api/queue?status=NEEDS_REVIEW&merchant=Secret", **base)
        image, rid = str(ref).split("/")
        client.get(f"/api/receipt/{image}/{rid}", **base)
        client.post("/api/settle", json=_settle_body(ref), headers={"X-CSRF-Token": "tok"}, **base)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "/api/settle" in logged
    for text in ("Secret", "12.49", "CORNER", "GROCER", "2024-03-15"):
        assert text not in logged
