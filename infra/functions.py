"""The four Lambda functions: the stream validator and the three sweepers, each with its own role and log group.

Order of creation matters and is explicit: log group and role first, then the function, then the role's
inline policy. The stream mapping waits on that policy, because Lambda checks the role can read the stream when
the mapping is created. No function may invoke any function: sweeps are looped by Step Functions.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from domain import telemetry
from infra.config import Settings
from infra.iam import FunctionGrants, assume_role_policy, function_policy, ssm_parameter_arn
from infra.lambda_code import ARCHITECTURE, RUNTIME, LambdaCode
from infra.table import TableRef
from sweepers.schedules import STREAM_HANDLER, SWEEPER_HANDLERS

METRICS_NAMESPACE = telemetry.NAMESPACE
STREAM_KEY = "stream"

# The duration alarm fires above 80% of the timeout. Both doors stop taking new work when less than their time
# reserve is left, so the reserve is set to 30% of the timeout: a normal invocation that stops early (and, for a
# sweeper, returns its cursor to the state machine) ends below the alarm, and the alarm means something is really slow.
DURATION_ALARM_RATIO = 0.8
TIME_RESERVE_RATIO = 0.3


def time_reserve_ms(timeout_seconds: int) -> int:
    return round(timeout_seconds * 1000 * TIME_RESERVE_RATIO)


@dataclass(frozen=True)
class FunctionSpec:
    """One function, as plain data: what it runs, with which limits and environment."""

    key: str  # "stream" or a sweeper name from SCHEDULES
    name: str  # physical name; also fixes the log group name
    handler: str
    timeout: int
    memory: int
    environment: dict[str, str]
    reads_stream: bool
    reserved_concurrency: int | None = None  # None: unreserved

    @property
    def log_group_name(self) -> str:
        return f"/aws/lambda/{self.name}"


@dataclass
class DeployedFunction:
    spec: FunctionSpec
    function: aws.lambda_.Function
    role: aws.iam.Role
    policy: aws.iam.RolePolicy
    log_group: aws.cloudwatch.LogGroup


def base_environment(settings: Settings, service: str) -> dict[str, str]:
    """Variables every function gets. Secrets appear only as SSM parameter names, read at run time."""
    env = {
        "DYNAMODB_TABLE_NAME": settings.table.existing_name or settings.table.name,
        "OLLAMA_HOST": settings.ollama_host,
        "OLLAMA_MODEL": settings.ollama_model,
        "VALIDATOR_LLM": settings.validator_llm,
        "POWERTOOLS_SERVICE_NAME": service,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
        "LOG_LEVEL": settings.log_level,
        "OLLAMA_MAX_CONCURRENCY": str(settings.llm_max_concurrency),
        "OLLAMA_REQUESTS_PER_SECOND": str(settings.llm_requests_per_second),
    }
    if settings.ollama_api_key_param:
        env["OLLAMA_API_KEY_PARAM"] = settings.ollama_api_key_param
    if settings.places_api_key_param:
        env["PLACES_API_KEY_PARAM"] = settings.places_api_key_param
    env.update(tracing_environment(settings))
    return env


def tracing_environment(settings: Settings) -> dict[str, str]:
    """LangSmith's variables when tracing is on (domain/cove/tracing.py reads the key from the named parameter);
    nothing at all when it is off, so no trace can leave the function."""
    t = settings.tracing
    if not t.enabled:
        return {}
    env = {
        "LANGSMITH_TRACING": "true",
        "LANGSMITH_API_KEY_PARAM": t.api_key_param,
        "LANGSMITH_PROJECT": t.project or settings.prefix,
    }
    if t.endpoint:
        env["LANGSMITH_ENDPOINT"] = t.endpoint
    if t.hide_inputs:
        env["LANGSMITH_HIDE_INPUTS"] = "true"
    if t.hide_outputs:
        env["LANGSMITH_HIDE_OUTPUTS"] = "true"
    return env


def function_specs(settings: Settings) -> list[FunctionSpec]:
    """The stream function, then one sweeper per entry of SWEEPER_HANDLERS."""
    specs = [
        FunctionSpec(
            key=STREAM_KEY,
            name=f"{settings.prefix}-stream",
            handler=STREAM_HANDLER,
            timeout=settings.stream_timeout_seconds,
            memory=settings.stream_memory_mb,
            environment={
                **base_environment(settings, "receipt-validator-stream"),
                "STREAM_TIME_RESERVE_MS": str(time_reserve_ms(settings.stream_timeout_seconds)),
            },
            reads_stream=True,
            reserved_concurrency=settings.stream_reserved_concurrency,
        )
    ]
    for sweeper, handler in SWEEPER_HANDLERS.items():
        env = base_environment(settings, f"receipt-validator-sweeper-{sweeper}")
        env["SWEEPER_SAFETY_MARGIN_MS"] = str(time_reserve_ms(settings.sweeper_timeout_seconds))
        specs.append(
            FunctionSpec(
                key=sweeper,
                name=f"{settings.prefix}-sweeper-{sweeper}",
                handler=handler,
                timeout=settings.sweeper_timeout_seconds,
                memory=settings.sweeper_memory_mb,
                environment=env,
                reads_stream=False,
                reserved_concurrency=settings.sweeper_reserved_concurrency,
            )
        )
    return specs


def _policy_json(
    spec: FunctionSpec,
    settings: Settings,
    table: TableRef,
    dlq_arn: pulumi.Output[str],
    log_group_arn: pulumi.Output[str],
) -> pulumi.Output[str]:
    def render(args: list) -> str:
        table_arn, index_arns, stream_arn, dlq, log_group = args
        grants = FunctionGrants(
            table_arn=table_arn,
            index_arns=index_arns,
            log_group_arn=log_group,
            dlq_arn=dlq,
            ssm_parameter_arns=[ssm_parameter_arn(p, table_arn) for p in settings.secret_param_names],
            kms_key_arn=settings.secrets_kms_key_arn,
            stream_arn=stream_arn if spec.reads_stream else None,
        )
        return json.dumps(function_policy(grants), sort_keys=True)

    return pulumi.Output.all(table.arn, table.index_arns, table.stream_arn, dlq_arn, log_group_arn).apply(render)


def create_function(
    spec: FunctionSpec,
    settings: Settings,
    table: TableRef,
    code: LambdaCode,
    dlq: aws.sqs.Queue,
) -> DeployedFunction:
    """Log group, role, function and inline policy for one spec."""
    log_group = aws.cloudwatch.LogGroup(
        f"{spec.key}-logs",
        name=spec.log_group_name,
        retention_in_days=settings.log_retention_days,
    )
    role = aws.iam.Role(
        f"{spec.key}-role",
        name=f"{spec.name}-role"[:64],
        assume_role_policy=json.dumps(assume_role_policy()),
        description=f"Execution role of {spec.name} (least privilege, inline policy)",
    )
    function = aws.lambda_.Function(
        spec.key,
        name=spec.name,
        runtime=RUNTIME,
        architectures=[ARCHITECTURE],
        handler=spec.handler,
        role=role.arn,
        code=code.code,
        source_code_hash=code.code_hash,
        layers=[code.layer_arn],
        timeout=spec.timeout,
        memory_size=spec.memory,
        reserved_concurrent_executions=spec.reserved_concurrency if spec.reserved_concurrency is not None else -1,
        environment=aws.lambda_.FunctionEnvironmentArgs(variables=spec.environment),
        logging_config=aws.lambda_.FunctionLoggingConfigArgs(log_format="Text", log_group=log_group.name),
        opts=pulumi.ResourceOptions(depends_on=[log_group]),
    )
    policy = aws.iam.RolePolicy(
        f"{spec.key}-policy",
        role=role.id,
        policy=_policy_json(spec, settings, table, dlq.arn, log_group.arn),
    )
    return DeployedFunction(spec=spec, function=function, role=role, policy=policy, log_group=log_group)
