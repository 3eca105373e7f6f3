"""The Step Functions state machine that runs a sweep: plan, a Map over segments each looping on its cursor, a total.

Pure data (no Pulumi), so tests validate it with `asl-validator` and execute it in moto's interpreter. Every decision
(which segments, where each resumes, when a segment is done, how summaries add up) is made by the sweeper Lambda
(`sweepers/orchestration.py`); the machine only follows `next` and fans out:

    Start (Pass)  -> {"input": <payload>}
    Plan (Task)   -> the sweeper answers {"plan": <payload>} with one payload per segment
    Planned? (Choice) -> refused payload: Fail
    Segments (Map over the plan, MaxConcurrency) -> per segment:
        Slice (Task, retried on Lambda throttles/service errors with backoff; any other failure is caught)
        More? (Choice: the reply has `next`) -> Next slice (Pass: the reply's `next`) -> Slice ...
    Total (Task)  -> the sweeper answers {"merge": [...]} with per-segment summaries and their total
    Report (Pass) -> {"input", "resumed", "segments", "total"}: the execution's output
    Failed segments? (Choice) -> any segment that failed after its retries fails the execution (alarm), after the
                                 others finished and every segment's position was saved for the next run
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"

# Errors of the Invoke API itself (not of the function): throttling and Lambda service trouble, retried with backoff.
LAMBDA_TRANSIENT_ERRORS = (
    "Lambda.TooManyRequestsException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
)


@dataclass(frozen=True)
class RetryPolicy:
    """Backoff of a slice: throttles get many patient attempts, other failures (a crash, a timeout) one more."""

    interval_seconds: int = 5
    backoff_rate: float = 2.0
    max_attempts: int = 8  # 5 s, 10 s, 20 s ... capped at max_delay_seconds: about 12 minutes in all
    max_delay_seconds: int = 120
    other_error_attempts: int = 1
    other_error_interval_seconds: int = 30


def _retry(policy: RetryPolicy) -> list[dict[str, Any]]:
    return [
        {
            "ErrorEquals": list(LAMBDA_TRANSIENT_ERRORS),
            "IntervalSeconds": policy.interval_seconds,
            "BackoffRate": policy.backoff_rate,
            "MaxAttempts": policy.max_attempts,
            "MaxDelaySeconds": policy.max_delay_seconds,
            "JitterStrategy": "FULL",
        },
        {
            "ErrorEquals": ["States.ALL"],
            "IntervalSeconds": policy.other_error_interval_seconds,
            "BackoffRate": 2.0,
            "MaxAttempts": policy.other_error_attempts,
        },
    ]


def _invoke(function_arn: str, payload: dict[str, Any] | None = None) -> dict[str, Any]:
    parameters: dict[str, Any] = {"FunctionName": function_arn}
    if payload is None:
        parameters["Payload.$"] = "$"
    else:
        parameters["Payload"] = payload
    return {"Type": "Task", "Resource": LAMBDA_INVOKE, "Parameters": parameters}


def sweep_definition(
    sweep: str,
    function_arn: str,
    *,
    max_concurrency: int,
    timeout_seconds: int,
    retry: RetryPolicy = RetryPolicy(),
) -> dict[str, Any]:
    """The Amazon States Language definition of one sweep's state machine."""
    if max_concurrency < 1:
        raise ValueError("max_concurrency must be at least 1")
    slice_task = {
        **_invoke(function_arn),
        "Comment": "one bounded slice of one segment; the reply has `next` while the segment has more",
        "OutputPath": "$.Payload",
        "Retry": _retry(retry),
        "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Segment failed"}],
        "Next": "More?",
    }
    return {
        "Comment": f"The {sweep} sweep: segments in parallel, each a loop of bounded slices on its cursor",
        "StartAt": "Start",
        "TimeoutSeconds": timeout_seconds,
        "States": {
            "Start": {"Type": "Pass", "Parameters": {"input.$": "$"}, "Next": "Plan"},
            "Plan": {
                **_invoke(function_arn, {"plan.$": "$.input"}),
                "ResultSelector": {"reply.$": "$.Payload"},
                "ResultPath": "$.plan",
                "Retry": _retry(retry),
                "Next": "Planned?",
            },
            "Planned?": {
                "Type": "Choice",
                "Choices": [{"Variable": "$.plan.reply.error", "IsPresent": True, "Next": "Refused"}],
                "Default": "Segments",
            },
            "Refused": {"Type": "Fail", "Error": "BadPayload", "Cause": "the sweeper refused the execution's input"},
            "Segments": {
                "Type": "Map",
                "ItemsPath": "$.plan.reply.segments",
                "MaxConcurrency": max_concurrency,
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Slice",
                    "States": {
                        "Slice": slice_task,
                        "More?": {
                            "Type": "Choice",
                            "Choices": [{"Variable": "$.next", "IsPresent": True, "Next": "Next slice"}],
                            "Default": "Segment done",
                        },
                        "Next slice": {"Type": "Pass", "OutputPath": "$.next", "Next": "Slice"},
                        "Segment failed": {"Type": "Pass", "End": True},
                        "Segment done": {"Type": "Succeed"},
                    },
                },
                "ResultPath": "$.segments",
                "Next": "Total",
            },
            "Total": {
                **_invoke(function_arn, {"merge.$": "$.segments"}),
                "ResultSelector": {"reply.$": "$.Payload"},
                "ResultPath": "$.total",
                "Retry": _retry(retry),
                "Next": "Report",
            },
            "Report": {
                "Type": "Pass",
                "Parameters": {
                    "input.$": "$.input",
                    "resumed.$": "$.plan.reply.resumed",
                    "segments.$": "$.total.reply.segments",
                    "total.$": "$.total.reply.total",
                },
                "Next": "Failed segments?",
            },
            "Failed segments?": {
                "Type": "Choice",
                "Choices": [
                    {"Variable": "$.total.failed_segments", "NumericGreaterThan": 0, "Next": "Segment failures"}
                ],
                "Default": "Done",
            },
            "Segment failures": {
                "Type": "Fail",
                "Error": "SegmentFailed",
                "Cause": "a segment failed after its retries; its position is saved and the next run resumes it",
            },
            "Done": {"Type": "Succeed"},
        },
    }
