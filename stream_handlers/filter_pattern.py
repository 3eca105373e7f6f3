"""The one event filter of the stream Lambda, shared by the Pulumi event source mapping and the local stream reader.

Each entry is a Lambda event-filter pattern (EventBridge pattern syntax); a record passes when any entry matches.
Labels pass only when their new image is PENDING, so the validator's own verdict writes never come back. Every insert
or modification of metadata passes: a pattern cannot compare two attributes, so it cannot tell the validator's verdict
from a pipeline's edit. The handler does (`records.classify`): it drops a metadata record whose new image holds the
fingerprint of its own judged values (domain/fingerprint.py), which only a verdict on exactly those values writes.
"""

from __future__ import annotations

import json

__all__ = ["FILTER_PATTERNS", "LABEL_PATTERN", "METADATA_PATTERN", "filter_criteria_json"]

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
        }
    },
}

FILTER_PATTERNS: tuple[dict, ...] = (LABEL_PATTERN, METADATA_PATTERN)


def filter_criteria_json() -> list[str]:
    """The patterns as the Lambda API wants them: one JSON string per filter."""
    return [json.dumps(p, separators=(",", ":")) for p in FILTER_PATTERNS]
