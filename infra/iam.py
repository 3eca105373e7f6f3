"""IAM policy documents, as pure functions of ARNs, so least privilege is checked by unit tests, not by reading JSON.

Every statement names its resources. The one exception is `dynamodb:ListStreams`, which AWS does not let
you scope to a resource (its Resource must be `*`); Lambda's stream poller calls it with the function's role.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Actions whose Resource must be "*" because AWS offers no resource-level permission for them.
WILDCARD_ONLY_ACTIONS: frozenset[str] = frozenset({"dynamodb:ListStreams"})

# What the validator does to the table: read a receipt (Query), read single items, and conditional
# UpdateItem for verdicts. No PutItem/DeleteItem: it never replaces or removes items (CONTRACT §1).
TABLE_ACTIONS: tuple[str, ...] = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:UpdateItem",
    "dynamodb:ConditionCheckItem",
)
INDEX_ACTIONS: tuple[str, ...] = ("dynamodb:Query",)
STREAM_ACTIONS: tuple[str, ...] = (
    "dynamodb:DescribeStream",
    "dynamodb:GetRecords",
    "dynamodb:GetShardIterator",
)

PolicyDocument = dict[str, Any]

_ONE_FUNCTIONS_QUALIFIERS = re.compile(r"arn:[^:*]+:lambda:[^:*]+:[^:*]+:function:[^:*]+:\*")


@dataclass(frozen=True)
class Arn:
    """The fields of an ARN that other ARNs are built from."""

    partition: str
    service: str
    region: str
    account: str
    resource: str

    @classmethod
    def parse(cls, arn: str) -> Arn:
        parts = arn.split(":", 5)
        if len(parts) != 6 or parts[0] != "arn":
            raise ValueError(f"not an ARN: {arn!r}")
        return cls(*parts[1:])


def ssm_parameter_arn(name: str, like: str) -> str:
    """ARN of a parameter in the same partition/region/account as `like` (the table's ARN)."""
    a = Arn.parse(like)
    return f"arn:{a.partition}:ssm:{a.region}:{a.account}:parameter/{name.lstrip('/')}"


def assume_role_policy(service: str = "lambda.amazonaws.com") -> PolicyDocument:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


@dataclass(frozen=True)
class FunctionGrants:
    """Everything one function may touch. Optional parts are granted only when set."""

    table_arn: str
    index_arns: list[str]
    log_group_arn: str
    dlq_arn: str
    ssm_parameter_arns: list[str] = field(default_factory=list)
    kms_key_arn: str | None = None  # customer-managed key of the SecureStrings; None = default aws/ssm key
    stream_arn: str | None = None  # the stream function only


def _statement(sid: str, actions: tuple[str, ...] | list[str], resources: list[str], **extra: Any) -> dict:
    return {"Sid": sid, "Effect": "Allow", "Action": list(actions), "Resource": resources, **extra}


def function_policy(g: FunctionGrants) -> PolicyDocument:
    """The inline policy of one function's role."""
    log_group = g.log_group_arn.removesuffix(":*")
    statements = [
        _statement("Logs", ["logs:CreateLogStream", "logs:PutLogEvents"], [log_group, f"{log_group}:*"]),
        _statement("Table", TABLE_ACTIONS, [g.table_arn]),
        _statement("Indexes", INDEX_ACTIONS, list(g.index_arns)),
        _statement("DeadLetterQueue", ["sqs:SendMessage"], [g.dlq_arn]),
    ]
    if g.stream_arn:
        statements.append(_statement("Stream", STREAM_ACTIONS, [g.stream_arn]))
        statements.append(_statement("ListStreams", ["dynamodb:ListStreams"], ["*"]))
    if g.ssm_parameter_arns:
        statements.append(
            _statement("SecretParameters", ["ssm:GetParameter", "ssm:GetParameters"], list(g.ssm_parameter_arns))
        )
        if g.kms_key_arn:
            region = Arn.parse(g.table_arn).region
            statements.append(
                _statement(
                    "DecryptSecretParameters",
                    ["kms:Decrypt"],
                    [g.kms_key_arn],
                    Condition={"StringEquals": {"kms:ViaService": f"ssm.{region}.amazonaws.com"}},
                )
            )
    return {"Version": "2012-10-17", "Statement": statements}


def state_machine_policy(function_arn: str) -> PolicyDocument:
    """A sweep's state machine may invoke its one sweeper (any version or alias of it), nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [_statement("InvokeSweeper", ["lambda:InvokeFunction"], [function_arn, f"{function_arn}:*"])],
    }


def schedule_policy(state_machine_arn: str) -> PolicyDocument:
    """A schedule rule may start executions of its one state machine."""
    return {
        "Version": "2012-10-17",
        "Statement": [_statement("StartSweep", ["states:StartExecution"], [state_machine_arn])],
    }


def queue_policy(queue_arn: str, rule_arns: list[str]) -> PolicyDocument:
    """Lets the schedule rules dead-letter undeliverable events into the DLQ, and nothing else."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ScheduleDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": sorted(rule_arns)}},
            }
        ],
    }


def wildcard_violations(policy: PolicyDocument) -> list[str]:
    """Statements granting `*` (or a `*` inside an ARN) beyond what AWS forces; empty means least privilege."""
    problems = []
    for st in policy["Statement"]:
        actions = st["Action"] if isinstance(st["Action"], list) else [st["Action"]]
        resources = st["Resource"] if isinstance(st["Resource"], list) else [st["Resource"]]
        for action in actions:
            if "*" in action:
                problems.append(f"{st.get('Sid')}: wildcard action {action}")
        for resource in resources:
            if resource == "*" and set(actions) <= WILDCARD_ONLY_ACTIONS:
                continue
            group = resource.partition(":log-group:")[2].removesuffix(":*")
            if group and "*" not in group and resource.endswith(":*"):
                continue  # the log streams of one named log group
            if _ONE_FUNCTIONS_QUALIFIERS.fullmatch(resource):
                continue  # the versions and aliases of one named function
            if "*" in resource:
                problems.append(f"{st.get('Sid')}: wildcard resource {resource} for {actions}")
    return problems
