"""The one place that wires: the store, the verifier, the Places client and the secrets, built from settings once.

Every door calls this module (in the spirit of Cosmic Python's `bootstrap.py`): the stream Lambda, the sweeper
Lambdas and the CLI's commands. So the CLI and the Lambdas read secrets the same way (`domain/secrets.py`: the SSM
parameter a `*_PARAM` variable names, through powertools parameters, else the plain variable), reach the same table
the same way, and build the same verifier; the service functions take what this builds as explicit arguments.

Each part is built on first use and then kept: a metadata sweep never builds the verifier, and nothing heavy (the
CoVe graph: langgraph, langchain) is imported before the verifier is asked for, so a Lambda's cold start stays light.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import Verifier
    from domain.places import PlacesClient
    from domain.secrets import Secret
    from domain.store.repository import DynamoReceiptRepository

T = TypeVar("T")


class WiringError(RuntimeError):
    """A setting the wiring needs is missing (e.g. no table named): nothing can be built."""


@dataclass(frozen=True)
class WiringSettings:
    """Where the table is and which LLM to use; secrets are read from `env` when first needed.

    The Lambdas take everything from their environment (`from_env`); the CLI from its options, which default to the
    same variables, with `--llm`/`--model` as overrides of VALIDATOR_LLM/OLLAMA_MODEL.
    """

    table: str | None = None
    endpoint_url: str | None = None  # None: AWS (boto3 still honours AWS_ENDPOINT_URL_DYNAMODB)
    region: str | None = None
    llm: str | None = None  # auto | none | ollama; None: VALIDATOR_LLM (default auto)
    model: str | None = None  # None: OLLAMA_MODEL (default: the engine's)
    env: Mapping[str, str] | None = None  # None: os.environ, read when a part is built

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, *, llm: str | None = None, model: str | None = None
    ) -> WiringSettings:
        """As a Lambda function is configured: DYNAMODB_TABLE_NAME, AWS_ENDPOINT_URL_DYNAMODB, AWS_REGION."""
        env = os.environ if env is None else env
        return cls(
            table=env.get("DYNAMODB_TABLE_NAME") or None,
            endpoint_url=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or None,
            llm=llm,
            model=model,
            env=env,
        )


class Wiring:
    """What the service needs, built from `settings` on first use and kept for the life of the process (or run).

    Parts passed to the constructor are used as given (a door that already holds a store, a test's fake verifier).
    Thread-safe: a sweep's workers or a stream batch may ask at once; each part is still built once.
    """

    def __init__(
        self,
        settings: WiringSettings,
        *,
        store: DynamoReceiptRepository | None = None,
        verifier: Verifier | None = None,
    ):
        self.settings = settings
        self._lock = threading.RLock()
        self._built: dict[str, Any] = {}
        if store is not None:
            self._built["store"] = store
        if verifier is not None:
            self._built["verifier"] = verifier

    def with_parts(self, *, store: DynamoReceiptRepository | None = None, verifier: Verifier | None = None) -> Wiring:
        """This wiring, except for the parts given (self when none is): what is built already is shared."""
        if store is None and verifier is None:
            return self
        other = Wiring(self.settings, store=store, verifier=verifier)
        with self._lock:
            other._built = {**self._built, **other._built}
        return other

    def _once(self, name: str, build: Callable[[], T]) -> T:
        with self._lock:
            if name not in self._built:
                self._built[name] = build()
            return self._built[name]  # type: ignore[no-any-return]

    def secret(self, secret: Secret) -> str | None:
        """A secret's value, read once: the SSM parameter its `*_PARAM` variable names, else its plain variable."""

        def read() -> str | None:
            from domain.secrets import read_secret

            return read_secret(secret, self._env())

        return self._once(f"secret:{secret.parameter_variable}", read)

    def _env(self) -> Mapping[str, str]:
        return os.environ if self.settings.env is None else self.settings.env

    @property
    def llm_settings(self) -> LLMSettings:
        """How to reach the LLM (`provider="none"`: rules only); raises ValueError on a bad VALIDATOR_LLM/--llm."""

        def read() -> LLMSettings:
            from domain.cove.settings import LLMSettings
            from domain.secrets import OLLAMA_API_KEY

            env = dict(self._env())
            key = self.secret(OLLAMA_API_KEY)
            if key:
                env[OLLAMA_API_KEY.variables[0]] = key
            return LLMSettings.from_env(env, llm=self.settings.llm, model=self.settings.model)

        return self._once("llm_settings", read)

    @property
    def store(self) -> DynamoReceiptRepository:
        """The table's repository (the only code that talks to DynamoDB)."""
        return self._once("store", self._build_store)

    @property
    def verifier(self) -> Verifier:
        """Rules + CoVe: the compiled graph and its LLM client (the expensive part; imports langgraph)."""

        def build() -> Verifier:
            from domain.cove.verifier import build_verifier

            return build_verifier(self.llm_settings)

        return self._once("verifier", build)

    @property
    def places(self) -> PlacesClient | None:
        """A Places client only when a key is configured; without one, metadata is checked against the receipt."""

        def build() -> PlacesClient | None:
            from domain.secrets import PLACES_API_KEY

            key = self.secret(PLACES_API_KEY)
            if not key:
                return None
            from domain.places import GooglePlacesClient

            return GooglePlacesClient(key)

        return self._once("places", build)

    def _build_store(self) -> DynamoReceiptRepository:
        from domain.store.repository import DynamoReceiptRepository, make_client

        if not self.settings.table:
            raise WiringError("DYNAMODB_TABLE_NAME is not set")
        return DynamoReceiptRepository(
            self.settings.table, make_client(self.settings.endpoint_url, self.settings.region)
        )


def from_environment(env: Mapping[str, str] | None = None) -> Wiring:
    """The wiring of a Lambda function: everything from its environment (secrets from SSM where configured)."""
    return Wiring(WiringSettings.from_env(env))
