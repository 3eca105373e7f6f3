"""What a dry-run sweep would change, label by label (or metadata record by record), for `sweep --dry-run`.

The runner keeps only counts (its summary travels through Step Functions); locally the CLI wraps the sweep's
per-receipt step to note each verdict that differs from what is stored, so a person sees what would be written.
"""

from __future__ import annotations

import dataclasses
import threading
from typing import Any

from domain.model import MetadataVerdict, Verdict
from sweepers.runner import Sweep


class ChangeRecorder:
    def __init__(self) -> None:
        self.changes: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def wrap(self, sweep: Sweep) -> Sweep:
        process = sweep.process

        def recording(store: Any, ref: Any, dry_run: bool) -> Any:
            report = process(store, ref, dry_run)
            found = [c for v in getattr(report, "verdicts", []) or [] if (c := change_of(v)) is not None]
            with self._lock:
                self.changes.extend(found)
            return report

        return dataclasses.replace(sweep, process=recording)

    def sorted(self) -> list[dict[str, Any]]:
        return sorted(self.changes, key=lambda c: (c["receipt"], c.get("line_id", 0), c.get("word_id", 0), c["label"]))


def change_of(verdict: Any) -> dict[str, Any] | None:
    """The change a verdict would write, or None when it decides nothing or keeps what is stored."""
    if isinstance(verdict, Verdict):
        lb = verdict.label
        if not verdict.decided or verdict.status is lb.validation_status:
            return None
        return {
            "receipt": str(lb.ref),
            "line_id": lb.line_id,
            "word_id": lb.word_id,
            "label": lb.label,
            "from": lb.validation_status.value,
            "to": verdict.status.value,
            "reasoning": verdict.reasoning,
        }
    if isinstance(verdict, MetadataVerdict):
        before = verdict.metadata.validation_status
        before = getattr(before, "value", before)
        after = getattr(verdict.status, "value", verdict.status)
        if before == after:
            return None
        return {
            "receipt": str(verdict.metadata.ref),
            "label": "METADATA",
            "from": before,
            "to": after,
            "reasoning": verdict.reasoning,
        }
    return None


def change_lines(changes: list[dict[str, Any]]) -> list[str]:
    out = []
    for c in changes:
        where = f"{c['line_id']}/{c['word_id']} " if "line_id" in c else ""
        why = " ".join(str(c.get("reasoning") or "").split())
        out.append(f"{c['receipt']} {where}{c['label']}: {c['from'] or 'none'} -> {c['to']}  {why[:100]}")
    return out
