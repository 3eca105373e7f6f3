"""Wires the modules into the stack. Everything is declared from a `Settings` and a `LocalArtifacts`, so tests
run the whole program under mocks with placeholder archives."""

from __future__ import annotations

import pulumi

from infra.alarms import (
    create_topic,
    dlq_alarm,
    execution_alarms,
    function_alarms,
    iterator_age_alarm,
    schedule_alarms,
    stream_failures_alarm,
)
from infra.config import Settings
from infra.functions import STREAM_KEY, DeployedFunction, create_function, function_specs
from infra.lambda_code import LocalArtifacts, publish
from infra.orchestration import create_state_machines
from infra.queues import allow_rules_to_dead_letter, create_dlq
from infra.schedules import create_schedules
from infra.stream_mapping import create_stream_mapping
from infra.table import table_ref
from sweepers.schedules import SCHEDULES


def build_stack(settings: Settings, artifacts: LocalArtifacts) -> dict[str, pulumi.Input]:
    """Declare every resource; return the stack outputs."""
    table = table_ref(settings.table)
    dlq = create_dlq(settings.prefix)
    code = publish(settings, artifacts)

    functions: dict[str, DeployedFunction] = {
        spec.key: create_function(spec, settings, table, code, dlq) for spec in function_specs(settings)
    }
    stream_fn = functions[STREAM_KEY]
    sweepers = {key: fn for key, fn in functions.items() if key != STREAM_KEY}

    mapping = create_stream_mapping(settings.stream, table.stream_arn, stream_fn, dlq)
    machines = create_state_machines(settings, sweepers)
    schedules = create_schedules(settings.prefix, machines, dlq)
    allow_rules_to_dead_letter(dlq, [s.rule.arn for s in schedules.values()])

    topic = create_topic(settings.prefix, settings.alarm_email)
    for fn in functions.values():
        function_alarms(settings.prefix, fn, topic)
    iterator_age_alarm(settings.prefix, stream_fn, topic, settings.iterator_age_alarm_seconds)
    stream_failures_alarm(settings.prefix, stream_fn, topic)
    for key, schedule in schedules.items():
        schedule_alarms(settings.prefix, machines[key], schedule, SCHEDULES[key], topic)
        execution_alarms(settings.prefix, machines[key], topic)
    dlq_alarm(settings.prefix, dlq, topic)

    return {
        "tableName": table.name,
        "tableStreamArn": table.stream_arn,
        "streamFunction": stream_fn.function.name,
        "sweeperFunctions": {key: fn.function.name for key, fn in sweepers.items()},
        # for `receipt-validator invoke`: SWEEPER_FUNCTION_PREFIX=$(pulumi stack output sweeperFunctionPrefix)
        "sweeperFunctionPrefix": f"{settings.prefix}-sweeper-",
        "stateMachines": {key: m.machine.arn for key, m in machines.items()},
        # for `receipt-validator invoke`: SWEEP_STATE_MACHINE_PREFIX=$(pulumi stack output sweepStateMachinePrefix)
        "sweepStateMachinePrefix": machines["pending"].machine.arn.apply(lambda arn: arn.removesuffix("pending")),
        "llmConcurrencyBound": {
            "sweepers": settings.sweeper_llm_bound,
            "deployment": settings.llm_bound,
            "perProcess": settings.llm_max_concurrency,
        },
        "eventSourceMappingUuid": mapping.uuid,
        "deadLetterQueueUrl": dlq.url,
        "alarmTopicArn": topic.arn,
    }
