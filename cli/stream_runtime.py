"""Wires the local stream reader to the real handler: the handler's validation bound to the CLI's store and LLM.

In Lambda the handler wires its validation from its environment; locally the CLI wires it from its options (the same
`domain/wiring.py`, so secrets, store and verifier are built the same way) and installs it through the handler's
`use_validation` seam.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TextIO

from cli.exit_codes import UsageError
from cli.settings import Settings
from cli.stream_checkpoint import Position
from cli.stream_reader import ReaderOptions, StreamReader

if TYPE_CHECKING:
    from domain.wiring import Wiring


def install_validation(wiring: Wiring) -> None:
    """The handler's validation bound to the CLI's wiring (its store, verifier and Places client)."""
    from stream_handlers.validation import from_wiring, use_validation

    use_validation(from_wiring(wiring))


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
    """A reader on the table's stream that invokes `stream_handlers.handler.lambda_handler` in this process, with the
    validation wired from `settings` (a `store` or `verifier` given is used instead of building one)."""
    from stream_handlers import handler

    wiring = settings.wiring.with_parts(store=store, verifier=verifier)
    arn = wiring.store.stream_arn()
    if not arn:
        raise UsageError(f"table {settings.table} has no stream; it must have NEW_AND_OLD_IMAGES enabled")
    install_validation(wiring)
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
