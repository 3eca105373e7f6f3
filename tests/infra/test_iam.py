"""The policy builders as pure functions: least privilege is a property of their output."""

from __future__ import annotations

import pytest

from infra.iam import (
    Arn,
    FunctionGrants,
    function_policy,
    queue_policy,
    schedule_policy,
    ssm_parameter_arn,
    state_machine_policy,
    wildcard_violations,
)

pytestmark = pytest.mark.infra

TABLE = "arn:aws:dynamodb:eu-west-1:111122223333:table/receipts"
LOGS = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/rv-stream"


def _grants(**overrides) -> FunctionGrants:
    base = dict(
        table_arn=TABLE,
        index_arns=[f"{TABLE}/index/GSI3"],
        log_group_arn=LOGS,
        dlq_arn="arn:aws:sqs:eu-west-1:111122223333:rv-dlq",
    )
    return FunctionGrants(**{**base, **overrides})


def test_arn_parse_and_parameter_arn_in_the_tables_account_and_region() -> None:
    assert Arn.parse(TABLE) == Arn("aws", "dynamodb", "eu-west-1", "111122223333", "table/receipts")
    assert ssm_parameter_arn("/rv/ollama", TABLE) == "arn:aws:ssm:eu-west-1:111122223333:parameter/rv/ollama"
    assert ssm_parameter_arn("plain", TABLE) == "arn:aws:ssm:eu-west-1:111122223333:parameter/plain"
    with pytest.raises(ValueError):
        Arn.parse("receipts")


def test_minimal_grants_have_no_optional_statements() -> None:
    sids = [st["Sid"] for st in function_policy(_grants())["Statement"]]
    assert sids == ["Logs", "Table", "Indexes", "DeadLetterQueue"]


def test_logs_are_scoped_to_the_functions_log_group() -> None:
    (logs,) = [st for st in function_policy(_grants())["Statement"] if st["Sid"] == "Logs"]
    assert logs["Resource"] == [LOGS, f"{LOGS}:*"]
    # the provider may hand back the ARN with its ":*" suffix; the result is the same
    (again,) = [st for st in function_policy(_grants(log_group_arn=f"{LOGS}:*"))["Statement"] if st["Sid"] == "Logs"]
    assert again["Resource"] == logs["Resource"]


def test_full_grants_pass_the_wildcard_check() -> None:
    policy = function_policy(
        _grants(
            stream_arn=f"{TABLE}/stream/2024",
            ssm_parameter_arns=[ssm_parameter_arn("/rv/key", TABLE)],
            kms_key_arn="arn:aws:kms:eu-west-1:111122223333:key/abc",
        )
    )
    assert wildcard_violations(policy) == []
    kms = next(st for st in policy["Statement"] if st["Sid"] == "DecryptSecretParameters")
    assert kms["Condition"]["StringEquals"]["kms:ViaService"] == "ssm.eu-west-1.amazonaws.com"


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("dynamodb:Query", "*"),
        ("dynamodb:Query", f"{TABLE}/index/*"),
        ("dynamodb:*", TABLE),
        ("logs:PutLogEvents", "arn:aws:logs:eu-west-1:111122223333:log-group:*"),
        ("ssm:GetParameter", "arn:aws:ssm:eu-west-1:111122223333:parameter/*"),
    ],
)
def test_wildcard_check_catches_broad_grants(action: str, resource: str) -> None:
    policy = {"Statement": [{"Sid": "X", "Effect": "Allow", "Action": [action], "Resource": [resource]}]}
    assert wildcard_violations(policy)


def test_list_streams_may_not_smuggle_other_actions_onto_star() -> None:
    policy = {
        "Statement": [
            {"Sid": "X", "Effect": "Allow", "Action": ["dynamodb:ListStreams", "dynamodb:GetRecords"], "Resource": "*"}
        ]
    }
    assert wildcard_violations(policy)


def test_queue_policy_is_limited_to_the_given_rules() -> None:
    policy = queue_policy("arn:aws:sqs:r:1:q", ["arn:aws:events:r:1:rule/b", "arn:aws:events:r:1:rule/a"])
    (st,) = policy["Statement"]
    assert st["Principal"] == {"Service": "events.amazonaws.com"}
    assert st["Condition"]["ArnEquals"]["aws:SourceArn"] == ["arn:aws:events:r:1:rule/a", "arn:aws:events:r:1:rule/b"]


def test_no_function_may_invoke_a_function() -> None:
    policy = function_policy(_grants(stream_arn=f"{TABLE}/stream/2024"))
    assert not [a for st in policy["Statement"] for a in st["Action"] if a.startswith("lambda:")]


def test_state_machine_may_invoke_only_its_sweeper_and_its_versions() -> None:
    fn = "arn:aws:lambda:eu-west-1:111122223333:function:rv-sweeper-pending"
    policy = state_machine_policy(fn)
    (st,) = policy["Statement"]
    assert st["Action"] == ["lambda:InvokeFunction"] and st["Resource"] == [fn, f"{fn}:*"]
    assert wildcard_violations(policy) == []
    broad = state_machine_policy("arn:aws:lambda:eu-west-1:111122223333:function:*")
    assert wildcard_violations(broad)


def test_schedule_may_start_only_its_state_machine() -> None:
    arn = "arn:aws:states:eu-west-1:111122223333:stateMachine:rv-sweep-pending"
    (st,) = schedule_policy(arn)["Statement"]
    assert st["Action"] == ["states:StartExecution"] and st["Resource"] == [arn]
