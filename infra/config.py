"""The stack's settings: every `pulumi config` key the program reads, with defaults, in one typed object.

The rest of the program takes a `Settings`, never `pulumi.Config`, so tests build one directly.
docs/deploy.md lists the keys with `pulumi config set` examples.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pulumi

from infra.artifacts import DEFAULT_CACHE_DIR
from stream_handlers.mapping_defaults import BATCH_SIZE

DEFAULT_OLLAMA_KEY_PARAM = "/receipt-validator/ollama-api-key"
DEFAULT_PLACES_KEY_PARAM = "/receipt-validator/google-places-api-key"
DEFAULT_LANGSMITH_KEY_PARAM = "/receipt-validator/langsmith-api-key"


class SettingsError(ValueError):
    """A config value that cannot work; raised before any resource is declared."""


@dataclass(frozen=True)
class TableSettings:
    """Either create the table (`existing_name` unset) or use an existing one by name and stream ARN."""

    name: str = "receipts"
    existing_name: str | None = None
    existing_stream_arn: str | None = None
    deletion_protection: bool = True

    @property
    def use_existing(self) -> bool:
        return self.existing_name is not None


@dataclass(frozen=True)
class StreamSettings:
    """The event source mapping's tunables."""

    batch_size: int = BATCH_SIZE
    batching_window_seconds: int = 5
    retry_attempts: int = 3
    max_record_age_seconds: int = 86_400
    parallelization_factor: int = 1


@dataclass(frozen=True)
class TracingSettings:
    """LangSmith tracing of the CoVe graph: off unless `langsmithTracing` is true. Traces carry receipt text (the
    prompts); `hide_inputs`/`hide_outputs` keep inputs/outputs out of them (LANGSMITH_HIDE_INPUTS/OUTPUTS)."""

    enabled: bool = False
    api_key_param: str = DEFAULT_LANGSMITH_KEY_PARAM
    project: str | None = None  # None: the stack's prefix
    endpoint: str | None = None  # None: LangSmith's default
    hide_inputs: bool = False
    hide_outputs: bool = False


