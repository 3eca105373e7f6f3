"""The review page in a real browser: Debian's headless Chromium (driven by Playwright) on a DynamoDB Local table.

A person settles labels with the keyboard; the test reads the table to see what was written. A screenshot of the
page is written to .local/review-page.png for people to look at.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli.review_server import ReviewServer
from domain import keys
from domain.store.repository import DynamoReceiptRepository, make_client
from tests.unit.cli.review_data import label_item, load, review_bundle

pytestmark = [pytest.mark.integration, pytest.mark.browser]

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# this machine's network is closed: no background connections, no first-run, a fresh profile per test
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 60_000  # generous: CI machines are shared and slow at times; a wait ends as soon as it holds


@pytest.fixture
def table(dynamodb_local_endpoint: str) -> Iterator[DynamoReceiptRepository]:
    store = DynamoReceiptRepository(f"review-{uuid.uuid4().hex[:8]}", make_client(dynamodb_local_endpoint, "us-east-1"))
    store.create_table()
    yield store
    store.client.delete_table(TableName=store.table_name)


@pytest.fixture
def browser_page(tmp_path: Path):
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("REQUIRE_CHROMIUM") == "1":
            pytest.fail(f"Chromium is required but {CHROMIUM} is missing (make chromium)")
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1400, "height": 900},
        )
        try:
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            yield page
        finally:
            context.close()


def _current(page) -> tuple[str, int, int, str]:
    """The queue entry the page has selected: (receipt, line, word, label) from its data-key."""
    receipt, line, word, label = page.locator("#queue li.current").get_attribute("data-key").split("|")
    return receipt, int(line), int(word), label


def _ref(store: DynamoReceiptRepository, receipt: str):
    from domain.model import ReceiptRef

    return ReceiptRef.parse(receipt)


def _wait_message(page, kind: str) -> str:
    page.wait_for_selector(f"#message.{kind}")
    return page.locator("#message").inner_text()


def test_a_person_settles_labels_with_the_keyboard(table: DynamoReceiptRepository, browser_page) -> None:
    from playwright.sync_api import expect

    load(table, review_bundle("Corner Grocer"), review_bundle("Deli Bros"))
    server = ReviewServer(table, host="127.0.0.1", port=0, reviewer="tester", where="DynamoDB Local").start()
    page = browser_page
    try:
        page.goto(server.url)
        page.wait_for_selector("body[data-ready=yes]")
        assert page.locator("#queue li").count() == 4
        # the receipt is drawn from its word boxes, labelled words coloured by verdict
        assert page.locator("#receipt rect.word").count() == 7
        assert page.locator("#receipt rect.NEEDS_REVIEW").count() == 2
        assert page.locator("#receipt rect.VALID").count() == 1
        drawn = page.locator("#receipt").text_content()
        assert "TOTAL" in drawn and "12.49" in drawn and "2024-03-15" in drawn
        # the selected word shows its labels and the evidence
        receipt, line, word, label = _current(page)
        assert label in page.locator("#word-labels").inner_text()
        assert "supports" in page.locator("#word-labels").inner_text()

        # accept with `a`
        page.keyboard.press("a")
        assert "VALID" in _wait_message(page, "ok")
        item = label_item(table, _ref(table, receipt), line, word, label)
        assert item["validation_status"] == "VALID" and item["validated_by"] == "human:tester"
        expect(page.locator("#queue li")).to_have_count(3, timeout=TIMEOUT_MS)  # the message comes before the reload
        page.screenshot(path=str(_screenshot_path()), full_page=True)

        # reject with `r`
        receipt, line, word, label = _current(page)
        page.keyboard.press("r")
        expect(page.locator("#queue li")).to_have_count(2, timeout=TIMEOUT_MS)
        item = label_item(table, _ref(table, receipt), line, word, label)
        assert item["validation_status"] == "INVALID" and item["validated_by"] == "human:tester"

        # relabel with `l`, choose, Enter
        receipt, line, word, label = _current(page)
        new = "TIME" if label == "DATE" else "SUBTOTAL"
        page.keyboard.press("l")
        page.select_option("#relabel-select", new)
        page.focus("#relabel-select")
        page.keyboard.press("Enter")
        expect(page.locator("#queue li")).to_have_count(1, timeout=TIMEOUT_MS)
        ref = _ref(table, receipt)
        assert label_item(table, ref, line, word, label)["validation_status"] == "INVALID"
        added = label_item(table, ref, line, word, new)
        assert added["validation_status"] == "VALID" and added["validated_by"] == "human:tester"

        # a stale page: someone else settles the last label after the page read it; the page cannot overwrite it
        receipt, line, word, label = _current(page)
        ref = _ref(table, receipt)
        gsi3 = keys.label_gsi3(ref.image_id, ref.receipt_id, line, word, label, "INVALID")
        table.client.update_item(
            TableName=table.table_name,
            Key={
                "PK": {"S": keys.image_pk(ref.image_id)},
                "SK": {"S": keys.label_sk(ref.receipt_id, line, word, label)},
            },
            UpdateExpression="SET validation_status = :s, validated_by = :v, GSI3PK = :p, GSI3SK = :k",
            ExpressionAttributeValues={
                ":s": {"S": "INVALID"},
                ":v": {"S": "human:other"},
                ":p": {"S": gsi3["GSI3PK"]},
                ":k": {"S": gsi3["GSI3SK"]},
            },
        )
        page.keyboard.press("a")
        assert "changed since" in _wait_message(page, "error")
        item = label_item(table, ref, line, word, label)
        assert item["validation_status"] == "INVALID" and item["validated_by"] == "human:other"
        expect(page.locator("#queue li")).to_have_count(0, timeout=TIMEOUT_MS)  # reloaded
    finally:
        server.stop()


def _screenshot_path() -> Path:
    out = ROOT / ".local"
    out.mkdir(exist_ok=True)
    return out / "review-page.png"
