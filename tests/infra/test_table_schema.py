"""The table is declared once (domain/store/schema.py): what `receipt-validator table create` makes and what the
Pulumi program declares are both that declaration: keys, attribute definitions, every index with its key schema and
projection, the stream's view type and the billing mode.

`table create` runs for real against moto (in the process) and DynamoDB Local, and the table is read back with
DescribeTable; the Pulumi program runs under `pulumi.runtime.set_mocks` and the table resource's inputs are compared.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from cli.main import main
from domain.store.schema import TABLE, TableSchema
from tests.infra.conftest import Program

TABLE_RESOURCE = "aws:dynamodb/table:Table"


def declared(schema: TableSchema) -> dict[str, Any]:
    """The schema in one comparable shape."""
    return {
        "key": [tuple(e.values()) for e in schema.key.elements()],
        "attributes": dict(schema.attribute_types),
        "indexes": {
            ix.name: ([tuple(e.values()) for e in ix.key.elements()], ix.projection, sorted(ix.non_key_attributes))
            for ix in schema.indexes
        },
        "stream": schema.stream_view_type,
        "billing": schema.billing_mode,
    }


def described(table: dict[str, Any]) -> dict[str, Any]:
    """DescribeTable's answer in the same shape."""
    return {
        "key": [(e["AttributeName"], e["KeyType"]) for e in table["KeySchema"]],
        "attributes": {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]},
        "indexes": {
            ix["IndexName"]: (
                [(e["AttributeName"], e["KeyType"]) for e in ix["KeySchema"]],
                ix["Projection"]["ProjectionType"],
                sorted(ix["Projection"].get("NonKeyAttributes", [])),
            )
            for ix in table.get("GlobalSecondaryIndexes", [])
        },
        "stream": table["StreamSpecification"]["StreamViewType"]
        if table["StreamSpecification"]["StreamEnabled"]
        else None,
        "billing": table.get("BillingModeSummary", {}).get("BillingMode"),
    }


def pulumi_inputs(inputs: dict[str, Any]) -> dict[str, Any]:
    """The Pulumi table resource's inputs (camelCase, as the provider receives them) in the same shape."""
    key = [(inputs["hashKey"], "HASH")] + ([(inputs["rangeKey"], "RANGE")] if inputs.get("rangeKey") else [])
    return {
        "key": key,
        "attributes": {a["name"]: a["type"] for a in inputs["attributes"]},
        "indexes": {
            ix["name"]: (
                [(k["attributeName"], k["keyType"]) for k in ix["keySchemas"]],
                ix["projectionType"],
                sorted(ix.get("nonKeyAttributes") or []),
            )
            for ix in inputs["globalSecondaryIndexes"]
        },
        "stream": inputs["streamViewType"] if inputs.get("streamEnabled") else None,
        "billing": inputs["billingMode"],
    }


def test_the_declaration_is_the_contract() -> None:
    """The one declaration itself (CONTRACT §1), so a change to it is a deliberate one."""
    assert declared(TABLE) == {
        "key": [("PK", "HASH"), ("SK", "RANGE")],
        "attributes": {
            a: "S" for a in ("PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "TYPE")
        },
        "indexes": {
            "GSI1": ([("GSI1PK", "HASH"), ("GSI1SK", "RANGE")], "ALL", []),
            "GSI2": ([("GSI2PK", "HASH"), ("GSI2SK", "RANGE")], "ALL", []),
            "GSI3": ([("GSI3PK", "HASH"), ("GSI3SK", "RANGE")], "ALL", []),
            "GSITYPE": ([("TYPE", "HASH")], "ALL", []),
        },
        "stream": "NEW_AND_OLD_IMAGES",
        "billing": "PAY_PER_REQUEST",
    }


def test_table_create_makes_the_declared_table(backend: str | None, capsys: pytest.CaptureFixture[str]) -> None:
    name = f"schema-{uuid.uuid4().hex[:8]}"
    endpoint = ["--endpoint-url", backend] if backend else []
    assert main([*endpoint, "--region", "us-east-1", "--table", name, "table", "create"]) == 0
    assert f"table {name} created" in capsys.readouterr().err
    client = boto3.client("dynamodb", endpoint_url=backend, region_name="us-east-1")
    try:
        assert described(client.describe_table(TableName=name)["Table"]) == declared(TABLE)
    finally:
        client.delete_table(TableName=name)


@pytest.mark.infra
@pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws")
def test_the_pulumi_table_is_the_declared_table(new_table_program: Program) -> None:
    table = new_table_program.one(TABLE_RESOURCE).inputs
    assert pulumi_inputs(table) == declared(TABLE)


def test_a_declaration_whose_attributes_differ_from_its_keys_is_refused() -> None:
    """DynamoDB refuses an attribute definition no key uses (and a key without one): so does the declaration."""
    with pytest.raises(ValueError, match="attribute definitions"):
        TableSchema(
            key=TABLE.key,
            attribute_types={**TABLE.attribute_types, "EXTRA": "S"},
            indexes=TABLE.indexes,
            stream_view_type=TABLE.stream_view_type,
            billing_mode=TABLE.billing_mode,
        )