@dataclass(frozen=True)
class Settings:
    """Everything the program needs to declare the stack."""

    prefix: str = "receipt-validator"
    table: TableSettings = field(default_factory=TableSettings)
    stream: StreamSettings = field(default_factory=StreamSettings)
    ollama_host: str = "https://ollama.com"
    ollama_model: str = "gpt-oss:20b"
    validator_llm: str = "auto"
    ollama_api_key_param: str | None = DEFAULT_OLLAMA_KEY_PARAM
    places_api_key_param: str | None = DEFAULT_PLACES_KEY_PARAM
    tracing: TracingSettings = field(default_factory=TracingSettings)
    secrets_kms_key_arn: str | None = None  # None: the parameters use the default aws/ssm key
    stream_timeout_seconds: int = 300
    sweeper_timeout_seconds: int = 900
    stream_memory_mb: int = 1024
    sweeper_memory_mb: int = 1024
    # The LLM budget (docs/deploy.md): at most reserved x per-process LLM calls in flight per sweeper.
    sweeper_reserved_concurrency: int = 5  # Lambda reserved concurrency of each sweeper
    sweep_max_concurrency: int = 4  # Map MaxConcurrency: segments run at once by one execution
    llm_max_concurrency: int = 4  # OLLAMA_MAX_CONCURRENCY: LLM calls in flight per Lambda process
    llm_requests_per_second: float = 2.0  # OLLAMA_REQUESTS_PER_SECOND per Lambda process
    stream_reserved_concurrency: int | None = None  # None: unreserved (shards x parallelizationFactor)
    sweep_timeout_seconds: int = 23 * 3600  # an execution that runs longer is stopped (TIMED_OUT alarm)
    log_level: str = "INFO"
    log_retention_days: int = 30
    iterator_age_alarm_seconds: int = 900
    alarm_email: str | None = None
    artifact_bucket: str | None = None  # None: the program creates one
    build_artifacts: bool = True
    artifact_cache_dir: Path = DEFAULT_CACHE_DIR

    def __post_init__(self) -> None:
        problems = [
            *self._naming_problems(),
            *self._stream_problems(),
            *self._limit_problems(),
            *self._switch_problems(),
        ]
        if problems:
            raise SettingsError("; ".join(problems))

    def _naming_problems(self) -> list[str]:
        """The prefix and the table to use."""
        problems = []
        if not re.fullmatch(r"[A-Za-z0-9-]{1,40}", self.prefix):
            problems.append("prefix must be 1..40 letters, digits or '-' (it starts every resource name)")
        if self.table.use_existing and not self.table.existing_stream_arn:
            problems.append("existingTableName needs existingTableStreamArn (the stream to subscribe to)")
        if self.table.existing_stream_arn and "/stream/" not in self.table.existing_stream_arn:
            problems.append("existingTableStreamArn must be a DynamoDB stream ARN (…:table/NAME/stream/LABEL)")
        return problems

    def _stream_problems(self) -> list[str]:
        """The event source mapping's settings."""
        problems = []
        if not 1 <= self.stream.batch_size <= 10_000:
            problems.append("batchSize must be 1..10000")
        if not 0 <= self.stream.batching_window_seconds <= 300:
            problems.append("batchingWindowSeconds must be 0..300")
        if not -1 <= self.stream.retry_attempts <= 10_000:
            problems.append("retryAttempts must be -1..10000")
        if not (self.stream.max_record_age_seconds == -1 or 60 <= self.stream.max_record_age_seconds <= 604_800):
            problems.append("maxRecordAgeSeconds must be -1 or 60..604800")
        return problems

    def _limit_problems(self) -> list[str]:
        """Timeouts and concurrency bounds."""
        problems = []
        for name, value in (
            ("streamTimeout", self.stream_timeout_seconds),
            ("sweeperTimeout", self.sweeper_timeout_seconds),
        ):
            if not 1 <= value <= 900:
                problems.append(f"{name} must be 1..900 seconds")
        if not 1 <= self.sweep_max_concurrency <= self.sweeper_reserved_concurrency:
            problems.append("sweepMaxConcurrency must be 1..sweeperReservedConcurrency (slices beyond it throttle)")
        if self.llm_max_concurrency < 1 or self.llm_requests_per_second <= 0:
            problems.append("llmMaxConcurrency must be >= 1 and llmRequestsPerSecond > 0")
        if self.stream_reserved_concurrency is not None and self.stream_reserved_concurrency < 1:
            problems.append("streamReservedConcurrency must be >= 1 (unset for unreserved)")
        if not 60 <= self.sweep_timeout_seconds <= 365 * 86400:
            problems.append("sweepTimeoutSeconds must be 60..31536000")
        return problems

    def _switch_problems(self) -> list[str]:
        """The LLM choice and the tracing switch."""
        problems = []
        if self.validator_llm not in {"auto", "none", "ollama"}:
            problems.append("validatorLlm must be auto, none or ollama")
        if self.tracing.enabled and not self.tracing.api_key_param:
            problems.append("langsmithTracing needs langsmithApiKeyParam (the SSM parameter holding the key)")
        return problems

    @property
    def llm_bound(self) -> int | None:
        """Most LLM calls the deployment can have in flight, or None when the stream's concurrency is unreserved.

        Each process has one limiter (llm_max_concurrency); Lambda runs at most `reserved` processes of a sweeper.
        """
        sweepers = 3 * self.sweeper_reserved_concurrency * self.llm_max_concurrency
        if self.stream_reserved_concurrency is None:
            return None
        return sweepers + self.stream_reserved_concurrency * self.llm_max_concurrency

    @property
    def sweeper_llm_bound(self) -> int:
        """Most LLM calls all sweepers together can have in flight."""
        return 3 * self.sweeper_reserved_concurrency * self.llm_max_concurrency

    @property
    def secret_param_names(self) -> list[str]:
        """The SSM parameter names the functions may read (never their values)."""
        tracing = self.tracing.api_key_param if self.tracing.enabled else None
        return [p for p in (self.ollama_api_key_param, self.places_api_key_param, tracing) if p]


Getter = Callable[[str], str | None]


def _int(get: Getter, key: str, default: int) -> int:
    raw = get(key)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be an integer, got {raw!r}") from exc


def _float(get: Getter, key: str, default: float) -> float:
    raw = get(key)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be a number, got {raw!r}") from exc


