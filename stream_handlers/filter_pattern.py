"""The one event filter of the stream Lambda, shared by the Pulumi event source mapping and the local stream reader.

Each entry is a Lambda event-filter pattern (EventBridge pattern syntax); a record passes when any entry matches.
Labels pass only when their new image is PENDING, so the validator's own verdict writes never come back. Metadata passes
unless the new image carries the validator's marker, which every metadata write of the validator sets.
"""

from __future__ import annotations

import json

from domain.keys import VALIDATOR_MARKER, VALIDATOR_MARKER_ATTRIBUTE

__all__ = ["FILTER_PATTERNS", "VALIDATOR_MARKER", "VALIDATOR_MARKER_ATTRIBUTE", "filter_criteria_json"]

LABEL_PATTERN: dict = {
    "eventName": ["INSERT", "MODIFY"],
    "dynamodb": {
        "NewImage": {
            "TYPE": {"S": ["RECEIPT_WORD_LABEL"]},
            "validation_status": {"S": ["PENDING"]},
        }
    },
}

METADATA_PATTERN: dict = {
    "eventName": ["INSERT", "MODIFY"],
    "dynamodb": {
        "NewImage": {
            "TYPE": {"S": ["RECEIPT_METADATA"]},
            VALIDATOR_MARKER_ATTRIBUTE: {"S": [{"exists": False}]},
        }
    },
}

FILTER_PATTERNS: tuple[dict, ...] = (LABEL_PATTERN, METADATA_PATTERN)


def filter_criteria_json() -> list[str]:
    """The patterns as the Lambda API wants them: one JSON string per filter."""
    return [json.dumps(p, separators=(",", ":")) for p in FILTER_PATTERNS]
