"""Where the CLI writes: reports to stdout, progress and messages to stderr (stdout stays clean for --json)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

ERROR_LIST_LIMIT = 20  # long error lists end with a count of the rest


@cache
def err_console() -> Console:
    return Console(stderr=True)


@cache
def out_console() -> Console:
    return Console()


@contextlib.contextmanager
def progress(description: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr when it is a terminal; silent otherwise. Yields `advance(n)`."""
    console = err_console()
    if not console.is_terminal:
        yield lambda n: None
        return
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def print_problems(header: str, problems: list[Any], *, limit: int = ERROR_LIST_LIMIT) -> None:
    """A header and one line per problem on stderr, at most `limit` of them, then a count of the rest."""
    console = err_console()
    console.print(f"[red]{header}[/]", highlight=False)
    shown = problems[:limit]
    for problem in shown:
        console.print(f"  {problem}", markup=False, highlight=False, soft_wrap=True)
    if len(problems) > limit:
        console.print(f"  ... and {len(problems) - limit} more", markup=False, highlight=False)
