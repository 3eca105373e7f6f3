"""The whole Pulumi program under mocks: every setting the issue asks for, as AWS would receive it."""

from __future__ import annotations

import json
import re
import runpy

import pulumi
import pytest

from domain.telemetry import metric_name
from infra.artifacts import REPO_ROOT
from infra.iam import wildcard_violations
from stream_handlers.filter_pattern import FILTER_PATTERNS, filter_criteria_json
from stream_handlers.mapping_defaults import BATCH_SIZE
from sweepers.schedules import SCHEDULES, STREAM_HANDLER, SWEEPER_HANDLERS
from tests.infra.conftest import EXISTING_STREAM_ARN, Program, RecordingMocks

pytestmark = [
    pytest.mark.infra,
    # pulumi_aws loads its modules lazily and warns about its own deprecated resource classes as it does.
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws"),
]

FUNCTION = "aws:lambda/function:Function"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
SWEEPERS = ("pending", "metadata", "reverify")


def _policies(program: Program, suffix: str = "-policy") -> dict[str, dict]:
    """The functions' inline policies by key (suffix "-sweep-policy": state machines', "-schedule-policy": rules')."""
    found = {r.name.removesuffix(suffix): json.loads(r.inputs["policy"]) for r in program.of_type(ROLE_POLICY)}
    keys = {"stream", *SWEEPERS} if suffix == "-policy" else set(SWEEPERS)
    return {
        k: v for k, v in found.items() if k in keys and f"{k}{suffix}" in {r.name for r in program.of_type(ROLE_POLICY)}
    }


def _statements(policy: dict) -> dict[str, dict]:
    return {st["Sid"]: st for st in policy["Statement"]}


# --- functions ---------------------------------------------------------------------------------------------


def test_four_functions_python312_arm64_with_the_shared_handlers(new_table_program: Program) -> None:
    functions = new_table_program.functions()
    assert set(functions) == {"stream", *SWEEPERS}
    for fn in functions.values():
        assert fn.inputs["runtime"] == "python3.12"
        assert fn.inputs["architectures"] == ["arm64"]
        assert len(fn.inputs["layers"]) == 1
        assert fn.inputs["layers"][0].startswith("arn:aws:lambda:")
    assert functions["stream"].inputs["handler"] == STREAM_HANDLER == "stream_handlers.handler.lambda_handler"
    for sweeper in SWEEPERS:
        assert functions[sweeper].inputs["handler"] == SWEEPER_HANDLERS[sweeper] == f"sweepers.{sweeper}.lambda_handler"


def test_layer_is_arm64_python312_uploaded_through_s3(new_table_program: Program) -> None:
    layer = new_table_program.one("aws:lambda/layerVersion:LayerVersion")
    assert layer.inputs["compatibleArchitectures"] == ["arm64"]
    assert layer.inputs["compatibleRuntimes"] == ["python3.12"]
    obj = new_table_program.one("aws:s3/bucketObjectv2:BucketObjectv2")
    assert layer.inputs["s3Key"] == obj.inputs["key"]
    assert layer.inputs["s3Bucket"] == obj.inputs["bucket"]


def test_artifact_bucket_is_private_with_a_valid_prefix(new_table_program: Program) -> None:
    bucket = new_table_program.one("aws:s3/bucket:Bucket").inputs
    assert len(bucket["bucketPrefix"]) <= 37 and bucket["bucketPrefix"] == bucket["bucketPrefix"].lower()
    block = new_table_program.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs
    assert all(
        block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )


def test_configured_artifact_bucket_is_used_not_created(existing_table_program: Program) -> None:
    assert existing_table_program.of_type("aws:s3/bucket:Bucket") == []
    assert existing_table_program.one("aws:s3/bucketObjectv2:BucketObjectv2").inputs["bucket"] == "team-artifacts"


def test_each_function_has_its_own_role(new_table_program: Program) -> None:
    roles = {fn.inputs["role"] for fn in new_table_program.functions().values()}
    assert len(roles) == 4
    services = {
        "role": "lambda.amazonaws.com",
        "sweep-role": "states.amazonaws.com",
        "schedule-role": "events.amazonaws.com",
    }
    for role in new_table_program.of_type("aws:iam/role:Role"):
        kind = next(k for k in ("sweep-role", "schedule-role", "role") if role.name.endswith(k))
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert trust["Statement"] == [
            {"Effect": "Allow", "Principal": {"Service": services[kind]}, "Action": "sts:AssumeRole"}
        ]


