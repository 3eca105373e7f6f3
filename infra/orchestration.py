"""One Step Functions state machine per sweep (definition: infra/state_machine.py), with a role that may invoke
only its sweeper. EventBridge schedules start these executions; `receipt-validator invoke` starts them by hand."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.config import Settings
from infra.functions import DeployedFunction
from infra.iam import assume_role_policy, state_machine_policy
from infra.state_machine import sweep_definition


@dataclass
class SweepMachine:
    sweeper: str
    machine: aws.sfn.StateMachine
    role: aws.iam.Role
    timeout_seconds: int


def create_state_machines(settings: Settings, sweepers: dict[str, DeployedFunction]) -> dict[str, SweepMachine]:
    machines: dict[str, SweepMachine] = {}
    for key, fn in sweepers.items():
        name = f"{settings.prefix}-sweep-{key}"
        role = aws.iam.Role(
            f"{key}-sweep-role",
            name=f"{name}-role"[:64],
            assume_role_policy=json.dumps(assume_role_policy("states.amazonaws.com")),
            description=f"Execution role of the {key} sweep state machine: invokes its sweeper only",
        )
        policy = aws.iam.RolePolicy(
            f"{key}-sweep-policy",
            role=role.id,
            policy=fn.function.arn.apply(lambda arn: json.dumps(state_machine_policy(arn), sort_keys=True)),
        )
        definition = fn.function.arn.apply(
            lambda arn, key=key: json.dumps(
                sweep_definition(
                    key,
                    arn,
                    max_concurrency=settings.sweep_max_concurrency,
                    timeout_seconds=settings.sweep_timeout_seconds,
                ),
                sort_keys=True,
            )
        )
        machine = aws.sfn.StateMachine(
            f"{key}-sweep",
            name=name,
            role_arn=role.arn,
            type="STANDARD",
            definition=definition,
            opts=pulumi.ResourceOptions(depends_on=[policy]),
        )
        machines[key] = SweepMachine(key, machine, role, settings.sweep_timeout_seconds)
    return machines
