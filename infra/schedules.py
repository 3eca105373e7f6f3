"""EventBridge rules that start the sweepers, from `SCHEDULES`, each allowed to invoke only its own sweeper."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.functions import DeployedFunction
from sweepers.schedules import SCHEDULES

# EventBridge's own retries before it dead-letters the scheduled event.
TARGET_MAX_RETRIES = 10
TARGET_MAX_EVENT_AGE_SECONDS = 6 * 3600


@dataclass
class Schedule:
    sweeper: str
    rule: aws.cloudwatch.EventRule
    target: aws.cloudwatch.EventTarget
    permission: aws.lambda_.Permission


def create_schedules(prefix: str, sweepers: dict[str, DeployedFunction], dlq: aws.sqs.Queue) -> dict[str, Schedule]:
    """One rule, target and invoke permission per sweeper. The target sends the scheduled event as is:
    the sweepers read it as 'a full sweep' (CONTRACT §5)."""
    missing = set(SCHEDULES) - set(sweepers)
    if missing:
        raise ValueError(f"schedules without a sweeper function: {sorted(missing)}")
    schedules: dict[str, Schedule] = {}
    for sweeper, expression in SCHEDULES.items():
        fn = sweepers[sweeper].function
        rule = aws.cloudwatch.EventRule(
            f"{sweeper}-schedule",
            name=f"{prefix}-{sweeper}",
            description=f"Starts the {sweeper} sweeper ({expression}, UTC)",
            schedule_expression=expression,
        )
        permission = aws.lambda_.Permission(
            f"{sweeper}-schedule-invoke",
            action="lambda:InvokeFunction",
            function=fn.name,
            principal="events.amazonaws.com",
            source_arn=rule.arn,
        )
        target = aws.cloudwatch.EventTarget(
            f"{sweeper}-schedule-target",
            rule=rule.name,
            arn=fn.arn,
            retry_policy=aws.cloudwatch.EventTargetRetryPolicyArgs(
                maximum_retry_attempts=TARGET_MAX_RETRIES,
                maximum_event_age_in_seconds=TARGET_MAX_EVENT_AGE_SECONDS,
            ),
            dead_letter_config=aws.cloudwatch.EventTargetDeadLetterConfigArgs(arn=dlq.arn),
            opts=pulumi.ResourceOptions(depends_on=[permission]),
        )
        schedules[sweeper] = Schedule(sweeper, rule, target, permission)
    return schedules