def test_log_groups_are_explicit_with_retention(new_table_program: Program) -> None:
    groups = {g.inputs["name"]: g for g in new_table_program.of_type("aws:cloudwatch/logGroup:LogGroup")}
    for fn in new_table_program.functions().values():
        name = f"/aws/lambda/{fn.inputs['name']}"
        assert name in groups
        assert groups[name].inputs["retentionInDays"] == 30
        assert fn.inputs["loggingConfig"]["logGroup"] == name


# --- environment ---------------------------------------------------------------------------------------------


def test_environment_has_the_contract_variables(new_table_program: Program) -> None:
    for fn in new_table_program.functions().values():
        env = fn.inputs["environment"]["variables"]
        assert env["DYNAMODB_TABLE_NAME"] == "receipts"
        assert env["POWERTOOLS_METRICS_NAMESPACE"] == "ReceiptValidator"
        assert env["POWERTOOLS_SERVICE_NAME"]
        assert env["OLLAMA_HOST"] and env["OLLAMA_MODEL"]
        assert env["VALIDATOR_LLM"] == "auto"
        assert env["LOG_LEVEL"] == "INFO"
        assert env["OLLAMA_API_KEY_PARAM"] == "/receipt-validator/ollama-api-key"
        assert env["PLACES_API_KEY_PARAM"] == "/receipt-validator/google-places-api-key"
        assert "SWEEPER_MAX_CHAIN" not in env
        assert env["OLLAMA_MAX_CONCURRENCY"] == "4" and env["OLLAMA_REQUESTS_PER_SECOND"] == "2.0"


def test_time_reserve_ends_normal_invocations_below_the_duration_alarm(new_table_program: Program) -> None:
    for key, fn in new_table_program.functions().items():
        env = fn.inputs["environment"]["variables"]
        reserve_ms = int(env["STREAM_TIME_RESERVE_MS" if key == "stream" else "SWEEPER_SAFETY_MARGIN_MS"])
        timeout_ms = fn.inputs["timeout"] * 1000
        assert timeout_ms - reserve_ms < 0.8 * timeout_ms


@pytest.mark.parametrize("program_name", ["new_table_program", "existing_table_program"])
def test_secret_like_variables_hold_only_parameter_names(program_name: str, request) -> None:
    program: Program = request.getfixturevalue(program_name)
    param_names = {
        "/receipt-validator/ollama-api-key",
        "/receipt-validator/google-places-api-key",
    }
    for fn in program.functions().values():
        for name, value in fn.inputs["environment"]["variables"].items():
            if re.search(r"KEY|SECRET|TOKEN|PASSWORD", name):
                assert name.endswith("_PARAM"), f"{name} looks like it carries a secret value"
                assert value in param_names, f"{name}={value!r} is not a configured parameter name"


def test_no_places_key_param_when_disabled(existing_table_program: Program) -> None:
    for fn in existing_table_program.functions().values():
        assert "PLACES_API_KEY_PARAM" not in fn.inputs["environment"]["variables"]


# --- stream mapping ------------------------------------------------------------------------------------------


