"""EventBridge rules that start the sweeps, from `SCHEDULES`: each starts an execution of its sweep's state machine
(never the Lambda directly), with a role allowed to start only that state machine."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.iam import assume_role_policy, schedule_policy
from infra.orchestration import SweepMachine
from sweepers.schedules import SCHEDULES

# EventBridge's own retries before it dead-letters the scheduled event.
TARGET_MAX_RETRIES = 10
TARGET_MAX_EVENT_AGE_SECONDS = 6 * 3600
# The execution's input: an empty payload is a full sweep (CONTRACT §5).
SCHEDULED_INPUT = "{}"


@dataclass
class Schedule:
    sweeper: str
    rule: aws.cloudwatch.EventRule
    target: aws.cloudwatch.EventTarget
    role: aws.iam.Role


def create_schedules(prefix: str, machines: dict[str, SweepMachine], dlq: aws.sqs.Queue) -> dict[str, Schedule]:
    """One rule, target and role per sweep; the target starts the sweep's state machine with a full-sweep input."""
    missing = set(SCHEDULES) - set(machines)
    if missing:
        raise ValueError(f"schedules without a state machine: {sorted(missing)}")
    schedules: dict[str, Schedule] = {}
    for sweeper, expression in SCHEDULES.items():
        machine = machines[sweeper].machine
        rule = aws.cloudwatch.EventRule(
            f"{sweeper}-schedule",
            name=f"{prefix}-{sweeper}",
            description=f"Starts the {sweeper} sweep ({expression}, UTC)",
            schedule_expression=expression,
        )
        role = aws.iam.Role(
            f"{sweeper}-schedule-role",
            name=f"{prefix}-{sweeper}-schedule-role"[:64],
            assume_role_policy=json.dumps(assume_role_policy("events.amazonaws.com")),
            description=f"Lets the {sweeper} schedule start its state machine, nothing else",
        )
        policy = aws.iam.RolePolicy(
            f"{sweeper}-schedule-policy",
            role=role.id,
            policy=machine.arn.apply(lambda arn: json.dumps(schedule_policy(arn), sort_keys=True)),
        )
        target = aws.cloudwatch.EventTarget(
            f"{sweeper}-schedule-target",
            rule=rule.name,
            arn=machine.arn,
            role_arn=role.arn,
            input=SCHEDULED_INPUT,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_retry_attempts=TARGET_MAX_RETRIES,
                maximum_event_age_in_seconds=TARGET_MAX_EVENT_AGE_SECONDS,
            ),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=dlq.arn),
            opts=pulumi.ResourceOptions(depends_on=[policy]),
        )
        schedules[sweeper] = Schedule(sweeper, rule, target, role)
    return schedules
