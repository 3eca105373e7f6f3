"""The receipts table: created with the CONTRACT §1 schema, or an existing one referenced by name and stream ARN.

Either way the rest of the program sees a `TableRef` with the ARNs IAM needs, so it never cares which mode ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.config import SettingsError, TableSettings

# CONTRACT §1: GSI1..GSI3 on GSI<n>PK/GSI<n>SK, GSITYPE on TYPE alone, all projecting ALL.
INDEX_KEYS: dict[str, tuple[str, str | None]] = {
    "GSI1": ("GSI1PK", "GSI1SK"),
    "GSI2": ("GSI2PK", "GSI2SK"),
    "GSI3": ("GSI3PK", "GSI3SK"),
    "GSITYPE": ("TYPE", None),
}


@dataclass(frozen=True)
class TableRef:
    """What functions and policies need to know about the table, whichever way it came to exist."""

    name: pulumi.Input[str]
    arn: pulumi.Output[str]
    stream_arn: pulumi.Output[str]
    resource: aws.dynamodb.Table | None = None  # None for an existing table

    @property
    def index_arns(self) -> pulumi.Output[list[str]]:
        """One ARN per index, listed by name rather than `/index/*`, so a new index is a deliberate grant."""
        return self.arn.apply(lambda arn: index_arns(arn))


def index_arns(table_arn: str) -> list[str]:
    return [f"{table_arn}/index/{name}" for name in INDEX_KEYS]


def table_arn_from_stream_arn(stream_arn: str, expected_name: str | None = None) -> str:
    """`arn:…:table/NAME/stream/LABEL` -> `arn:…:table/NAME`; no lookup needed for an existing table."""
    table_arn, sep, label = stream_arn.partition("/stream/")
    if not sep or not label or ":table/" not in table_arn:
        raise SettingsError(f"not a DynamoDB stream ARN: {stream_arn!r}")
    name = table_arn.split(":table/", 1)[1]
    if expected_name is not None and name != expected_name:
        raise SettingsError(f"stream ARN {stream_arn!r} belongs to table {name!r}, not {expected_name!r}")
    return table_arn


def _index_key_schema(
    hash_key: str, range_key: str | None
) -> list[aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs]:
    keys = [aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=hash_key, key_type="HASH")]
    if range_key:
        keys.append(aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(attribute_name=range_key, key_type="RANGE"))
    return keys


def create_table(name: str, deletion_protection: bool = True) -> aws.dynamodb.Table:
    """A new table in the single-table layout, on-demand, streaming both images, with point-in-time recovery."""
    key_attrs = sorted({"PK", "SK"} | {k for pair in INDEX_KEYS.values() for k in pair if k})
    return aws.dynamodb.Table(
        "receipts",
        name=name,
        billing_mode="PAY_PER_REQUEST",
        hash_key="PK",
        range_key="SK",
        attributes=[aws.dynamodb.TableAttributeArgs(name=a, type="S") for a in key_attrs],
        global_secondary_indexes=[
            aws.dynamodb.TableGlobalSecondaryIndexArgs(
                name=index, key_schemas=_index_key_schema(hash_key, range_key), projection_type="ALL"
            )
            for index, (hash_key, range_key) in INDEX_KEYS.items()
        ],
        stream_enabled=True,
        stream_view_type="NEW_AND_OLD_IMAGES",
        point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
        deletion_protection_enabled=deletion_protection,
    )


def table_ref(settings: TableSettings) -> TableRef:
    """Create the table, or describe the existing one (and declare nothing)."""
    if settings.use_existing:
        stream_arn = settings.existing_stream_arn or ""
        arn = table_arn_from_stream_arn(stream_arn, settings.existing_name)
        return TableRef(
            name=settings.existing_name or "",
            arn=pulumi.Output.from_input(arn),
            stream_arn=pulumi.Output.from_input(stream_arn),
        )
    table = create_table(settings.name, settings.deletion_protection)
    return TableRef(name=table.name, arn=table.arn, stream_arn=table.stream_arn, resource=table)
