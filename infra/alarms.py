"""CloudWatch alarms and the SNS topic they notify: errors, throttles, slowness, silence, stuck stream, records that
keep failing, failed sweep executions, dead letters.

"Silence" (a sweep that did not run) is the subtle one. A sweep runs as a Step Functions execution, so it is watched
on the state machine's ExecutionsStarted. CloudWatch evaluates at most 7 days of data (Period x EvaluationPeriods <=
604,800 s), so a weekly sweep gets an alarm over 7 daily periods with missing data counted as breaching, while the
quarterly one cannot be watched that way at all. For it we alarm on what would stop it from running or finishing:
its EventBridge rule failing to start it (FailedInvocations), failed, timed-out or aborted executions, and anything
in the DLQ. docs/deploy.md explains the choice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from domain.telemetry import metric_name
from infra.functions import DURATION_ALARM_RATIO, METRICS_NAMESPACE, DeployedFunction
from infra.orchestration import SweepMachine
from infra.schedules import Schedule

MAX_EVALUATION_SECONDS = 7 * 24 * 3600
DAY = 24 * 3600
ALARM_PERIOD = 300
ERROR_RATE_PERCENT = 10
STREAM_FAILURE_PERIODS = 3  # partial-batch failures in 3 consecutive 5-minute periods: records that keep failing
EXECUTION_FAILURE_METRICS = ("ExecutionsFailed", "ExecutionsTimedOut", "ExecutionsAborted")


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
    throttles = _alarm(
        f"{prefix}-{fn.spec.key}-throttles",
        topic,
        alarm_description=f"{fn.spec.name}: invocations throttled (reserved concurrency or account limit reached)",
        namespace="AWS/Lambda",
        metric_name="Throttles",
        dimensions={"FunctionName": name},
        statistic="Sum",
        period=ALARM_PERIOD,
        evaluation_periods=1,
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="notBreaching",
    )
    return [error_rate, duration, throttles]


def stream_failures_alarm(prefix: str, fn: DeployedFunction, topic: aws.sns.Topic) -> aws.cloudwatch.MetricAlarm:
    """Records reported in `batchItemFailures` (the handler's `records_failed` counter, published as RecordsFailed by
    domain/telemetry.py) in every one of 3 periods.

    A partial batch failure is not a Lambda error (the invocation succeeds), so the error rate never sees it; the
    stream handler counts them as a metric of its own, under its service dimension.
    """
    return _alarm(
        f"{prefix}-stream-partial-failures",
        topic,
        alarm_description=f"{fn.spec.name}: stream records keep failing (batchItemFailures for 15 minutes)",
        namespace=METRICS_NAMESPACE,
        metric_name=metric_name("records_failed"),
        dimensions={"service": fn.spec.environment["POWERTOOLS_SERVICE_NAME"]},
        statistic="Sum",
        period=ALARM_PERIOD,
        evaluation_periods=STREAM_FAILURE_PERIODS,
        datapoints_to_alarm=STREAM_FAILURE_PERIODS,
        comparison_operator="GreaterThanThreshold",
        threshold=0,
        treat_missing_data="notBreaching",
    )


def execution_alarms(prefix: str, machine: SweepMachine, topic: aws.sns.Topic) -> list[aws.cloudwatch.MetricAlarm]:
    """A sweep execution failed, timed out or was aborted; or one ran longer than 80% of its timeout."""
    alarms = [
        _alarm(
            f"{prefix}-{machine.sweeper}-{metric.removeprefix('Executions').lower()}",
            topic,
            alarm_description=f"the {machine.sweeper} sweep: an execution {metric.removeprefix('Executions').lower()}",
            namespace="AWS/States",
            metric_name=metric,
            dimensions={"StateMachineArn": machine.machine.arn},
            statistic="Sum",
            period=ALARM_PERIOD,
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=0,
            treat_missing_data="notBreaching",
        )
        for metric in EXECUTION_FAILURE_METRICS
    ]
    alarms.append(
        _alarm(
            f"{prefix}-{machine.sweeper}-execution-duration",
            topic,
            alarm_description=(
                f"the {machine.sweeper} sweep: an execution took more than {DURATION_ALARM_RATIO:.0%} of its timeout"
            ),
            namespace="AWS/States",
            metric_name="ExecutionTime",
            dimensions={"StateMachineArn": machine.machine.arn},
            statistic="Maximum",
            period=ALARM_PERIOD,
            evaluation_periods=1,
            comparison_operator="GreaterThanThreshold",
            threshold=machine.timeout_seconds * 1000 * DURATION_ALARM_RATIO,
            treat_missing_data="notBreaching",
        )
    )
    return alarms


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
    prefix: str, machine: SweepMachine, schedule: Schedule, expression: str, topic: aws.sns.Topic
) -> list[aws.cloudwatch.MetricAlarm]:
    """The rule failed to start the sweep; and, when CloudWatch can see that far, the sweep did not run."""
    key = machine.sweeper
    alarms = [
        _alarm(
            f"{prefix}-{key}-schedule-failed",
            topic,
            alarm_description=f"EventBridge could not start the {key} sweep",
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
                f"{prefix}-{key}-not-run",
                topic,
                alarm_description=(
                    f"the {key} sweep ({expression}) started no execution in the last {window.seconds // DAY} days"
                ),
                namespace="AWS/States",
                metric_name="ExecutionsStarted",
                dimensions={"StateMachineArn": machine.machine.arn},
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
