"""What a metadata verdict judged, as a short digest stored with the verdict.

The stream handler compares the digest on a metadata item with the digest of the values the item now holds: equal
means the record is only the validator's own verdict (or a change to something no verdict reads), different means the
data a verdict judged has changed since, or was never judged, and must be validated again. Computed the same way from a
`ReceiptMetadata` (the store, when writing) and from a stream image (the handler, when reading).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

# The metadata attributes a verdict is about; a verdict is written only while they still hold the values judged.
METADATA_JUDGED = ("merchant_name", "address", "phone_number", "place_id")
FINGERPRINT_ATTRIBUTE = "validated_fingerprint"


def metadata_fingerprint(values: Mapping[str, str | None]) -> str:
    """A digest of the judged values (absent and NULL are the same: None)."""
    canonical = json.dumps([values.get(name) for name in METADATA_JUDGED], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:24]
