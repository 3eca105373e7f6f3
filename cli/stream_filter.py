"""The event source mapping's filter, applied locally with EventBridge pattern semantics.

Lambda matches each filter pattern against the stream record as its function would receive it (the record JSON, with
`dynamodb.NewImage` in DynamoDB JSON), and a record passes when any pattern matches. The matcher is moto's EventBridge
pattern implementation (exists, prefix, anything-but, numeric, ...), not a hand-written one.

A pattern only ever looks at the fields it names, so the matcher is handed the record cut down to those fields (whole
values at the pattern's leaves, and wherever the record has no object where the pattern has one): the same answer,
without flattening every attribute of every image of the ~10 records in 11 that do not pass.
`tests/unit/stream/test_filter_projection.py` checks the cut-down and the whole record get the same answers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from moto.events.models import EventPattern

from cli.stream_events import jsonable
from stream_handlers.filter_pattern import FILTER_PATTERNS

# The fields the patterns name, as a tree: a dict where some pattern has an object, None where a pattern's leaf is.
FieldTree = dict[str, Any]


class StreamFilter:
    def __init__(self, patterns: Iterable[Mapping[str, Any]] = FILTER_PATTERNS):
        patterns = list(patterns)
        self.patterns = [EventPattern.load(json.dumps(p)) for p in patterns]
        self.fields: FieldTree | None = {}
        for pattern in patterns:
            if any(name.startswith("$") for name in _names(pattern)):
                # $or and its kind: a combinator's fields are not cut out, so the whole record is matched
                self.fields = None
                break
            _merge_fields(self.fields, pattern)

    def matches(self, record: Mapping[str, Any]) -> bool:
        """True when any pattern matches `record`: a Lambda-shaped stream record, its values as Lambda sends them or
        as GetRecords gives them (`cli.stream_events.shallow_record`); the fields looked at are converted here."""
        named = jsonable(project(record, self.fields) if self.fields is not None else record)
        return any(p.matches_event(dict(named)) for p in self.patterns)


def _merge_fields(tree: FieldTree, pattern: Mapping[str, Any]) -> None:
    for name, rule in pattern.items():
        if isinstance(rule, Mapping):
            sub = tree.get(name, {})
            if sub is None:  # a leaf in another pattern: the whole value is kept anyway
                continue
            tree[name] = sub
            _merge_fields(sub, rule)
        else:
            tree[name] = None


def _names(pattern: Mapping[str, Any]) -> Iterable[str]:
    for name, rule in pattern.items():
        yield name
        if isinstance(rule, Mapping):
            yield from _names(rule)


def project(record: Mapping[str, Any], fields: FieldTree) -> dict[str, Any]:
    """`record` with only the named fields: a leaf's value whole, an object's named members, anything else whole."""
    out: dict[str, Any] = {}
    for name, sub in fields.items():
        if name not in record:
            continue
        value = record[name]
        out[name] = project(value, sub) if sub is not None and isinstance(value, Mapping) else value
    return out
