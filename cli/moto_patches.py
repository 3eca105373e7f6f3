"""moto's DynamoDB as the embedded backend runs it: two short cuts (same answers, less CPU) and one race fixed.

cProfile of `receipt-validator demo` on moto 5.2.5 (note of issue 16) puts most of its CPU in two places of moto
that do far more work than the answer needs:

- **the response serializer** walks botocore's output shape member by member, looking each one up through five alias
  providers. An item is a map of `AttributeValue` structures of ten members each, so a Query of one receipt or a
  GetRecords page of stream images makes millions of lookups, and hands back the very dicts it was given: moto keeps
  attribute values in DynamoDB's wire form (`{"S": "..."}`, `{"N": "1.5"}`, `{"L": [...]}`). `wire_value_serializer`
  passes such a value through as it is; anything else (binary, an unexpected type) still takes moto's walk.
- **a Query on the table's key** sorts every item of the table (`Table.all_items`, comparing typed values) and then
  keeps the items of one partition. `partition_query` hands that Query the items of its own partition only; moto then
  filters and sorts them by range key exactly as before.

And a race: a stream record's sequence number is `len(shard.items) + start`, computed before the record is appended,
so two writes at once (the write pool's overlapped verdicts, on the threaded moto server) can get the same number; the
stream reader then skips the second as already read. `serialized_stream_records` makes that step one at a time.

All three are installed only around the embedded backend (`cli.embedded`: the demo, `demo --keep`, the stream tests'
served moto) and removed on exit; tests that use `mock_aws` directly keep moto as it is.
tests/unit/cli/test_moto_patches.py compares answers with and without them. moto is pinned (pyproject); if its
internals ever change shape, a patch is not installed (slower, never wrong).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

SERVICES = ("dynamodb", "dynamodbstreams")
PROTOCOL = "json"
ATTRIBUTE_VALUE = "AttributeValue"


def is_wire_value(value: Any) -> bool:
    """True for an attribute value in DynamoDB's JSON wire form that needs no encoding (everything but binary)."""
    if type(value) is not dict or len(value) != 1:
        return False
    ((tag, inner),) = value.items()
    if tag in ("S", "N"):
        return type(inner) is str
    if tag in ("BOOL", "NULL"):
        return type(inner) is bool
    if tag in ("SS", "NS"):
        return type(inner) is list and all(type(x) is str for x in inner)
    if tag == "L":
        return type(inner) is list and all(is_wire_value(x) for x in inner)
    if tag == "M":
        return type(inner) is dict and all(type(k) is str and is_wire_value(v) for k, v in inner.items())
    return False


def wire_serializer_class() -> type | None:
    """moto's JSON serializer, except that attribute values already in wire form are passed through."""
    try:
        from moto.core.serialize import JSONSerializer
    except ImportError:
        return None

    class WireValueSerializer(JSONSerializer):  # type: ignore[misc, valid-type]
        def _serialize_type_structure(self, serialized: Any, value: Any, shape: Any, key: str) -> None:
            if key and shape.name == ATTRIBUTE_VALUE and is_wire_value(value):
                self._default_serialize(serialized, value, shape, key)
                return
            super()._serialize_type_structure(serialized, value, shape, key)

    return WireValueSerializer


@contextlib.contextmanager
def wire_value_serializer() -> Iterator[bool]:
    """Installs the serializer for DynamoDB and DynamoDB Streams for the block; yields whether it was installed."""
    try:
        from moto.core import serialize
    except ImportError:
        yield False
        return
    registry = getattr(serialize, "SERVICE_SPECIFIC_SERIALIZERS", None)
    cls = wire_serializer_class()
    if not isinstance(registry, dict) or cls is None:
        yield False
        return
    saved = {service: registry.get(service) for service in SERVICES}
    for service in SERVICES:
        registry[service] = {**(saved[service] or {}), PROTOCOL: cls}
    try:
        yield True
    finally:
        for service, previous in saved.items():
            if previous is None:
                registry.pop(service, None)
            else:
                registry[service] = previous


_partition = threading.local()


@contextlib.contextmanager
def partition_query() -> Iterator[bool]:
    """For the block, a Query on a table's own key reads only its partition; yields whether it was installed."""
    try:
        from moto.dynamodb.models.table import Table
    except ImportError:
        yield False
        return
    original_query, original_all_items = getattr(Table, "query", None), getattr(Table, "all_items", None)
    if original_query is None or original_all_items is None:
        yield False
        return

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        partitions = getattr(self, "items", None)
        if index_name is not None or hash_key is None or not self.range_key_attr or not isinstance(partitions, dict):
            return original_query(self, hash_key, *args, **kwargs)
        _partition.scope = (self, hash_key)
        try:
            return original_query(self, hash_key, *args, **kwargs)
        finally:
            _partition.scope = None

    def all_items(self: Any) -> Any:
        scope = getattr(_partition, "scope", None)
        if scope is not None and scope[0] is self:
            # the Query keeps only items of this hash key and sorts them by range key itself
            return list(self.items[scope[1]].values()) if scope[1] in self.items else []
        return original_all_items(self)

    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]
    try:
        yield True
    finally:
        Table.query, Table.all_items = original_query, original_all_items  # type: ignore[method-assign]


@contextlib.contextmanager
def serialized_stream_records() -> Iterator[bool]:
    """For the block, stream records are numbered and appended one at a time; yields whether it was installed."""
    try:
        from moto.dynamodb.models.table import StreamShard
    except ImportError:
        yield False
        return
    original_add = getattr(StreamShard, "add", None)
    if original_add is None:
        yield False
        return
    lock = threading.Lock()

    def add(self: Any, old: Any, new: Any) -> None:
        with lock:
            original_add(self, old, new)

    StreamShard.add = add  # type: ignore[method-assign]
    try:
        yield True
    finally:
        StreamShard.add = original_add  # type: ignore[method-assign]


@contextlib.contextmanager
def moto_patches() -> Iterator[dict[str, bool]]:
    """The two short cuts and the stream fix for the block; yields which were installed."""
    with (
        wire_value_serializer() as serializer,
        partition_query() as partition,
        serialized_stream_records() as stream,
    ):
        yield {"wire_value_serializer": serializer, "partition_query": partition, "serialized_stream_records": stream}
