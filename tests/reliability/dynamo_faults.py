"""DynamoDB faults moto cannot produce, injected into one boto3 client with botocore event hooks.

`before-call` sits outside botocore's retry loop, so an injected error there reaches the store exactly as a fault
that outlasted every retry would. `transient` uses `before-send` (inside the loop) to show botocore absorbing a
short burst. Successful UpdateItems are counted per key, so a test can prove no label was written twice.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from botocore.awsrequest import AWSResponse

Body = dict[str, Any]
Key = tuple[str, str]


@dataclass
class _Rule:
    operation: str
    code: str
    when: Callable[[Body], bool]
    times: int | None
    hits: int = 0


class _Raw:
    def __init__(self, data: bytes) -> None:
        self.data = data

    def stream(self, **_: Any) -> Any:
        yield self.data


def body_key(body: Body) -> Key | None:
    """The (PK, SK) an UpdateItem/GetItem request names, if any."""
    key = body.get("Key") or {}
    if "PK" in key and "SK" in key:
        return key["PK"]["S"], key["SK"]["S"]
    return None


def query_pk(body: Body) -> str | None:
    """The :pk value of a Query on the table (None for index queries)."""
    if body.get("IndexName"):
        return None
    return (body.get("ExpressionAttributeValues") or {}).get(":pk", {}).get("S")


class DynamoFaults:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.rules: list[_Rule] = []
        self.calls: Counter[str] = Counter()
        self.injected: Counter[str] = Counter()
        self.updates_ok: Counter[Key] = Counter()
        client.meta.events.register("before-call.dynamodb", self._before)
        client.meta.events.register("after-call.dynamodb", self._after)

    def fail(
        self, operation: str, code: str, *, when: Callable[[Body], bool] = lambda _: True, times: int | None = None
    ) -> _Rule:
        """From now on, `operation` calls whose request body satisfies `when` fail with `code` (`times` of them)."""
        rule = _Rule(operation, code, when, times)
        self.rules.append(rule)
        return rule

    def clear(self) -> None:
        self.rules.clear()

    def _before(self, model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> Any:
        self.calls[model.name] += 1
        body: Body = json.loads(params.get("body") or b"{}")
        context["fault_key"] = body_key(body)
        for rule in self.rules:
            if rule.operation != model.name or not rule.when(body):
                continue
            if rule.times is not None and rule.hits >= rule.times:
                continue
            rule.hits += 1
            self.injected[f"{model.name}:{rule.code}"] += 1
            error = {"Error": {"Code": rule.code, "Message": f"injected {rule.code}"}}
            return SimpleNamespace(status_code=400, headers={}), {**error, "ResponseMetadata": {"HTTPStatusCode": 400}}
        return None

    def _after(self, model: Any, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name == "UpdateItem" and http_response.status_code < 300 and context.get("fault_key"):
            self.updates_ok[context["fault_key"]] += 1

    def rewritten(self) -> dict[Key, int]:
        """Keys updated more than once: a verdict written twice."""
        return {k: n for k, n in self.updates_ok.items() if n > 1}


def transient(client: Any, operation: str, code: str, times: int) -> Counter[str]:
    """The next `times` sends of `operation` get a 400 `code` from "the service"; botocore's retries see it."""
    seen: Counter[str] = Counter()
    payload = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": "injected"}).encode()

    def send(request: Any, **_: Any) -> AWSResponse | None:
        seen["sends"] += 1
        if seen["faults"] >= times:
            return None
        seen["faults"] += 1
        return AWSResponse(request.url, 400, {"x-amzn-ErrorType": code}, _Raw(payload))

    client.meta.events.register_first(f"before-send.dynamodb.{operation}", send)
    return seen