def _bool(get: Getter, key: str, default: bool) -> bool:
    raw = get(key)
    if raw in (None, ""):
        return default
    if raw.lower() in {"true", "1", "yes"}:
        return True
    if raw.lower() in {"false", "0", "no"}:
        return False
    raise SettingsError(f"{key} must be true or false, got {raw!r}")


def _optional(get: Getter, key: str, default: str | None) -> str | None:
    """Unset means the default; an explicit empty string means 'none' (e.g. no Places key)."""
    raw = get(key)
    if raw is None:
        return default
    return raw or None


def settings_from(get: Getter, stack: str = "dev") -> Settings:
    """Build `Settings` from any key lookup (pulumi.Config.get in the program, a dict in tests)."""
    d = Settings()
    prefix = get("prefix") or f"receipt-validator-{stack}"
    existing = get("existingTableName") or None
    return Settings(
        prefix=prefix,
        table=TableSettings(
            name=get("tableName") or f"{prefix}-receipts",
            existing_name=existing,
            existing_stream_arn=get("existingTableStreamArn") or None,
            deletion_protection=_bool(get, "tableDeletionProtection", True),
        ),
        stream=StreamSettings(
            batch_size=_int(get, "batchSize", d.stream.batch_size),
            batching_window_seconds=_int(get, "batchingWindowSeconds", d.stream.batching_window_seconds),
            retry_attempts=_int(get, "retryAttempts", d.stream.retry_attempts),
            max_record_age_seconds=_int(get, "maxRecordAgeSeconds", d.stream.max_record_age_seconds),
            parallelization_factor=_int(get, "parallelizationFactor", d.stream.parallelization_factor),
        ),
        ollama_host=get("ollamaHost") or d.ollama_host,
        ollama_model=get("ollamaModel") or d.ollama_model,
        validator_llm=get("validatorLlm") or d.validator_llm,
        ollama_api_key_param=_optional(get, "ollamaApiKeyParam", d.ollama_api_key_param),
        places_api_key_param=_optional(get, "placesApiKeyParam", d.places_api_key_param),
        tracing=TracingSettings(
            enabled=_bool(get, "langsmithTracing", False),
            api_key_param=get("langsmithApiKeyParam") or d.tracing.api_key_param,
            project=get("langsmithProject") or prefix,
            endpoint=get("langsmithEndpoint") or None,
            hide_inputs=_bool(get, "langsmithHideInputs", False),
            hide_outputs=_bool(get, "langsmithHideOutputs", False),
        ),
        secrets_kms_key_arn=get("secretsKmsKeyArn") or None,
        stream_timeout_seconds=_int(get, "streamTimeout", d.stream_timeout_seconds),
        sweeper_timeout_seconds=_int(get, "sweeperTimeout", d.sweeper_timeout_seconds),
        stream_memory_mb=_int(get, "streamMemory", d.stream_memory_mb),
        sweeper_memory_mb=_int(get, "sweeperMemory", d.sweeper_memory_mb),
        sweeper_reserved_concurrency=_int(get, "sweeperReservedConcurrency", d.sweeper_reserved_concurrency),
        sweep_max_concurrency=_int(get, "sweepMaxConcurrency", d.sweep_max_concurrency),
        llm_max_concurrency=_int(get, "llmMaxConcurrency", d.llm_max_concurrency),
        llm_requests_per_second=_float(get, "llmRequestsPerSecond", d.llm_requests_per_second),
        stream_reserved_concurrency=_int(get, "streamReservedConcurrency", 0) or None,
        sweep_timeout_seconds=_int(get, "sweepTimeoutSeconds", d.sweep_timeout_seconds),
        log_level=get("logLevel") or d.log_level,
        log_retention_days=_int(get, "logRetentionDays", d.log_retention_days),
        iterator_age_alarm_seconds=_int(get, "iteratorAgeAlarmSeconds", d.iterator_age_alarm_seconds),
        alarm_email=get("alarmEmail") or None,
        artifact_bucket=get("artifactBucket") or None,
        build_artifacts=_bool(get, "buildArtifacts", True),
        artifact_cache_dir=Path(get("artifactCacheDir") or d.artifact_cache_dir),
    )


def load_settings() -> Settings:
    """Read the stack's config (namespace = the project name in Pulumi.yaml)."""
    return settings_from(pulumi.Config().get, pulumi.get_stack())
