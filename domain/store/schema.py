"""The receipts table, declared once (CONTRACT §1): keys, attribute definitions, every index with its projection,
the stream and the billing mode.

`receipt-validator table create` and the tests create the table from `create_table_arguments`; the Pulumi program
(infra/table.py) declares the same table from `TABLE`; tests/infra/test_table_schema.py checks both against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:  # the boto3 stubs (dev only) type the requests; nothing of them is needed at run time
    from mypy_boto3_dynamodb.type_defs import (
        CreateTableInputTypeDef,
        GlobalSecondaryIndexTypeDef,
        KeySchemaElementTypeDef,
        ProjectionTypeDef,
    )

AttributeType = Literal["S", "N", "B"]

STATUS_INDEX = "GSI3"  # labels by validation status (GSI3PK = VALIDATION_STATUS#<status>): the sweeps' work lists
TYPE_INDEX = "GSITYPE"  # items by TYPE: listings of receipts and metadata, label counts
ProjectionType = Literal["ALL", "KEYS_ONLY", "INCLUDE"]


@dataclass(frozen=True)
class KeySchema:
    """A partition key and an optional sort key."""

    hash_key: str
    range_key: str | None = None

    @property
    def attributes(self) -> tuple[str, ...]:
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    def elements(self) -> list[KeySchemaElementTypeDef]:
        """DynamoDB's KeySchema list: HASH first, then RANGE."""
        found: list[KeySchemaElementTypeDef] = [{"AttributeName": self.hash_key, "KeyType": "HASH"}]
        if self.range_key is not None:
            found.append({"AttributeName": self.range_key, "KeyType": "RANGE"})
        return found


@dataclass(frozen=True)
class Index:
    """A global secondary index: its keys and what it projects."""

    name: str
    key: KeySchema
    projection: ProjectionType = "ALL"
    non_key_attributes: tuple[str, ...] = ()  # only with INCLUDE

    def projection_argument(self) -> ProjectionTypeDef:
        found: ProjectionTypeDef = {"ProjectionType": self.projection}
        if self.non_key_attributes:
            found["NonKeyAttributes"] = list(self.non_key_attributes)
        return found


@dataclass(frozen=True)
class TableSchema:
    """Everything about the table that is not its name or its operational settings (backups, deletion protection)."""

    key: KeySchema
    attribute_types: dict[str, AttributeType]
    indexes: tuple[Index, ...]
    stream_view_type: Literal["NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES", "KEYS_ONLY"]
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"]

    def __post_init__(self) -> None:
        used = set(self.key.attributes).union(*(ix.key.attributes for ix in self.indexes))
        if used != set(self.attribute_types):
            # DynamoDB refuses a definition no key uses, and a key without a definition
            raise ValueError(f"attribute definitions {sorted(self.attribute_types)} != key attributes {sorted(used)}")

    @property
    def index_names(self) -> tuple[str, ...]:
        return tuple(ix.name for ix in self.indexes)

    def index(self, name: str) -> Index:
        return next(ix for ix in self.indexes if ix.name == name)

    def create_table_arguments(self, table_name: str) -> CreateTableInputTypeDef:
        """The CreateTable request for a table of this schema named `table_name`."""
        indexes: list[GlobalSecondaryIndexTypeDef] = [
            {"IndexName": ix.name, "KeySchema": ix.key.elements(), "Projection": ix.projection_argument()}
            for ix in self.indexes
        ]
        return {
            "TableName": table_name,
            "AttributeDefinitions": [
                {"AttributeName": name, "AttributeType": typ} for name, typ in self.attribute_types.items()
            ],
            "KeySchema": self.key.elements(),
            "GlobalSecondaryIndexes": indexes,
            "BillingMode": self.billing_mode,
            "StreamSpecification": {"StreamEnabled": True, "StreamViewType": self.stream_view_type},
        }


# CONTRACT §1: PK/SK; GSI1..GSI3 on GSI<n>PK/GSI<n>SK and GSITYPE on TYPE alone, all projecting ALL (the sweeps read
# whole labels from GSI3); on-demand; the stream carries both images (the handler compares them).
TABLE = TableSchema(
    key=KeySchema("PK", "SK"),
    attribute_types={
        "PK": "S",
        "SK": "S",
        "GSI1PK": "S",
        "GSI1SK": "S",
        "GSI2PK": "S",
        "GSI2SK": "S",
        "GSI3PK": "S",
        "GSI3SK": "S",
        "TYPE": "S",
    },
    indexes=(
        Index("GSI1", KeySchema("GSI1PK", "GSI1SK")),
        Index("GSI2", KeySchema("GSI2PK", "GSI2SK")),
        Index(STATUS_INDEX, KeySchema("GSI3PK", "GSI3SK")),
        Index(TYPE_INDEX, KeySchema("TYPE")),
    ),
    stream_view_type="NEW_AND_OLD_IMAGES",
    billing_mode="PAY_PER_REQUEST",
)
