"""The event source mapping's filter, applied locally with EventBridge pattern semantics.

Lambda matches each filter pattern against the stream record as its function would receive it (the record JSON, with
`dynamodb.NewImage` in DynamoDB JSON), and a record passes when any pattern matches. The matcher is moto's EventBridge
pattern implementation (exists, prefix, anything-but, numeric, ...), not a hand-written one.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from moto.events.models import EventPattern

from stream_handlers.filter_pattern import FILTER_PATTERNS


class StreamFilter:
    def __init__(self, patterns: Iterable[Mapping[str, Any]] = FILTER_PATTERNS):
        self.patterns = [EventPattern.load(json.dumps(p)) for p in patterns]

    def matches(self, record: Mapping[str, Any]) -> bool:
        """True when any pattern matches `record` (a Lambda-shaped stream record; JSON-safe values)."""
        return any(p.matches_event(dict(record)) for p in self.patterns)
