"""CloudWatch alarms and the SNS topic they notify: errors, slowness, silence, stuck stream, dead letters.

"Silence" (a sweeper that did not run) is the subtle one. CloudWatch evaluates at most 7 days of data
(Period x EvaluationPeriods <= 604,800 s), so a weekly sweeper gets an alarm over 7 daily periods with
missing data counted as breaching, while the quarterly one cannot be watched that way at all. For it we
alarm on what would stop it from running: its EventBridge rule failing to deliver (FailedInvocations),
its own errors, and anything in the DLQ. docs/deploy.md explains the choice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.functions import DURATION_ALARM_RATIO, DeployedFunction
from infra.schedules import Schedule

MAX_EVALUATION_SECONDS = 7 * 24 * 3600
DAY = 24 * 3600
ALARM_PERIOD = 300
ERROR_RATE_PERCENT = 10


@dataclass(frozen=True)
class Window:
    """How to look for 'at least one invocation': `evaluation_periods` periods of `period` seconds."""

    period: int
    evaluation_periods: int

    @property
    def seconds(self) -> int:
        return self.period * self.evaluation_periods


_RATE_UNITS = {"minute": 60, "minutes": 60, "hour": 3600, "hours": 3600, "day": DAY, "days": DAY}


def _interval_seconds(expression: str) -> int | None:
    """Longest gap between two runs of a schedule expression, or None if it is longer than a week."""
    rate = re.fullmatch(r"rate\((\d+) (\w+)\)", expression.strip())
    if rate:
        return int(rate.group(1)) * _RATE_UNITS[rate.group(2)]
    cron = re.fullmatch(r"cron\((.+)\)", expression.strip())
    if not cron:
        raise ValueError(f"not a schedule expression: {expression!r}")
    _minute, _hour, dom, month, dow, _year = cron.group(1).split()
    if month not in {"*", "?"}:
        return None  # every few months
    if dom == "?" and dow not in {"*", "?"}:
        return 7 * DAY  # some days of the week: at most a week apart
    if dom in {"*", "?"} and dow in {"*", "?"}:
        return DAY  # every day
    return None  # some days of the month


def invocation_window(expression: str) -> Window | None:
    """A window that always contains at least one scheduled run, or None if CloudWatch cannot hold one."""
    interval = _interval_seconds(expression)
    if interval is None or interval > MAX_EVALUATION_SECONDS:
        return None
    period = DAY if interval >= DAY else 3600
    # One period of slack for a late run, but never beyond what CloudWatch evaluates.
    periods = min(math.ceil(interval / period) + 1, MAX_EVALUATION_SECONDS // period)
    return Window(period=period, evaluation_periods=periods)


def create_topic(prefix: str, alarm_email: str | None) -> aws.sns.Topic:
    topic = aws.sns.Topic("alarms", name=f"{prefix}-alarms")
    if alarm_email:
        aws.sns.TopicSubscription("alarms-email", topic=topic.arn, protocol="email", endpoint=alarm_email)
    return topic


def _alarm(name: str, topic: aws.sns.Topic, **kwargs: Any) -> aws.cloudwatch.MetricAlarm:
    return aws.cloudwatch.MetricAlarm(name, name=name, alarm_actions=[topic.arn], ok_actions=[topic.arn], **kwargs)


def _lambda_metric(
    function_name: pulumi.Input[str], metric: str, stat: str, period: int = ALARM_PERIOD
) -> aws.cloudwatch.MetricAlarmMetricQueryMetricArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
        namespace="AWS/Lambda",
        metric_name=metric,
        stat=stat,
        period=period,
        dimensions={"FunctionName": function_name},
    )


def function_alarms(prefix: str, fn: DeployedFunction, topic: aws.sns.Topic) -> list[aws.cloudwatch.MetricAlarm]:
    """Error rate above 10% and maximum duration above 80% of the timeout."""
    name = fn.function.name
    error_rate = _alarm(
        f"{prefix}-{fn.spec.key}-error-rate",
        topic,
        alarm_description=f"{fn.spec.name}: more than {ERROR_RATE_PERCENT}% of invocations failed",
        comparison_operator="GreaterThanThreshold",
        threshold=ERROR_RATE_PERCENT,
        evaluation_periods=1,
        treat_missing_data="notBreaching",
        metric_queries=[
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="errors", metric=_lambda_metric(name, "Errors", "Sum"), return_data=False
            ),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="invocations", metric=_lambda_metric(name, "Invocations", "Sum"), return_data=False
            ),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="error_rate",
                expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                label="Error rate (%)",
                return_data=True,
            ),
        ],
    )
    duration = _alarm(
        f"{prefix}-{fn.spec.key}-duration",
        topic,
        alarm_description=f"{fn.spec.name}: an invocation used more than {DURATION_ALARM_RATIO:.0%} of its timeout",
        namespace="AWS/Lambda",
        metric_name="Duration",
        dimensions={"FunctionName": name},
        statistic="Maximum",
        period=ALARM_PERIOD,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=fn.spec.timeout * 1000 * DURATION_ALARM_RATIO,
        treat_missing_data="notBreaching",
    )
    return [error_rate, duration]


def iterator_age_alarm(
    prefix: str, fn: DeployedFunction, topic: aws.sns.Topic, max_age_seconds: int
) -> aws.cloudwatch.MetricAlarm:
    """The stream function falls behind: records wait longer than `max_age_seconds` for 15 minutes."""
    return _alarm(
        f"{prefix}-stream-iterator-age",
        topic,
        alarm_description=f"{fn.spec.name}: stream records older than {max_age_seconds} s",
        namespace="AWS/Lambda",
        metric_name="IteratorAge",
        dimensions={"FunctionName": fn.function.name},
        statistic="Maximum",
        period=ALARM_PERIOD,
        evaluation_periods=3,
        comparison_operator="GreaterThanThreshold",
        threshold=max_age_seconds * 1000,
        treat_missing_data="notBreaching",
    )


def schedule_alarms(
    prefix: str, fn: DeployedFunction, schedule: Schedule, expression: str, topic: aws.sns.Topic
) -> list[aws.cloudwatch.MetricAlarm]:
    """The rule failed to invoke the sweeper; and, when CloudWatch can see that far, the sweeper did not run."""
    alarms = [
        _alarm(
            f"{prefix}-{fn.spec.key}-schedule-failed",
            topic,
            alarm_description=f"EventBridge could not invoke {fn.spec.name}",
            namespace="AWS/Events",
            metric_name="FailedInvocations",
            dimensions={"RuleName": schedule.rule.name},
            statistic="Sum",
            period=ALARM_PERIOD,
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            treat_missing_data="notBreaching",
        )
    ]
    window = invocation_window(expression)
    if window is not None:
        alarms.append(
            _alarm(
                f"{prefix}-{fn.spec.key}-not-run",
                topic,
                alarm_description=(
                    f"{fn.spec.name} ({expression}) was not invoked in the last {window.seconds // DAY} days"
                ),
                namespace="AWS/Lambda",
                metric_name="Invocations",
                dimensions={"FunctionName": fn.function.name},
                statistic="Sum",
                period=window.period,
                evaluation_periods=window.evaluation_periods,
                datapoints_to_alarm=window.evaluation_periods,
                comparison_operator="LessThanThreshold",
                threshold=1,
                treat_missing_data="breaching",
            )
        )
    return alarms


def dlq_alarm(prefix: str, dlq: aws.sqs.Queue, topic: aws.sns.Topic) -> aws.cloudwatch.MetricAlarm:
    """Anything in the DLQ is work that exhausted its retries: someone should look."""
    return _alarm(
        f"{prefix}-dlq-not-empty",
        topic,
        alarm_description="The receipt validator's dead-letter queue holds messages",
        namespace="AWS/SQS",
        metric_name="ApproximateNumberOfMessagesVisible",
        dimensions={"QueueName": dlq.name},
        statistic="Maximum",
        period=ALARM_PERIOD,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="notBreaching",
    )
