"""The check every table command makes before any work: the table is there at the endpoint, with credentials.

Failing here means nothing was written, so the entry point reports exit 2 (cli/errors.py); passing here marks the
work started, so a later failure is exit 1.
"""

from __future__ import annotations

from typing import Any

from cli import errors
from cli.settings import Settings


def require_table(settings: Settings, store: Any | None = None) -> Any:
    """The store, once a DescribeTable at the endpoint succeeded (errors go to the entry point unchanged)."""
    store = store if store is not None else settings.store()
    store.describe()
    errors.mark_work_started()
    return store
