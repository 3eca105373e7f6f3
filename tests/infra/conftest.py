"""Runs the Pulumi program under `pulumi.runtime.set_mocks` and records every resource it declares.

Resource inputs arrive as Pulumi sees them (camelCase keys, outputs resolved), which is what AWS would receive.
The mocks invent ARNs in the shapes AWS uses, so ARN-derived values (SSM parameter ARNs, index ARNs) are real.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pulumi
import pytest

from infra.config import Settings, TableSettings
from infra.lambda_code import placeholder_artifacts
from infra.stack import build_stack

REGION = "us-east-1"
ACCOUNT = "123456789012"
EXISTING_STREAM_ARN = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/receipts-prod/stream/2024-05-01T00:00:00.000"


def fake_arn(typ: str, name: str) -> str:
    service_and_kind = {
        "aws:dynamodb/table:Table": ("dynamodb", "table/"),
        "aws:lambda/function:Function": ("lambda", "function:"),
        "aws:lambda/layerVersion:LayerVersion": ("lambda", "layer:"),
        "aws:sqs/queue:Queue": ("sqs", ""),
        "aws:cloudwatch/logGroup:LogGroup": ("logs", "log-group:"),
        "aws:cloudwatch/eventRule:EventRule": ("events", "rule/"),
        "aws:sns/topic:Topic": ("sns", ""),
        "aws:iam/role:Role": ("iam", "role/"),
        "aws:sfn/stateMachine:StateMachine": ("states", "stateMachine:"),
    }
    service, kind = service_and_kind.get(typ, (typ.split(":")[1].split("/")[0], f"{typ.rsplit(':', 1)[1]}/"))
    region = "" if service == "iam" else REGION
    return f"arn:aws:{service}:{region}:{ACCOUNT}:{kind}{name}"


@dataclass
class Declared:
    typ: str
    name: str  # Pulumi resource name
    inputs: dict[str, Any]
    state: dict[str, Any]


class RecordingMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[Declared] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        physical = args.inputs.get("name") or args.inputs.get("namePrefix") or args.name
        state = dict(args.inputs)
        state.setdefault("name", physical)
        state["arn"] = fake_arn(args.typ, physical)
        if args.typ == "aws:dynamodb/table:Table":
            state["streamArn"] = f"{state['arn']}/stream/2024-01-01T00:00:00.000"
        if args.typ == "aws:sqs/queue:Queue":
            state["url"] = f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{physical}"
        if args.typ == "aws:lambda/layerVersion:LayerVersion":
            state["arn"] = f"{state['arn']}:1"
        if args.typ == "aws:lambda/eventSourceMapping:EventSourceMapping":
            state["uuid"] = "00000000-0000-0000-0000-000000000001"
        self.resources.append(Declared(args.typ, args.name, dict(args.inputs), state))
        resource_id = f"{physical}-id" if args.typ != "aws:s3/bucket:Bucket" else f"{physical}bucket"
        return resource_id, state

    def call(self, args: pulumi.runtime.MockCallArgs):
        raise AssertionError(f"the program should make no provider calls, got {args.token}")


@dataclass
class Program:
    """What one run of the program declared, with small finders for the tests."""

    resources: list[Declared]
    outputs: dict[str, Any] = field(default_factory=dict)

    def of_type(self, typ: str) -> list[Declared]:
        return [r for r in self.resources if r.typ == typ]

    def one(self, typ: str, name: str | None = None) -> Declared:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        assert len(found) == 1, f"expected one {typ} {name or ''}, found {[r.name for r in found]}"
        return found[0]

    def functions(self) -> dict[str, Declared]:
        return {r.name: r for r in self.of_type("aws:lambda/function:Function")}


def run_program(settings: Settings) -> Program:
    """Declare the whole stack under mocks (placeholder archives: no build) and wait for every output."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="receipt-validator", stack="test", preview=False)
    program = Program(mocks.resources)

    @pulumi.runtime.test
    def declare():
        outputs = build_stack(settings, placeholder_artifacts())
        return pulumi.Output.from_input(outputs).apply(program.outputs.update)

    declare()
    return program


@pytest.fixture(scope="session")
def new_table_program() -> Program:
    return run_program(Settings(prefix="rv-test", alarm_email="ops@example.com"))


@pytest.fixture(scope="session")
def existing_table_program() -> Program:
    settings = Settings(
        prefix="rv-prod",
        table=TableSettings(existing_name="receipts-prod", existing_stream_arn=EXISTING_STREAM_ARN),
        places_api_key_param=None,
        artifact_bucket="team-artifacts",
        secrets_kms_key_arn=f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    )
    return run_program(settings)
