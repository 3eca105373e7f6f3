"""LangSmith tracing in the stack: config keys -> settings -> every function's environment and read access to the key's
parameter; nothing of it when tracing is off (the default)."""

from __future__ import annotations

import json

import pytest

from infra.config import DEFAULT_LANGSMITH_KEY_PARAM, Settings, SettingsError, TracingSettings, settings_from
from infra.functions import tracing_environment
from tests.infra.conftest import Program, run_program

pytestmark = [pytest.mark.infra, pytest.mark.filterwarnings("ignore::DeprecationWarning:pulumi_aws")]


def test_tracing_is_off_by_default_and_adds_nothing() -> None:
    s = settings_from({}.get, "dev")
    assert s.tracing.enabled is False
    assert DEFAULT_LANGSMITH_KEY_PARAM not in s.secret_param_names
    assert tracing_environment(s) == {}


def test_tracing_keys_are_parsed() -> None:
    cfg = {
        "langsmithTracing": "true",
        "langsmithApiKeyParam": "/team/langsmith",
        "langsmithProject": "receipts-prod",
        "langsmithEndpoint": "https://eu.api.smith.langchain.com",
        "langsmithHideInputs": "true",
    }
    s = settings_from(cfg.get, "prod")
    assert s.tracing == TracingSettings(
        enabled=True,
        api_key_param="/team/langsmith",
        project="receipts-prod",
        endpoint="https://eu.api.smith.langchain.com",
        hide_inputs=True,
        hide_outputs=False,
    )
    assert s.secret_param_names[-1] == "/team/langsmith"
    assert tracing_environment(s) == {
        "LANGSMITH_TRACING": "true",
        "LANGSMITH_API_KEY_PARAM": "/team/langsmith",
        "LANGSMITH_PROJECT": "receipts-prod",
        "LANGSMITH_ENDPOINT": "https://eu.api.smith.langchain.com",
        "LANGSMITH_HIDE_INPUTS": "true",
    }


@pytest.mark.parametrize("cfg", [{"langsmithTracing": "maybe"}, {"langsmithHideInputs": "sometimes"}])
def test_unworkable_tracing_settings_are_refused(cfg: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        settings_from(cfg.get, "dev")


def test_tracing_on_without_a_parameter_is_refused() -> None:
    with pytest.raises(SettingsError):
        Settings(tracing=TracingSettings(enabled=True, api_key_param=""))


@pytest.fixture(scope="module")
def traced_program() -> Program:
    return run_program(Settings(prefix="rv-traced", tracing=TracingSettings(enabled=True, hide_outputs=True)))


def test_every_function_is_wired_for_tracing_with_only_a_parameter_name(traced_program: Program) -> None:
    functions = traced_program.functions()
    assert functions
    for fn in functions.values():
        env = fn.inputs["environment"]["variables"]
        assert env["LANGSMITH_TRACING"] == "true"
        assert env["LANGSMITH_API_KEY_PARAM"] == DEFAULT_LANGSMITH_KEY_PARAM
        assert env["LANGSMITH_PROJECT"] == "rv-traced"
        assert env["LANGSMITH_HIDE_OUTPUTS"] == "true"
        assert "LANGSMITH_API_KEY" not in env and "LANGSMITH_HIDE_INPUTS" not in env


def test_every_function_may_read_the_langsmith_parameter(traced_program: Program) -> None:
    functions = set(traced_program.functions())
    policies = [p for p in traced_program.of_type("aws:iam/rolePolicy:RolePolicy") if p.name[:-7] in functions]
    assert {p.name.removesuffix("-policy") for p in policies} == functions
    for policy in policies:
        statements = {st["Sid"]: st for st in json.loads(policy.inputs["policy"])["Statement"]}
        resources = statements["SecretParameters"]["Resource"]
        assert any(r.endswith(f"parameter{DEFAULT_LANGSMITH_KEY_PARAM}") for r in resources), resources


def test_untraced_program_has_no_langsmith_variables(new_table_program: Program) -> None:
    for fn in new_table_program.functions().values():
        assert not [k for k in fn.inputs["environment"]["variables"] if k.startswith("LANGSMITH_")]
