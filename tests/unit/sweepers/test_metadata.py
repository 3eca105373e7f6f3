"""The metadata sweep: every receipt's metadata once (GSITYPE cursor resumes mid-page), Places only with a key."""

from __future__ import annotations

import boto3
from aws_lambda_powertools.utilities import parameters
from botocore.stub import Stubber

from domain import keys
from domain.places import GooglePlacesClient, PlaceMatch
from domain.wiring import Wiring, WiringSettings
from sweepers import metadata
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import RunLimits, run_sweep
from tests.call_counter import CallCounter
from tests.unit.sweepers.conftest import StepContext, WriteCounter, load_receipts


class FakePlaces:
    def __init__(self):
        self.queries: list[str] = []

    def search_text(self, query: str) -> PlaceMatch | None:
        self.queries.append(query)
        return None


def test_every_metadata_once_across_time_stops(store):
    """On moto, and on DynamoDB Local in the integration tier (real ExclusiveStartKey semantics)."""
    contexts = load_receipts(store, 4)
    with_metadata = {c.ref for c in contexts if c.metadata is not None}
    writes = WriteCounter(store.client)
    counter = CallCounter(store.client)
    places = FakePlaces()
    sweep = metadata.build(places)

    payload, rounds, done = SweepPayload(), 0, 0
    while True:
        rounds += 1
        summary = run_sweep(sweep, payload, store, StepContext(steps=1), limits=RunLimits(max_workers=1))
        done += summary.receipts
        if summary.cursor is None:
            break
        payload = SweepPayload(cursor=summary.cursor)

    assert done == len(with_metadata) and rounds == len(with_metadata)  # one receipt a round, the last one ends it
    expected = {(keys.image_pk(r.image_id), keys.metadata_sk(r.receipt_id)) for r in with_metadata}
    assert dict(writes.per_key) == dict.fromkeys(expected, 1)
    assert counter.calls["Scan"] == 0
    listing = [p for name, p in counter.requests if name == "Query" and p.get("IndexName")]
    assert {p["IndexName"] for p in listing} == {"GSITYPE"}
    assert len(places.queries) == len(with_metadata)


def places_client(env=None):
    return Wiring(WiringSettings(env=env)).places


def test_places_client_only_when_a_key_is_configured(monkeypatch):
    for name in ("GOOGLE_PLACES_API_KEY", "PLACES_API_KEY", "PLACES_API_KEY_PARAM"):
        monkeypatch.delenv(name, raising=False)
    assert places_client() is None
    monkeypatch.setenv("GOOGLE_PLACES_API_KEY", "local-key")
    assert isinstance(places_client(), GooglePlacesClient)

    # In AWS: the SSM parameter named by PLACES_API_KEY_PARAM, read (decrypted) through powertools parameters.
    name = "/receipt-validator/google-places-api-key"
    ssm = boto3.client("ssm", region_name="us-east-1")
    monkeypatch.setitem(parameters.base.DEFAULT_PROVIDERS, "ssm", parameters.SSMProvider(boto3_client=ssm))
    with Stubber(ssm) as stub:
        stub.add_response(
            "get_parameter",
            {"Parameter": {"Name": name, "Type": "SecureString", "Value": "from-ssm", "Version": 1}},
            {"Name": name, "WithDecryption": True},
        )
        client = places_client({"PLACES_API_KEY_PARAM": name, "GOOGLE_PLACES_API_KEY": "ignored"})
        stub.assert_no_pending_responses()
    assert isinstance(client, GooglePlacesClient) and client._key == "from-ssm"


def test_metadata_sweep_without_places_checks_against_the_receipt(moto_store):
    contexts = load_receipts(moto_store, 2)
    summary = run_sweep(metadata.build(), SweepPayload(), moto_store, LocalContext(600))
    result = summary.as_dict()
    n = sum(c.metadata is not None for c in contexts)
    assert result["metadata_seen"] == n and result["places_calls"] == 0 and result["writes"] == n
    assert result["matched"] + result["unsure"] + result["no_match"] == n
