"""A scripted Places client: answers from a table of queries, counts calls, can fail."""

from __future__ import annotations

from domain.places import PlaceMatch, PlacesUnavailable


class FakePlaces:
    def __init__(self, match: PlaceMatch | None = None, *, fail: bool = False) -> None:
        self.match = match
        self.fail = fail
        self.queries: list[str] = []

    def search_text(self, query: str) -> PlaceMatch | None:
        self.queries.append(query)
        if self.fail:
            raise PlacesUnavailable("places http 429")
        return self.match
