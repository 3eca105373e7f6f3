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

from domain.model import ReceiptContext, ReceiptRef, ReceiptWordLabel, ValidationStatus

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
    sweep: dict[str, Any]
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


def render(report: DemoReport, console: Console, *, full: bool = False) -> None:
    """The one-screen story by default; every label of every receipt with `full` (`demo --all`)."""
    if not full:
        render_story(report, console)
        return
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
    w = report.sweep
    table.add_row(
        "pending sweep",
        f"{w.get('receipts', 0)} receipts, {w.get('labels_seen', 0)} PENDING labels seen, {w.get('errors', 0)} errors",
    )
    table.add_row("LLM", report.llm)
    phases = ", ".join(f"{name.removesuffix('_s')} {value:.1f}" for name, value in report.timings.items())
    table.add_row("wall time", f"{report.wall_time_s:.1f} s" + (f" ({phases})" if phases else ""))
    return table


# ---- the one-screen story (the default) ------------------------------------------------------------------------

EXAMPLE_ROWS = 8  # labels shown per example receipt; `demo --all` shows every one


def render_story(report: DemoReport, console: Console) -> None:
    """What the demo did, the totals, the timings, then two or three receipts worth reading; short lines."""
    score = report.score()
    labels = sum(report.by_status.values())
    say = lambda text="": console.print(text, highlight=False)  # noqa: E731
    say(f"[b]receipt-validator demo[/]: {len(report.receipts)} receipts, {labels} labels, LLM {report.llm}")
    s = report.stream
    say("  imported them with PENDING labels into an embedded DynamoDB;")
    say(f"  the stream handler read {s['records_read']} stream records ({s['invocations']} invocations);")
    say(f"  the pending sweep then re-checked the {report.sweep.get('receipts', 0)} receipts left PENDING")
    say()
    say("[b]Totals[/]")
    by = report.by_status
    say(f"  [green]VALID[/]         {by.get('VALID', 0):>5}  validated")
    caught = f" (caught {score.wrong_caught} of {score.wrong_planted} planted errors)" if score else ""
    say(f"  [red]INVALID[/]       {by.get('INVALID', 0):>5}  rejected{caught}")
    say(f"  [yellow]NEEDS_REVIEW[/]  {by.get('NEEDS_REVIEW', 0):>5}  left for a person (receipt-validator review)")
    pending_why = "no LLM: code could not decide" if report.llm.startswith("none") else "nothing conclusive yet"
    say(f"  [dim]PENDING[/]       {by.get('PENDING', 0):>5}  left as they were ({pending_why})")
    if score is not None:
        say(f"  vs the samples' truth: {score.wrong_missed} planted errors missed (marked VALID),")
        say(f"  {score.correct_rejected} of {score.correct} correct labels wrongly rejected")
    phases = ", ".join(f"{n.removesuffix('_s')} {v:.1f}" for n, v in report.timings.items())
    say(f"  time: {report.wall_time_s:.1f} s" + (f" ({phases})" if phases else ""))
    errors = s.get("errors", 0) + report.sweep.get("errors", 0)
    if errors:
        say(f"  [red]errors: {errors}[/] (labels left as they were; see the on-failure list)")
    for title, focus, context in pick_examples(report):
        say()
        console.print(_example_table(title, focus, context, (report.truth or {}).get(_key(context))))
    say()
    say("Every label and why: [b]receipt-validator demo --all[/]")
    say("The review page on this data: [b]receipt-validator demo --keep[/]")


def _key(context: ReceiptContext) -> tuple[str, int]:
    return (context.ref.image_id, context.ref.receipt_id)


