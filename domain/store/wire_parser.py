"""DynamoDB responses read with their item values left as they came over the wire.

botocore turns every response into Python by walking its output shape, value by value. For an item that walk does
nothing: an AttributeValue's parsed form *is* its JSON form (`{"S": "x"}`, `{"N": "1.5"}`, `{"M": {...}}`), except a
binary (`B`, `BS`), which botocore decodes from base64 to bytes. Measured on DynamoDB Local (`bench/read_path.py`),
skipping the walk (and the codec's Decimal detour) takes about two fifths off a receipt load and off a GetRecords page.

So a client made here parses its responses with botocore's own JSON parser, except that a map of AttributeValues (an
item, a key, a nested `M`) is handed back as `json.loads` gave it, when the response carries no binary at all. A
response that may carry one (a key `"B":` or `"BS":` anywhere in its body; an attribute named B also counts, which
only costs the fast path) is walked by botocore as before. Everything else (timestamps, errors, metadata, retries)
stays botocore's. `tests/unit/store/test_wire_parser.py` checks the two parsers give the same answer.

Installed as a botocore session component (`response_parser_factory`, which botocore asks for when it makes a client)
on a session of its own, so clients made elsewhere are untouched.
"""

from __future__ import annotations

import re
import threading
from typing import Any

import boto3
import botocore.session
from botocore.loaders import Loader
from botocore.parsers import PROTOCOL_PARSERS, JSONParser

ATTRIBUTE_VALUE = "AttributeValue"
# A binary is a member named "B" or "BS" of an AttributeValue, so in the JSON a key: `"B":` or `"BS":`. A string whose
# value is B is `"B"` followed by `,` `}` or `]`; a quote inside a string is escaped (`\"`), so neither matches.
_BINARY_KEY = re.compile(rb'"BS?"\s*:')


# The stubs leave out the protected hooks overridden below (_do_parse, _handle_map), so the base is typed as Any.
_JSONParserBase: Any = JSONParser


# A subclass of Any: botocore's JSONParser, typed as Any above.
class WireValueJSONParser(_JSONParserBase):  # type: ignore[misc]
    """botocore's JSON parser, except that maps of AttributeValues come back as received when no binary is in the
    response. A new parser is made for every response, so the flag set in `_do_parse` is per response."""

    _wire_values = False

    def _do_parse(self, response: dict[str, Any], shape: Any) -> Any:
        body = response.get("body") or b""
        self._wire_values = isinstance(body, bytes) and _BINARY_KEY.search(body) is None
        return super()._do_parse(response, shape)

    def _handle_map(self, shape: Any, value: Any) -> Any:
        if self._wire_values and shape.value.name == ATTRIBUTE_VALUE and isinstance(value, dict):
            return value
        return super()._handle_map(shape, value)


class WireValueParserFactory:
    """Hands out `WireValueJSONParser` for the JSON protocol (DynamoDB's and DynamoDB Streams'), botocore's own
    parsers for any other; the same interface as botocore's `ResponseParserFactory`."""

    def __init__(self) -> None:
        self._defaults: dict[str, Any] = {}

    def set_parser_defaults(self, **kwargs: Any) -> None:
        self._defaults.update(kwargs)

    def create_parser(self, protocol_name: str) -> Any:
        parser_class: Any = WireValueJSONParser if protocol_name == "json" else PROTOCOL_PARSERS[protocol_name]
        return parser_class(**self._defaults)


_loader_lock = threading.Lock()
_loader: Loader | None = None


def _shared_loader() -> Loader:
    """One model loader for every session made here: each session would otherwise read the service model again."""
    global _loader
    with _loader_lock:
        if _loader is None:
            _loader = botocore.session.get_session().get_component("data_loader")
        return _loader


def wire_session() -> boto3.Session:
    """A boto3 session whose clients parse item values as described above (one per call: cheap, as the loader is
    shared, and created when asked, so anything that hooks botocore sessions, such as moto, sees it)."""
    core = botocore.session.get_session()
    core.register_component("data_loader", _shared_loader())
    core.register_component("response_parser_factory", WireValueParserFactory())
    return boto3.Session(botocore_session=core)
