"""Google Places faults: the real client (urllib) against a scripted local server, on the stream and sweep paths.

Quota (429), server errors, a refused key (403), a hang past the client's timeout, a dropped connection, a reply that
is not JSON or lacks the place id: none of them may decide metadata. The metadata item stays exactly as it was, the
receipt is reported failed (so it is retried), and once Places answers again the verdict lands once, with the
fingerprint of the values it judged, so the handler drops its own write when it comes back through the stream.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from domain import keys
from domain.fingerprint import FINGERPRINT_ATTRIBUTE
from domain.model import ReceiptContext, ReceiptMetadata
from domain.places import GooglePlacesClient
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler
from stream_handlers.records import Ignored, IgnoreReason, classify
from stream_handlers.validation import ServiceValidation, use_validation
from sweepers import metadata as metadata_sweep
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import run_sweep
from tests.fakes.receipts import grocery
from tests.reliability.stream_io import failed_seqs, invoke, stream_records

PLACE = {
    "id": "ChIJ-trader-joes",
    "displayName": {"text": "Trader Joe's"},
    "formattedAddress": "123 Main St, Santa Barbara, CA",
    "nationalPhoneNumber": "(805) 555-0100",
}
FAULT_MODES = ("429", "500", "403", "hang", "drop", "not_json", "no_id")


@dataclass
class PlacesServer:
    """Text Search as Google serves it, or one of FAULT_MODES."""

    mode: str = "ok"
    hang_s: float = 1.0
    over_quota_for: str | None = None  # a textQuery prefix answered 429 whatever the mode
    requests: list[dict[str, Any]] = field(default_factory=list)

    def serve(self) -> tuple[ThreadingHTTPServer, str]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                if fake.over_quota_for and body["textQuery"].startswith(fake.over_quota_for):
                    return self._reply(429, b'{"error": {"status": "RESOURCE_EXHAUSTED"}}')
                if fake.mode in ("429", "500", "403"):
                    return self._reply(int(fake.mode), b'{"error": {"status": "UNAVAILABLE"}}')
                if fake.mode == "hang":
                    time.sleep(fake.hang_s)
                    return self._reply(200, json.dumps({"places": [PLACE]}).encode())
                if fake.mode == "drop":
                    self.close_connection = True
                    self.connection.close()
                    return None
                if fake.mode == "not_json":
                    return self._reply(200, b"<html>502 Bad Gateway</html>")
                if fake.mode == "no_id":
                    return self._reply(200, json.dumps({"places": [{"displayName": {"text": "Trader"}}]}).encode())
                return self._reply(200, json.dumps({"places": [PLACE]}).encode())

            def _reply(self, status: int, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return server, f"http://127.0.0.1:{server.server_address[1]}/v1/places:searchText"


@pytest.fixture
def places() -> Iterator[tuple[PlacesServer, GooglePlacesClient]]:
    fake = PlacesServer()
    server, url = fake.serve()
    yield fake, GooglePlacesClient("places-key", url=url, timeout_s=0.3)
    server.shutdown()
    server.server_close()


def with_metadata() -> ReceiptContext:
    context = grocery()
    context.metadata = ReceiptMetadata(
        image_id=context.ref.image_id,
        receipt_id=context.ref.receipt_id,
        merchant_name="Trader Joe's",
        address="123 Main St",
        phone_number="(805) 555-0100",
    )
    return context


def metadata_item(store: DynamoReceiptRepository, context: ReceiptContext) -> dict[str, Any]:
    key = {"PK": {"S": keys.image_pk(context.ref.image_id)}, "SK": {"S": keys.metadata_sk(context.ref.receipt_id)}}
    return store.client.get_item(TableName=store.table_name, Key=key)["Item"]


def metadata_records(store: DynamoReceiptRepository) -> list[dict[str, Any]]:
    return [r for r in stream_records(store) if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_METADATA]


@pytest.mark.parametrize("mode", FAULT_MODES)
def test_places_fault_leaves_metadata_untouched_and_the_retry_decides_once(
    table: DynamoReceiptRepository, rules_verifier: Any, places: tuple[PlacesServer, GooglePlacesClient], mode: str
) -> None:
    fake, client = places
    context = with_metadata()
    table.write_contexts([context])
    before = metadata_item(table, context)
    use_validation(ServiceValidation(table, rules_verifier, client))
    records = metadata_records(table)
    assert len(records) == 1
    fake.mode = mode

    response = invoke(records)

    assert failed_seqs(response) == {records[0]["dynamodb"]["SequenceNumber"]}
    assert metadata_item(table, context) == before  # not a single attribute written
    totals = handler.last_invocation_summary().totals()
    assert totals["errors"] == 1 and totals["writes"] == 0
    assert len(fake.requests) == 1

    fake.mode = "ok"
    assert invoke(records) == {"batchItemFailures": []}
    after = metadata_item(table, context)
    assert after["validation_status"]["S"] == "MATCHED"
    assert after["validated_by"]["S"] == "rule:metadata+places:text_search"
    assert after["canonical_place_id"]["S"] == PLACE["id"]
    assert FINGERPRINT_ATTRIBUTE in after
    assert {k: v for k, v in after.items() if k in before} == before  # attributes it does not own are untouched
    own = metadata_records(table)[len(records) :]
    assert len(own) == 1  # the validator's own write reaches the handler, which drops it
    assert classify(own[0]) == Ignored(own[0]["dynamodb"]["SequenceNumber"], IgnoreReason.VALIDATOR_WRITE)


def test_metadata_sweep_names_the_receipt_places_failed_and_writes_nothing(
    table: DynamoReceiptRepository, places: tuple[PlacesServer, GooglePlacesClient]
) -> None:
    fake, client = places
    good, bad = with_metadata(), with_metadata()
    bad = bad.model_copy(
        update={
            "ref": bad.ref.model_copy(update={"receipt_id": 2}),
            "metadata": bad.metadata.model_copy(update={"receipt_id": 2, "merchant_name": "Bad Gateway Foods"}),
        }
    )
    table.write_contexts([good, bad])
    before = metadata_item(table, bad)
    fake.over_quota_for = "Bad Gateway"  # Places answers for one merchant and is over quota for the other

    sweep = metadata_sweep.build(client)
    summary = run_sweep(sweep, SweepPayload(), table, LocalContext(600)).as_dict()

    assert [f["receipt"] for f in summary["failed_receipts"]] == [str(bad.ref)]
    assert metadata_item(table, bad) == before
    assert metadata_item(table, good)["validation_status"]["S"] == "MATCHED"
    assert summary["errors"] == 1 and summary["writes"] == 1
