"""What the demo shows: each receipt's labels with their verdict and reason, then totals; as rich tables or JSON.

Everything is read back from the table after the run (not from the handler's memory), so the report shows what a
user of the table would see. When the receipts came from the sample generator, the planted wrong labels are known
and the report says how many the validator caught.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table

from domain.model import ReceiptContext, ReceiptRef, ValidationStatus

STATUS_STYLE = {
    "VALID": "green",
    "INVALID": "red",
    "NEEDS_REVIEW": "yellow",
    "PENDING": "dim",
    "NONE": "dim",
}


@dataclass
class TruthScore:
    """How the verdicts compare with the generator's truth (only for generated receipts)."""

    wrong_planted: int = 0
    wrong_caught: int = 0  # INVALID
    wrong_flagged: int = 0  # NEEDS_REVIEW
    wrong_missed: int = 0  # VALID
    correct: int = 0
    correct_rejected: int = 0  # INVALID although correct

    def add(self, correct: bool, status: str) -> None:
        if correct:
            self.correct += 1
            self.correct_rejected += status == "INVALID"
            return
        self.wrong_planted += 1
        self.wrong_caught += status == "INVALID"
        self.wrong_flagged += status == "NEEDS_REVIEW"
        self.wrong_missed += status == "VALID"


@dataclass
class DemoReport:
    receipts: list[ReceiptContext]
    stream: dict[str, Any]
    sweep: dict[str, Any] | None
    sweep_note: str | None
    llm: str
    wall_time_s: float
    truth: dict[tuple[str, int], dict[tuple[int, int, str], bool]] | None = None
    timings: dict[str, float] = field(default_factory=dict)
    by_status: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.by_status = Counter(lb.validation_status.value for c in self.receipts for lb in c.labels)

    def score(self) -> TruthScore | None:
        if self.truth is None:
            return None
        score = TruthScore()
        for context in self.receipts:
            known = self.truth.get((context.ref.image_id, context.ref.receipt_id), {})
            for lb in context.labels:
                correct = known.get((lb.line_id, lb.word_id, lb.label))
                if correct is not None:
                    score.add(correct, lb.validation_status.value)
        return score

    def as_dict(self) -> dict[str, Any]:
        score = self.score()
        return {
            "receipts": len(self.receipts),
            "labels": sum(self.by_status.values()),
            "by_status": dict(sorted(self.by_status.items())),
            "llm": self.llm,
            "wall_time_s": round(self.wall_time_s, 2),
            "timings": self.timings,
            "stream": self.stream,
            "sweep": self.sweep,
            "sweep_note": self.sweep_note,
            "truth": score.__dict__ if score else None,
            "labels_by_receipt": [_receipt_dict(c) for c in self.receipts],
        }


def _receipt_dict(context: ReceiptContext) -> dict[str, Any]:
    words = context.words_by_key()
    return {
        "receipt": str(context.ref),
        "metadata_status": context.metadata.validation_status if context.metadata else None,
        "labels": [
            {
                "line_id": lb.line_id,
                "word_id": lb.word_id,
                "text": w.text if (w := words.get(lb.word_key)) else None,
                "label": lb.label,
                "validation_status": lb.validation_status.value,
                "reasoning": lb.reasoning,
                "validated_by": lb.validated_by,
            }
            for lb in sorted(context.labels, key=lambda lb: (lb.line_id, lb.word_id, lb.label))
        ],
    }


def render(report: DemoReport, console: Console) -> None:
    truth = report.truth or {}
    for context in report.receipts:
        console.print(_receipt_table(context, truth.get((context.ref.image_id, context.ref.receipt_id))))
    console.print(_totals_table(report))
    score = report.score()
    if score is not None and score.wrong_planted:
        console.print(
            f"planted wrong labels: {score.wrong_planted}; marked INVALID {score.wrong_caught}, "
            f"NEEDS_REVIEW {score.wrong_flagged}, VALID (missed) {score.wrong_missed}; "
            f"correct labels marked INVALID: {score.correct_rejected} of {score.correct}",
            highlight=False,
        )


def _receipt_table(context: ReceiptContext, truth: dict[tuple[int, int, str], bool] | None) -> Table:
    ref: ReceiptRef = context.ref
    merchant = context.metadata.merchant_name if context.metadata and context.metadata.merchant_name else "?"
    meta_status = context.metadata.validation_status if context.metadata else None
    title = f"{merchant} — receipt {ref}" + (f" (metadata {meta_status})" if meta_status else "")
    table = Table(title=title, title_justify="left", show_lines=False, expand=True)
    table.add_column("line/word", no_wrap=True)
    table.add_column("text", max_width=18, overflow="ellipsis", no_wrap=True)
    table.add_column("label", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    if truth is not None:
        table.add_column("truth", no_wrap=True)
    table.add_column("why", overflow="fold", ratio=1)
    words = context.words_by_key()
    for lb in sorted(context.labels, key=lambda lb: (lb.line_id, lb.word_id, lb.label)):
        status = lb.validation_status.value
        word = words.get(lb.word_key)
        row = [
            f"{lb.line_id}/{lb.word_id}",
            word.text if word else "",
            lb.label,
            f"[{STATUS_STYLE.get(status, '')}]{status}[/]",
        ]
        if truth is not None:
            correct = truth.get((lb.line_id, lb.word_id, lb.label))
            row.append("" if correct is None else ("right" if correct else "[b]wrong[/]"))
        undecided = "not decided: nothing conclusive yet (stays PENDING)"
        row.append(_short(lb.reasoning or (undecided if status == ValidationStatus.PENDING.value else "-")))
        table.add_row(*row)
    return table


def _short(text: str, limit: int = 120) -> str:
    """The evidence of a reasoning, without the questions: `[Q? refutes: 'ST,' has no digits]` -> `refutes: ...`."""
    text = " ".join(text.split())
    answers = [part.split("? ", 1)[-1] for part in re.findall(r"\[([^\]]*)\]", text)]
    if answers:
        text = "; ".join(answers)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _totals_table(report: DemoReport) -> Table:
    table = Table(title="totals", title_justify="left")
    table.add_column("")
    table.add_column("")
    table.add_row("receipts", str(len(report.receipts)))
    table.add_row("labels", str(sum(report.by_status.values())))
    for status in ("VALID", "INVALID", "NEEDS_REVIEW", "PENDING"):
        table.add_row(f"  {status}", f"[{STATUS_STYLE[status]}]{report.by_status.get(status, 0)}[/]")
    s = report.stream
    table.add_row(
        "stream",
        f"{s['records_read']} records read, {s['records_passed_filter']} passed the filter, "
        f"{s['batches']} batches, {s['invocations']} invocations, {s['llm_calls']} LLM calls, {s['errors']} errors",
    )
    if report.sweep is not None:
        w = report.sweep
        table.add_row(
            "pending sweep",
            f"{w.get('receipts', 0)} receipts, {w.get('labels_seen', 0)} PENDING labels seen, "
            f"{w.get('errors', 0)} errors",
        )
    elif report.sweep_note:
        table.add_row("pending sweep", report.sweep_note)
    table.add_row("LLM", report.llm)
    phases = ", ".join(f"{name.removesuffix('_s')} {value:.1f}" for name, value in report.timings.items())
    table.add_row("wall time", f"{report.wall_time_s:.1f} s" + (f" ({phases})" if phases else ""))
    return table
