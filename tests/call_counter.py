"""Counts the DynamoDB API calls a boto3 client makes (botocore event hooks), with items returned per call."""

from __future__ import annotations

from collections import Counter
from typing import Any


class CallCounter:
    def __init__(self, client: Any):
        self.calls: Counter[str] = Counter()
        self.items: Counter[str] = Counter()
        self.pages_with_more: Counter[str] = Counter()
        self.requests: list[tuple[str, dict[str, Any]]] = []
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        self.requests.append((model.name, dict(params)))

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        self.items[model.name] += len(parsed.get("Items", []) or [])
        if parsed.get("LastEvaluatedKey"):
            self.pages_with_more[model.name] += 1

    def reset(self) -> None:
        self.calls.clear()
        self.items.clear()
        self.pages_with_more.clear()
        self.requests.clear()