def pick_examples(report: DemoReport) -> list[tuple[str, str, ReceiptContext]]:
    """A receipt with a caught error, one left for review (or left PENDING), and one with a miss, when there are."""
    truth = report.truth or {}

    def count(context: ReceiptContext, want) -> int:
        known = truth.get(_key(context), {})
        return sum(1 for lb in context.labels if want(lb, known.get((lb.line_id, lb.word_id, lb.label))))

    chosen: set[tuple[str, int]] = set()

    def best(want) -> ReceiptContext | None:
        """The receipt with the most such labels (up to 4), the shortest first; one not picked already."""
        scored = [
            (min(n, 4), -len(c.labels), i)
            for i, c in enumerate(report.receipts)
            if _key(c) not in chosen and (n := count(c, want))
        ]
        if not scored:
            return None
        found = report.receipts[max(scored)[2]]
        chosen.add(_key(found))
        return found

    picks: list[tuple[str, str, ReceiptContext]] = []
    caught = best(lambda lb, ok: lb.validation_status is ValidationStatus.INVALID and ok is not True)
    if caught is not None:
        picks.append(("a caught error", "INVALID", caught))
    review = best(lambda lb, ok: lb.validation_status is ValidationStatus.NEEDS_REVIEW)
    if review is not None:
        picks.append(("left for review", "NEEDS_REVIEW", review))
    else:
        left = best(lambda lb, ok: lb.validation_status is ValidationStatus.PENDING)
        if left is not None:
            picks.append(("left PENDING", "PENDING", left))
    missed = best(lambda lb, ok: ok is False and lb.validation_status is ValidationStatus.VALID)
    if missed is not None:
        picks.append(("a miss (a wrong label passed)", "VALID", missed))
    return picks


_ORDER = {"INVALID": 0, "NEEDS_REVIEW": 1, "PENDING": 2, "VALID": 3, "NONE": 4}


def _example_table(
    title: str, focus: str, context: ReceiptContext, truth: dict[tuple[int, int, str], bool] | None
) -> Table:
    """One receipt's labels, one line each: the `focus` status first, planted errors before the rest."""
    merchant = context.metadata.merchant_name if context.metadata and context.metadata.merchant_name else "no metadata"
    table = Table(
        title=f"[b]Example: {title}[/] — {merchant}, receipt {context.ref.image_id[:8]}…/{context.ref.receipt_id}",
        title_justify="left",
        box=None,
        pad_edge=False,
        width=80,
    )
    table.add_column("word", no_wrap=True, width=5)
    table.add_column("text", no_wrap=True, max_width=10, overflow="ellipsis")
    table.add_column("label", no_wrap=True, max_width=15, overflow="ellipsis")
    table.add_column("verdict", no_wrap=True, width=8)
    table.add_column("why", no_wrap=True, overflow="ellipsis", ratio=1)
    words = context.words_by_key()
    truth = truth or {}

    def rank(lb: ReceiptWordLabel) -> tuple[bool, bool, int, int, int]:
        planted = truth.get((lb.line_id, lb.word_id, lb.label)) is False
        status = lb.validation_status.value
        return (status != focus, not planted, _ORDER.get(status, 5), lb.line_id, lb.word_id)

    ordered = sorted(context.labels, key=rank)
    for lb in ordered[:EXAMPLE_ROWS]:
        status = lb.validation_status.value
        word = words.get(lb.word_key)
        wrong = truth.get((lb.line_id, lb.word_id, lb.label)) is False
        undecided = "nothing conclusive yet (stays PENDING)" if status == "PENDING" else "-"
        table.add_row(
            f"{lb.line_id}/{lb.word_id}",
            word.text if word else "",
            lb.label + ("*" if wrong else ""),
            f"[{STATUS_STYLE.get(status, '')}]{_abbrev(status)}[/]",
            _short(lb.reasoning or undecided),
        )
    rest = len(ordered) - EXAMPLE_ROWS
    if rest > 0:
        table.caption = f"… {rest} more labels on this receipt" + ("; * = planted error" if truth else "")
        table.caption_justify = "left"
    elif truth:
        table.caption, table.caption_justify = "* = planted error", "left"
    return table


def _abbrev(status: str) -> str:
    return "REVIEW" if status == "NEEDS_REVIEW" else status