def test_stream_mapping_settings(new_table_program: Program) -> None:
    mapping = new_table_program.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs
    table = new_table_program.one("aws:dynamodb/table:Table")
    dlq = new_table_program.one("aws:sqs/queue:Queue")
    assert mapping["eventSourceArn"] == table.state["streamArn"]
    assert mapping["functionName"].endswith(":function:rv-test-stream")
    assert mapping["startingPosition"] == "LATEST"
    assert mapping["batchSize"] == BATCH_SIZE == 25
    assert mapping["maximumBatchingWindowInSeconds"] == 5
    assert mapping["bisectBatchOnFunctionError"] is True
    assert mapping["maximumRetryAttempts"] == 3
    assert mapping["maximumRecordAgeInSeconds"] == 86_400
    assert mapping["functionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["destinationConfig"]["onFailure"]["destinationArn"] == dlq.state["arn"]


def test_stream_filter_is_the_shared_pattern(new_table_program: Program) -> None:
    mapping = new_table_program.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs
    patterns = [f["pattern"] for f in mapping["filterCriteria"]["filters"]]
    assert patterns == filter_criteria_json()
    assert [json.loads(p) for p in patterns] == list(FILTER_PATTERNS)


def test_existing_table_mode_creates_no_table(existing_table_program: Program) -> None:
    assert existing_table_program.of_type("aws:dynamodb/table:Table") == []
    mapping = existing_table_program.one("aws:lambda/eventSourceMapping:EventSourceMapping").inputs
    assert mapping["eventSourceArn"] == EXISTING_STREAM_ARN
    for fn in existing_table_program.functions().values():
        assert fn.inputs["environment"]["variables"]["DYNAMODB_TABLE_NAME"] == "receipts-prod"
    table_arn = EXISTING_STREAM_ARN.split("/stream/")[0]
    for policy in _policies(existing_table_program).values():
        assert _statements(policy)["Table"]["Resource"] == [table_arn]
    assert existing_table_program.outputs["tableName"] == "receipts-prod"


# --- table -----------------------------------------------------------------------------------------------------


def test_created_table_has_the_contract_schema(new_table_program: Program) -> None:
    table = new_table_program.one("aws:dynamodb/table:Table").inputs
    assert (table["hashKey"], table["rangeKey"]) == ("PK", "SK")
    assert table["billingMode"] == "PAY_PER_REQUEST"
    assert table["streamEnabled"] is True
    assert table["streamViewType"] == "NEW_AND_OLD_IMAGES"
    assert table["pointInTimeRecovery"]["enabled"] is True
    indexes = {
        i["name"]: ([(k["attributeName"], k["keyType"]) for k in i["keySchemas"]], i["projectionType"])
        for i in table["globalSecondaryIndexes"]
    }
    assert indexes == {
        "GSI1": ([("GSI1PK", "HASH"), ("GSI1SK", "RANGE")], "ALL"),
        "GSI2": ([("GSI2PK", "HASH"), ("GSI2SK", "RANGE")], "ALL"),
        "GSI3": ([("GSI3PK", "HASH"), ("GSI3SK", "RANGE")], "ALL"),
        "GSITYPE": ([("TYPE", "HASH")], "ALL"),
    }
    assert {a["name"] for a in table["attributes"]} == {
        "PK", "SK", "GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK", "TYPE"
    }  # fmt: skip


# --- schedules -------------------------------------------------------------------------------------------------


def test_three_schedules_with_exact_expressions(new_table_program: Program) -> None:
    rules = {
        r.name.removesuffix("-schedule"): r for r in new_table_program.of_type("aws:cloudwatch/eventRule:EventRule")
    }
    expressions = {k: r.inputs["scheduleExpression"] for k, r in rules.items()}
    assert (
        expressions
        == SCHEDULES
        == {
            "pending": "cron(0 2 ? * SUN *)",
            "metadata": "cron(0 2 ? * WED *)",
            "reverify": "cron(0 2 1 */3 ? *)",
        }
    )


def test_each_schedule_starts_only_its_sweeps_state_machine(new_table_program: Program) -> None:
    p = new_table_program
    dlq_arn = p.one("aws:sqs/queue:Queue").state["arn"]
    schedule_policies = _policies(p, "-schedule-policy")
    for sweeper in SWEEPERS:
        rule = p.one("aws:cloudwatch/eventRule:EventRule", f"{sweeper}-schedule")
        machine = p.one(STATE_MACHINE, f"{sweeper}-sweep")
        target = p.one("aws:cloudwatch/eventTarget:EventTarget", f"{sweeper}-schedule-target").inputs
        assert target["rule"] == rule.state["name"]
        assert target["arn"] == machine.state["arn"]  # the state machine, never the Lambda
        assert json.loads(target["input"]) == {}  # a full sweep
        assert target["deadLetterConfig"]["arn"] == dlq_arn
        role = p.one("aws:iam/role:Role", f"{sweeper}-schedule-role")
        assert target["roleArn"] == role.state["arn"]
        (st,) = schedule_policies[sweeper]["Statement"]
        assert st["Action"] == ["states:StartExecution"] and st["Resource"] == [machine.state["arn"]]
    assert p.of_type("aws:lambda/permission:Permission") == []  # nothing may invoke a sweeper but its machine


def test_dlq_accepts_dead_letters_only_from_the_schedule_rules(new_table_program: Program) -> None:
    p = new_table_program
    dlq = p.one("aws:sqs/queue:Queue")
    assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    policy = json.loads(p.one("aws:sqs/queuePolicy:QueuePolicy").inputs["policy"])
    (statement,) = policy["Statement"]
    assert statement["Resource"] == dlq.state["arn"]
    rule_arns = sorted(r.state["arn"] for r in p.of_type("aws:cloudwatch/eventRule:EventRule"))
    assert statement["Condition"]["ArnEquals"]["aws:SourceArn"] == rule_arns


def test_no_asynchronous_sweeper_invocations_remain(new_table_program: Program) -> None:
    assert new_table_program.of_type("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig") == []


# --- IAM -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("program_name", ["new_table_program", "existing_table_program"])
def test_policies_have_no_wildcards_beyond_what_aws_requires(program_name: str, request) -> None:
    program: Program = request.getfixturevalue(program_name)
    policies = _policies(program)
    assert set(policies) == {"stream", *SWEEPERS}
    for key, policy in policies.items():
        assert wildcard_violations(policy) == [], key
        star = [st["Sid"] for st in policy["Statement"] if "*" in st["Resource"]]
        assert star == (["ListStreams"] if key == "stream" else [])


def test_policies_name_table_indexes_dlq_logs_and_parameters(new_table_program: Program) -> None:
    p = new_table_program
    table_arn = p.one("aws:dynamodb/table:Table").state["arn"]
    dlq_arn = p.one("aws:sqs/queue:Queue").state["arn"]
    for key, policy in _policies(p).items():
        st = _statements(policy)
        assert st["Table"]["Resource"] == [table_arn]
        assert "dynamodb:PutItem" not in st["Table"]["Action"]
        assert "dynamodb:DeleteItem" not in st["Table"]["Action"]
        assert st["Indexes"]["Resource"] == [f"{table_arn}/index/{i}" for i in ("GSI1", "GSI2", "GSI3", "GSITYPE")]
        assert st["DeadLetterQueue"] == {
            "Sid": "DeadLetterQueue", "Effect": "Allow", "Action": ["sqs:SendMessage"], "Resource": [dlq_arn]
        }  # fmt: skip
        fn_name = p.one(FUNCTION, key).state["name"]
        assert all(f":log-group:/aws/lambda/{fn_name}" in r for r in st["Logs"]["Resource"])
        assert st["SecretParameters"]["Resource"] == [
            "arn:aws:ssm:us-east-1:123456789012:parameter/receipt-validator/ollama-api-key",
            "arn:aws:ssm:us-east-1:123456789012:parameter/receipt-validator/google-places-api-key",
        ]
        assert "DecryptSecretParameters" not in st  # default aws/ssm key: its key policy already allows it


def test_only_the_stream_function_reads_the_stream(new_table_program: Program) -> None:
    stream_arn = new_table_program.one("aws:dynamodb/table:Table").state["streamArn"]
    for key, policy in _policies(new_table_program).items():
        st = _statements(policy)
        if key == "stream":
            assert st["Stream"]["Resource"] == [stream_arn]
            assert set(st["Stream"]["Action"]) == {
                "dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"
            }  # fmt: skip
            assert st["ListStreams"]["Action"] == ["dynamodb:ListStreams"]
        else:
            assert "Stream" not in st and "ListStreams" not in st


def test_no_function_may_invoke_a_function_only_each_state_machine_its_sweeper(new_table_program: Program) -> None:
    for key, policy in _policies(new_table_program).items():
        actions = [a for st in policy["Statement"] for a in st["Action"]]
        assert not [a for a in actions if a.startswith("lambda:")], key
    for key, policy in _policies(new_table_program, "-sweep-policy").items():
        fn_arn = new_table_program.one(FUNCTION, key).state["arn"]
        (st,) = policy["Statement"]
        assert st["Action"] == ["lambda:InvokeFunction"] and st["Resource"] == [fn_arn, f"{fn_arn}:*"]
        assert wildcard_violations(policy) == []


def test_customer_managed_key_is_granted_only_through_ssm(existing_table_program: Program) -> None:
    for policy in _policies(existing_table_program).values():
        st = _statements(policy)
        assert st["SecretParameters"]["Resource"] == [
            "arn:aws:ssm:us-east-1:123456789012:parameter/receipt-validator/ollama-api-key"
        ]
        kms = st["DecryptSecretParameters"]
        assert kms["Action"] == ["kms:Decrypt"]
        assert kms["Resource"][0].startswith("arn:aws:kms:us-east-1:123456789012:key/")
        assert kms["Condition"] == {"StringEquals": {"kms:ViaService": "ssm.us-east-1.amazonaws.com"}}


# --- alarms ----------------------------------------------------------------------------------------------------


def _alarms(program: Program) -> dict[str, dict]:
    return {a.name: a.inputs for a in program.of_type(ALARM)}


def test_every_alarm_notifies_the_topic(new_table_program: Program) -> None:
    topic_arn = new_table_program.one("aws:sns/topic:Topic").state["arn"]
    for name, alarm in _alarms(new_table_program).items():
        assert alarm["alarmActions"] == [topic_arn], name
    sub = new_table_program.one("aws:sns/topicSubscription:TopicSubscription").inputs
    assert (sub["protocol"], sub["endpoint"], sub["topic"]) == ("email", "ops@example.com", topic_arn)


def test_no_email_subscription_unless_configured(existing_table_program: Program) -> None:
    assert existing_table_program.of_type("aws:sns/topicSubscription:TopicSubscription") == []


def test_error_rate_alarm_per_function_is_metric_math(new_table_program: Program) -> None:
    alarms = _alarms(new_table_program)
    for key, fn in new_table_program.functions().items():
        alarm = alarms[f"rv-test-{key}-error-rate"]
        assert alarm["threshold"] == 10
        assert alarm["comparisonOperator"] == "GreaterThanThreshold"
        queries = {q["id"]: q for q in alarm["metricQueries"]}
        assert queries["errors"]["metric"]["metricName"] == "Errors"
        assert queries["invocations"]["metric"]["metricName"] == "Invocations"
        for q in ("errors", "invocations"):
            assert queries[q]["metric"]["dimensions"] == {"FunctionName": fn.state["name"]}
        assert "errors / invocations" in queries["error_rate"]["expression"]
        assert queries["error_rate"]["returnData"] is True


def test_duration_alarm_at_80_percent_of_timeout(new_table_program: Program) -> None:
    alarms = _alarms(new_table_program)
    for key, fn in new_table_program.functions().items():
        alarm = alarms[f"rv-test-{key}-duration"]
        assert alarm["metricName"] == "Duration"
        assert alarm["statistic"] == "Maximum"
        assert alarm["threshold"] == pytest.approx(fn.inputs["timeout"] * 1000 * 0.8)


def test_weekly_sweepers_alarm_when_a_week_passes_without_a_run(new_table_program: Program) -> None:
    alarms = _alarms(new_table_program)
    for key in ("pending", "metadata"):
        alarm = alarms[f"rv-test-{key}-not-run"]
        assert (alarm["namespace"], alarm["metricName"]) == ("AWS/States", "ExecutionsStarted")
        assert alarm["dimensions"] == {
            "StateMachineArn": new_table_program.one(STATE_MACHINE, f"{key}-sweep").state["arn"]
        }
        assert alarm["comparisonOperator"] == "LessThanThreshold"
        assert alarm["threshold"] == 1
        assert alarm["treatMissingData"] == "breaching"
        assert alarm["period"] * alarm["evaluationPeriods"] == 7 * 86_400
        assert alarm["datapointsToAlarm"] == alarm["evaluationPeriods"]
    # Quarterly is beyond CloudWatch's 7-day evaluation limit: watched through its rule instead.
    assert "rv-test-reverify-not-run" not in alarms
    for key in SWEEPERS:
        failed = alarms[f"rv-test-{key}-schedule-failed"]
        assert failed["namespace"] == "AWS/Events"
        assert failed["metricName"] == "FailedInvocations"
        assert failed["dimensions"] == {"RuleName": f"rv-test-{key}"}


def test_dlq_depth_and_iterator_age_alarms(new_table_program: Program) -> None:
    alarms = _alarms(new_table_program)
    dlq = alarms["rv-test-dlq-not-empty"]
    assert (dlq["namespace"], dlq["metricName"]) == ("AWS/SQS", "ApproximateNumberOfMessagesVisible")
    assert dlq["dimensions"] == {"QueueName": "rv-test-dlq"}
    assert (dlq["comparisonOperator"], dlq["threshold"]) == ("GreaterThanThreshold", 0)
    age = alarms["rv-test-stream-iterator-age"]
    assert age["metricName"] == "IteratorAge"
    assert age["dimensions"] == {"FunctionName": "rv-test-stream"}
    assert age["threshold"] == 900_000


def test_outputs(new_table_program: Program) -> None:
    out = new_table_program.outputs
    assert out["streamFunction"] == "rv-test-stream"
    assert out["sweeperFunctions"] == {s: f"rv-test-sweeper-{s}" for s in SWEEPERS}
    assert out["deadLetterQueueUrl"].endswith("/rv-test-dlq")
    assert all(name.startswith(out["sweeperFunctionPrefix"]) for name in out["sweeperFunctions"].values())


def test_entry_point_runs_from_config_without_building(tmp_path) -> None:
    """`infra/__main__.py` as Pulumi runs it: config in the project namespace, placeholders, no pip."""
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project="receipt-validator", stack="ci", preview=False)
    pulumi.runtime.set_all_config(
        {
            "receipt-validator:buildArtifacts": "false",
            "receipt-validator:artifactCacheDir": str(tmp_path),
            "receipt-validator:existingTableName": "receipts",
            "receipt-validator:existingTableStreamArn": "arn:aws:dynamodb:us-east-1:1:table/receipts/stream/x",
        }
    )
    try:
        pulumi.runtime.test(lambda: runpy.run_path(str(REPO_ROOT / "infra" / "__main__.py")) and None)()
    finally:
        pulumi.runtime.set_all_config({})
    functions = [r for r in mocks.resources if r.typ == FUNCTION]
    assert sorted(r.inputs["name"] for r in functions) == sorted(
        ["receipt-validator-ci-stream"] + [f"receipt-validator-ci-sweeper-{s}" for s in SWEEPERS]
    )
    assert not [r for r in mocks.resources if r.typ == "aws:dynamodb/table:Table"]
    assert list(tmp_path.iterdir()) == []  # nothing was built


