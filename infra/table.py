"""The receipts table: created from the one schema declaration (domain/store/schema.py, CONTRACT §1), or an
existing one referenced by name and stream ARN.

Either way the rest of the program sees a `TableRef` with the ARNs IAM needs, so it never cares which mode ran.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from domain.store.schema import TABLE, Index
from infra.config import SettingsError, TableSettings


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
    return [f"{table_arn}/index/{name}" for name in TABLE.index_names]


def table_arn_from_stream_arn(stream_arn: str, expected_name: str | None = None) -> str:
    """`arn:…:table/NAME/stream/LABEL` -> `arn:…:table/NAME`; no lookup needed for an existing table."""
    table_arn, sep, label = stream_arn.partition("/stream/")
    if not sep or not label or ":table/" not in table_arn:
        raise SettingsError(f"not a DynamoDB stream ARN: {stream_arn!r}")
    name = table_arn.split(":table/", 1)[1]
    if expected_name is not None and name != expected_name:
        raise SettingsError(f"stream ARN {stream_arn!r} belongs to table {name!r}, not {expected_name!r}")
    return table_arn


def _index_args(index: Index) -> aws.dynamodb.TableGlobalSecondaryIndexArgs:
    return aws.dynamodb.TableGlobalSecondaryIndexArgs(
        name=index.name,
        key_schemas=[
            aws.dynamodb.TableGlobalSecondaryIndexKeySchemaArgs(
                attribute_name=e["AttributeName"], key_type=e["KeyType"]
            )
            for e in index.key.elements()
        ],
        projection_type=index.projection,
        non_key_attributes=list(index.non_key_attributes) or None,
    )


def create_table(name: str, deletion_protection: bool = True) -> aws.dynamodb.Table:
    """A new table of the one schema (domain/store/schema.py), with point-in-time recovery and deletion protection."""
    return aws.dynamodb.Table(
        "receipts",
        name=name,
        billing_mode=TABLE.billing_mode,
        hash_key=TABLE.key.hash_key,
        range_key=TABLE.key.range_key,
        attributes=[aws.dynamodb.TableAttributeArgs(name=n, type=t) for n, t in TABLE.attribute_types.items()],
        global_secondary_indexes=[_index_args(index) for index in TABLE.indexes],
        stream_enabled=True,
        stream_view_type=TABLE.stream_view_type,
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
