"""Wires the local stream reader to the real handler: the handler's validation bound to the CLI's store and LLM.

In Lambda the handler builds its validation from its environment; locally the CLI already knows the endpoint, the
table and the LLM choice, so it installs a validation built from those (the handler's `use_validation` seam).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TextIO

from cli.exit_codes import UsageError
from cli.settings import Settings
from cli.stream_checkpoint import Position
from cli.stream_reader import ReaderOptions, StreamReader
from cli.stream_summary import StreamRunSummary


def build_verifier_for(settings: Settings) -> Any:
    """The verifier for `--llm/--model` (rules only when no LLM is configured); built once per run."""
    from domain.cove.settings import LLMSettings
    from domain.cove.verifier import build_verifier
    from domain.secrets import environment_with_secrets

    return build_verifier(LLMSettings.from_env(environment_with_secrets(), llm=settings.llm, model=settings.model))


def install_validation(store: Any, verifier: Any) -> None:
    from domain.secrets import places_client
    from stream_handlers.validation import ServiceValidation, use_validation

    use_validation(ServiceValidation(store, verifier, places_client()))


def stream_reader_for(
    settings: Settings,
    options: ReaderOptions,
    *,
    store: Any | None = None,
    verifier: Any | None = None,
    function_output: TextIO | None = None,
    on_invocation: Any = None,
    initial_positions: dict[str, Position] | None = None,
    on_checkpoint: Callable[[dict[str, Position]], None] | None = None,
) -> StreamReader:
    """A reader on the table's stream that invokes `stream_handlers.handler.lambda_handler` in this process."""
    from stream_handlers import handler

    store = store or settings.store()
    arn = store.stream_arn()
    if not arn:
        raise UsageError(f"table {settings.table} has no stream; it must have NEW_AND_OLD_IMAGES enabled")
    install_validation(store, verifier if verifier is not None else build_verifier_for(settings))
    return StreamReader(
        settings.streams_client(),
        arn,
        handler.lambda_handler,
        handler.last_invocation_summary,
        options=options,
        region=settings.region,
        function_output=function_output,
        on_invocation=on_invocation,
        initial_positions=initial_positions,
        on_checkpoint=on_checkpoint,
    )


def run_stream(settings: Settings, options: ReaderOptions, **kwargs: Any) -> StreamRunSummary:
    return stream_reader_for(settings, options, **kwargs).run()