# --- orchestration and the LLM budget ------------------------------------------------------------------------------


def test_a_state_machine_per_sweep_maps_over_segments_and_loops_on_the_cursor(new_table_program: Program) -> None:
    p = new_table_program
    for sweeper in SWEEPERS:
        machine = p.one(STATE_MACHINE, f"{sweeper}-sweep").inputs
        assert machine["name"] == f"rv-test-sweep-{sweeper}" and machine["type"] == "STANDARD"
        assert machine["roleArn"] == p.one("aws:iam/role:Role", f"{sweeper}-sweep-role").state["arn"]
        definition = json.loads(machine["definition"])
        fn_arn = p.one(FUNCTION, sweeper).state["arn"]
        tasks = [s for s in _all_states(definition) if s["Type"] == "Task"]
        assert {t["Parameters"]["FunctionName"] for t in tasks} == {fn_arn}
        segments = definition["States"]["Segments"]
        assert segments["Type"] == "Map" and segments["MaxConcurrency"] == 4
        inner = segments["ItemProcessor"]["States"]
        assert inner["More?"]["Choices"][0] == {"Variable": "$.next", "IsPresent": True, "Next": "Next slice"}
        assert inner["Next slice"]["Next"] == "Slice"  # the loop
        retried = {e for r in inner["Slice"]["Retry"] for e in r["ErrorEquals"]}
        assert {"Lambda.TooManyRequestsException", "Lambda.ServiceException"} <= retried
        assert definition["TimeoutSeconds"] == 23 * 3600


