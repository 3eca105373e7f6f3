"""Reading the table as it is stored, by the test itself (not through the code under test)."""

from __future__ import annotations

from typing import Any

from tests.fakes.receipts import IMAGE


def raw_item(store: Any, sk: str, image_id: str = IMAGE) -> dict[str, Any]:
    """One item of receipt image `image_id` exactly as DynamoDB holds it (attribute-value form)."""
    key = {"PK": {"S": f"IMAGE#{image_id}"}, "SK": {"S": sk}}
    return store.client.get_item(TableName=store.table_name, Key=key)["Item"]
