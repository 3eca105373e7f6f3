"""validate_metadata and the Places client."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from domain.model import Answer, Evidence, EvidenceKind, MetadataStatus, ReceiptContext, ReceiptMetadata
from domain.places import GooglePlacesClient, PlaceMatch, PlacesUnavailable
from domain.service import validate_metadata
from tests.fakes.places import FakePlaces
from tests.fakes.receipts import grocery
from tests.fakes.store import FakeReceiptRepository


def with_metadata(**fields: str) -> ReceiptContext:
    ctx = grocery()
    ctx.metadata = ReceiptMetadata(image_id=ctx.ref.image_id, receipt_id=ctx.ref.receipt_id, **fields)
    return ctx


def ev(answer: Answer) -> Evidence:
    return Evidence(question="on the receipt", answer=answer, source="rule:metadata", kind=EvidenceKind.METADATA)


def checks(**answers: Answer):
    return lambda context: {name: [ev(a)] for name, a in answers.items()}


META = {"merchant_name": "Trader Joe's", "phone_number": "(805) 555-0100", "address": "123 Main St, Springfield"}


def test_receipt_consistency_alone_matches() -> None:
    ctx = with_metadata(**META)
    store = FakeReceiptRepository(ctx)
    report = validate_metadata(
        store, ctx.ref, evaluate_metadata=checks(merchant_name=Answer.SUPPORTS, phone_number=Answer.SUPPORTS)
    )
    assert report.matched == 1 and report.writes == 1
    verdict = store.metadata_writes[0]
    assert verdict.status is MetadataStatus.MATCHED
    assert verdict.matched_fields == ["merchant_name", "phone_number"]
    assert verdict.validated_by == "rule:metadata" and verdict.reasoning


def test_places_agreement_and_canonical_values() -> None:
    ctx = with_metadata(**META)
    place = PlaceMatch(
        place_id="ChIJ1",
        name="Trader Joe's",
        address="123 Main St, Springfield, IL 62701",
        phone_number="+1 805-555-0100",
    )
    places = FakePlaces(place)
    store = FakeReceiptRepository(ctx)
    report = validate_metadata(store, ctx.ref, places=places, evaluate_metadata=checks())
    verdict = store.metadata_writes[0]
    assert places.queries == ["Trader Joe's, 123 Main St, Springfield"]
    assert verdict.status is MetadataStatus.MATCHED and report.places_calls == 1
    assert set(verdict.matched_fields) == {"merchant_name", "phone_number", "address"}
    assert verdict.canonical["place_id"] == "ChIJ1"
    assert "places" in verdict.validated_by


def test_refuted_fields_give_no_match_and_mixed_give_unsure() -> None:
    ctx = with_metadata(**META)
    store = FakeReceiptRepository(ctx)
    r = validate_metadata(store, ctx.ref, evaluate_metadata=checks(merchant_name=Answer.REFUTES))
    assert r.no_match == 1
    r = validate_metadata(
        store, ctx.ref, evaluate_metadata=checks(merchant_name=Answer.SUPPORTS, phone_number=Answer.REFUTES)
    )
    assert r.unsure == 1
    assert [v.status for v in store.metadata_writes] == [MetadataStatus.NO_MATCH, MetadataStatus.UNSURE]


def test_places_failure_decides_nothing() -> None:
    ctx = with_metadata(**META)
    store = FakeReceiptRepository(ctx)
    report = validate_metadata(
        store, ctx.ref, places=FakePlaces(fail=True), evaluate_metadata=checks(merchant_name=Answer.SUPPORTS)
    )
    assert report.failed and not store.wrote_anything


def test_dry_run_and_missing_metadata() -> None:
    ctx = with_metadata(**META)
    store = FakeReceiptRepository(ctx)
    report = validate_metadata(store, ctx.ref, dry_run=True, evaluate_metadata=checks(merchant_name=Answer.SUPPORTS))
    assert report.matched == 1 and not store.wrote_anything
    bare = grocery()
    report = validate_metadata(FakeReceiptRepository(bare), bare.ref, evaluate_metadata=checks())
    assert report.metadata_seen == 0 and not report.failed


@pytest.fixture
def places_server() -> Iterator[tuple[str, list[dict]]]:
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append({"body": body, "key": self.headers["X-Goog-Api-Key"], "mask": self.headers["X-Goog-FieldMask"]})
            if body["textQuery"] == "fail":
                self.send_response(429)
                self.end_headers()
                return
            places = (
                []
                if body["textQuery"] == "nowhere"
                else [
                    {
                        "id": "ChIJ1",
                        "displayName": {"text": "Trader Joe's"},
                        "formattedAddress": "123 Main St",
                        "nationalPhoneNumber": "(805) 555-0100",
                    }
                ]
            )
            data = json.dumps({"places": places} if places else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1/places:searchText", seen
    server.shutdown()
    server.server_close()


def test_google_places_client_speaks_text_search(places_server: tuple[str, list[dict]]) -> None:
    url, seen = places_server
    client = GooglePlacesClient("key-1", url=url, timeout_s=2)
    match = client.search_text("Trader Joe's, 123 Main St")
    assert match == PlaceMatch(
        place_id="ChIJ1", name="Trader Joe's", address="123 Main St", phone_number="(805) 555-0100"
    )
    assert seen[0]["key"] == "key-1" and "places.id" in seen[0]["mask"]
    assert client.search_text("nowhere") is None
    with pytest.raises(PlacesUnavailable):
        client.search_text("fail")
