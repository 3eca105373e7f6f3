"""Google Places as a second witness for receipt metadata: one Text Search, then code compares fields.

Used only when the caller has a key (read from SSM or the environment by the door). Any failure raises
`PlacesUnavailable`, which the service turns into "no decision" for the receipt's metadata.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from typing import Protocol

from pydantic import BaseModel

from domain.model import Answer, Evidence, EvidenceKind, ReceiptMetadata

TEXT_SEARCH_URL = "https://places.googleapis.com/v1/places:searchText"
FIELD_MASK = (
    "places.id,places.displayName,places.formattedAddress,places.nationalPhoneNumber,places.internationalPhoneNumber"
)
SOURCE = "places:text_search"


class PlacesUnavailable(RuntimeError):
    """Places gave no usable answer (network, quota, key, malformed reply)."""


class PlaceMatch(BaseModel):
    place_id: str
    name: str | None = None
    address: str | None = None
    phone_number: str | None = None


class PlacesClient(Protocol):
    def search_text(self, query: str) -> PlaceMatch | None:
        """The best match for a free-text query, or None when Places finds nothing."""
        ...


class GooglePlacesClient:
    """Places API (New) Text Search over urllib: no extra dependency in the Lambda."""

    def __init__(self, api_key: str, *, timeout_s: float = 10.0, url: str = TEXT_SEARCH_URL) -> None:
        if not api_key:
            raise ValueError("a Places API key is required")
        self._key = api_key
        self._timeout = timeout_s
        self._url = url

    def search_text(self, query: str) -> PlaceMatch | None:
        body = json.dumps({"textQuery": query, "maxResultCount": 1}).encode()
        request = urllib.request.Request(
            self._url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Goog-Api-Key": self._key,
                "X-Goog-FieldMask": FIELD_MASK,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as resp:
                payload = json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise PlacesUnavailable(f"places http {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
            raise PlacesUnavailable(f"places: {type(exc).__name__}: {exc}") from exc
        places = payload.get("places") or []
        if not places:
            return None
        top = places[0]
        try:
            return PlaceMatch(
                place_id=top["id"],
                name=(top.get("displayName") or {}).get("text"),
                address=top.get("formattedAddress"),
                phone_number=top.get("nationalPhoneNumber") or top.get("internationalPhoneNumber"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise PlacesUnavailable(f"places: unexpected reply: {exc}") from exc


def _tokens(text: str | None) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", (text or "").lower().replace("'", "")))


def _digits(text: str | None) -> str:
    return re.sub(r"\D", "", text or "")


def query_for(metadata: ReceiptMetadata) -> str | None:
    """What to ask Places: the merchant and, if known, where it is."""
    parts = [p for p in (metadata.merchant_name, metadata.address) if p]
    return ", ".join(parts) if parts else None


def place_evidence(metadata: ReceiptMetadata, place: PlaceMatch | None) -> dict[str, list[Evidence]]:
    """Field by field, whether Places' best match agrees with the stored metadata."""
    out: dict[str, list[Evidence]] = {"merchant_name": [], "phone_number": [], "address": []}
    if place is None:
        if metadata.merchant_name:
            out["merchant_name"].append(
                Evidence(
                    question="does Places know this merchant",
                    answer=Answer.UNKNOWN,
                    detail="no match",
                    source=SOURCE,
                    kind=EvidenceKind.METADATA,
                )
            )
        return out
    if metadata.merchant_name and place.name:
        mine, theirs = _tokens(metadata.merchant_name), _tokens(place.name)
        overlap = len(mine & theirs) / max(1, min(len(mine), len(theirs)))
        out["merchant_name"].append(
            Evidence(
                question="does the Places name match the merchant name",
                answer=Answer.SUPPORTS if overlap >= 0.5 else Answer.REFUTES,
                detail=f"token overlap {overlap:.2f}",
                source=SOURCE,
                kind=EvidenceKind.METADATA,
            )
        )
    if metadata.phone_number and place.phone_number:
        a, b = _digits(metadata.phone_number)[-10:], _digits(place.phone_number)[-10:]
        if a and b:
            out["phone_number"].append(
                Evidence(
                    question="does the Places phone match",
                    answer=Answer.SUPPORTS if a == b else Answer.REFUTES,
                    detail="same digits" if a == b else "different digits",
                    source=SOURCE,
                    kind=EvidenceKind.METADATA,
                )
            )
    if metadata.address and place.address:
        mine, theirs = _tokens(metadata.address), _tokens(place.address)
        numbers_agree = {t for t in mine if t.isdigit()} <= theirs
        overlap = len(mine & theirs) / max(1, len(mine))
        agree = numbers_agree and overlap >= 0.5
        out["address"].append(
            Evidence(
                question="does the Places address match",
                answer=Answer.SUPPORTS if agree else Answer.REFUTES,
                detail=f"token overlap {overlap:.2f}, numbers {'agree' if numbers_agree else 'differ'}",
                source=SOURCE,
                kind=EvidenceKind.METADATA,
            )
        )
    return out


def canonical_fields(place: PlaceMatch | None) -> dict[str, str]:
    """The `canonical_*` values Places offers (written without prefix in `MetadataVerdict.canonical`)."""
    if place is None:
        return {}
    values = {
        "place_id": place.place_id,
        "merchant_name": place.name,
        "address": place.address,
        "phone_number": place.phone_number,
    }
    return {k: v for k, v in values.items() if v}
