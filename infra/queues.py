"""The dead-letter queue: where stream batches, async sweeper invocations and schedule events go after their retries."""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from infra.iam import queue_policy

DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS maximum: time enough to look before the evidence expires


def create_dlq(prefix: str) -> aws.sqs.Queue:
    return aws.sqs.Queue(
        "dlq",
        name=f"{prefix}-dlq",
        message_retention_seconds=DLQ_RETENTION_SECONDS,
        sqs_managed_sse_enabled=True,
    )


def allow_rules_to_dead_letter(dlq: aws.sqs.Queue, rule_arns: list[pulumi.Output[str]]) -> aws.sqs.QueuePolicy:
    """EventBridge sends undeliverable schedule events as itself, so the queue, not a role, must allow it."""
    policy = pulumi.Output.all(dlq.arn, *rule_arns).apply(lambda a: json.dumps(queue_policy(a[0], list(a[1:]))))
    return aws.sqs.QueuePolicy("dlq-policy", queue_url=dlq.url, policy=policy)
