"""The event source mapping from the table's stream to the stream function, with the shared event filter."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from infra.config import StreamSettings
from infra.functions import DeployedFunction
from stream_handlers.filter_pattern import filter_criteria_json


def create_stream_mapping(
    stream: StreamSettings,
    stream_arn: pulumi.Input[str],
    function: DeployedFunction,
    dlq: aws.sqs.Queue,
) -> aws.lambda_.EventSourceMapping:
    """LATEST, small batches, partial-batch failures, bisect on error, bounded retries, then the DLQ.

    The filter is exactly `filter_criteria_json()`, the one the local stream reader applies, so records the
    validator writes itself are dropped by Lambda before they cost an invocation.
    """
    return aws.lambda_.EventSourceMapping(
        "stream-mapping",
        event_source_arn=stream_arn,
        function_name=function.function.arn,
        starting_position="LATEST",
        batch_size=stream.batch_size,
        maximum_batching_window_in_seconds=stream.batching_window_seconds,
        parallelization_factor=stream.parallelization_factor,
        filter_criteria=aws.lambda_.EventSourceMappingFilterCriteriaArgs(
            filters=[aws.lambda_.EventSourceMappingFilterCriteriaFilterArgs(pattern=p) for p in filter_criteria_json()]
        ),
        bisect_batch_on_function_error=True,
        maximum_retry_attempts=stream.retry_attempts,
        maximum_record_age_in_seconds=stream.max_record_age_seconds,
        function_response_types=["ReportBatchItemFailures"],
        destination_config=aws.lambda_.EventSourceMappingDestinationConfigArgs(
            on_failure=aws.lambda_.EventSourceMappingDestinationConfigOnFailureArgs(destination_arn=dlq.arn)
        ),
        # Lambda checks at creation that the role can read the stream and write the DLQ.
        opts=pulumi.ResourceOptions(depends_on=[function.policy]),
    )