def _all_states(definition: dict) -> list[dict]:
    found = []
    for state in definition["States"].values():
        found.append(state)
        if state["Type"] == "Map":
            found += _all_states(state["ItemProcessor"])
    return found


def test_reserved_concurrency_and_the_llm_bound(new_table_program: Program) -> None:
    functions = new_table_program.functions()
    for sweeper in SWEEPERS:
        assert functions[sweeper].inputs["reservedConcurrentExecutions"] == 5
    assert functions["stream"].inputs["reservedConcurrentExecutions"] == -1
    bound = new_table_program.outputs["llmConcurrencyBound"]
    # 3 sweepers x 5 processes x 4 calls per process; the stream is unreserved, so the deployment has no bound
    assert bound == {"sweepers": 60, "deployment": None, "perProcess": 4}


def test_the_llm_bound_follows_the_config() -> None:
    from infra.config import Settings, SettingsError
    from tests.infra.conftest import run_program

    program = run_program(
        Settings(
            prefix="rv-b",
            sweeper_reserved_concurrency=2,
            sweep_max_concurrency=2,
            llm_max_concurrency=3,
            stream_reserved_concurrency=4,
        )
    )
    assert program.outputs["llmConcurrencyBound"] == {"sweepers": 18, "deployment": 30, "perProcess": 3}
    machine = json.loads(program.one(STATE_MACHINE, "reverify-sweep").inputs["definition"])
    assert machine["States"]["Segments"]["MaxConcurrency"] == 2
    assert program.functions()["stream"].inputs["reservedConcurrentExecutions"] == 4
    for fn in program.functions().values():
        assert fn.inputs["environment"]["variables"]["OLLAMA_MAX_CONCURRENCY"] == "3"
    with pytest.raises(SettingsError, match="sweepMaxConcurrency"):
        Settings(sweeper_reserved_concurrency=2, sweep_max_concurrency=3)


def test_throttle_partial_failure_and_execution_alarms(new_table_program: Program) -> None:
    alarms = _alarms(new_table_program)
    for key, fn in new_table_program.functions().items():
        throttles = alarms[f"rv-test-{key}-throttles"]
        assert (throttles["namespace"], throttles["metricName"]) == ("AWS/Lambda", "Throttles")
        assert throttles["dimensions"] == {"FunctionName": fn.state["name"]}
        assert (throttles["comparisonOperator"], throttles["threshold"]) == ("GreaterThanThreshold", 0)
    partial = alarms["rv-test-stream-partial-failures"]
    # the name the stream handler publishes its records_failed counter under (tests/unit/test_telemetry.py)
    assert (partial["namespace"], partial["metricName"]) == ("ReceiptValidator", metric_name("records_failed"))
    assert partial["dimensions"] == {"service": "receipt-validator-stream"}
    assert partial["evaluationPeriods"] == partial["datapointsToAlarm"] == 3
    for sweeper in SWEEPERS:
        arn = new_table_program.one(STATE_MACHINE, f"{sweeper}-sweep").state["arn"]
        for suffix, metric in (
            ("failed", "ExecutionsFailed"),
            ("timedout", "ExecutionsTimedOut"),
            ("aborted", "ExecutionsAborted"),
        ):
            alarm = alarms[f"rv-test-{sweeper}-{suffix}"]
            assert (alarm["namespace"], alarm["metricName"]) == ("AWS/States", metric)
            assert alarm["dimensions"] == {"StateMachineArn": arn}
            assert (alarm["comparisonOperator"], alarm["threshold"]) == ("GreaterThanThreshold", 0)
        duration = alarms[f"rv-test-{sweeper}-execution-duration"]
        assert duration["metricName"] == "ExecutionTime"
        assert duration["threshold"] == pytest.approx(23 * 3600 * 1000 * 0.8)


def test_outputs_name_the_state_machines(new_table_program: Program) -> None:
    out = new_table_program.outputs
    for sweeper in SWEEPERS:
        assert out["stateMachines"][sweeper] == out["sweepStateMachinePrefix"] + sweeper
        assert out["stateMachines"][sweeper].endswith(f":rv-test-sweep-{sweeper}")
