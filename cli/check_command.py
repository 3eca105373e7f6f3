"""`check FILE [--out FILE] [--json]`: judges the labels of receipt bundles in the process, with no table.

The engine and policy are the Lambdas' own (`domain.offline.check_receipt` runs `service.validate_receipt` on a
one-receipt store, dry run). A bad file is refused whole before anything is judged (exit 2, nothing written).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from cli.console import progress
from cli.exit_codes import EXIT_OK, EXIT_USAGE, EXIT_WORK_FAILED, UsageError
from cli.llm_outage import check_server, only_outage, quiet_circuit_log, say_outage
from cli.settings import Settings
from domain.bundles import BundleError, parse_bundle_lines
from domain.model import utc_now_iso
from domain.offline import check_receipt, unjudged, verdict_records
from domain.service import ReceiptReport

if TYPE_CHECKING:
    from domain.wiring import Wiring

log = logging.getLogger(__name__)

MAX_PROBLEMS_SHOWN = 50
SUMMARY_KEYS = ("receipts", "labels_seen", "valid", "invalid", "needs_review", "left_pending", "llm_calls", "errors")

DESCRIPTION = """\
Judges every label of the receipt bundles in FILE (JSON Lines, docs/formats.md §2) with the same engine and policy as
the Lambdas, in this process, with no table, and writes one record per label (docs/formats.md §3 export format) with
validation_status (VALID, INVALID, NEEDS_REVIEW, or PENDING when nothing decided), reasoning and validated_by
(null when undecided), the word's text and input_status (the status the label came with).

Every label is judged whatever its status in the file (PENDING, NONE, VALID, INVALID, NEEDS_REVIEW, a person's
verdict): an offline check is asked about all of them. Legacy label names (TOTAL, PHONE, ...) are judged under
their canonical name; the record keeps the name as given in label_as_given.

Output: --out FILE (written whole through a temporary file, so an interrupted check leaves no partial file), or
stdout when --out is - or absent. The summary (--json: one JSON object with receipts, labels_seen, valid, invalid,
needs_review, left_pending, llm_calls, errors) goes to stdout when the records go to a file, else to stderr.
Exit 0 done; 1 some receipts could not be judged (named on stderr; their labels are written as PENDING); 2 bad
usage or a bad file (every problem named by line and field, nothing written).

The global options --llm {auto,none,ollama} and --model may also be given after FILE (e.g. `check FILE --llm none`
for rules only; with --llm ollama, what the rules leave open is asked of the model). An unreachable Ollama is said
once: with --llm ollama the labels it was needed for stay PENDING and the exit status is 1; in auto mode the check
runs with rules only.
"""


def add_parsers(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser(
        "check",
        help="judge the labels of bundle files in the process, no table; one verdict record per label",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("file", help="bundle file (JSON Lines, one receipt a line: docs/formats.md §2), or - for stdin")
    check.add_argument("--out", default="-", help="verdict records (JSON Lines); - or absent: stdout")
    check.add_argument("--json", action="store_true", help="print the summary as one JSON object")
    # --llm/--model are global options; accepted here too so `check FILE --llm none` works as written
    check.add_argument("--llm", choices=("auto", "none", "ollama"), default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    check.add_argument("--model", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    check.set_defaults(func=run_check)


def _read_lines(name: str) -> list[str]:
    if name == "-":
        return sys.stdin.read().splitlines()
    try:
        with open(name, encoding="utf-8-sig") as f:  # a byte-order mark is not a bad file
            return f.read().splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read {name}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{name} is not UTF-8 text: {exc}") from exc


def _given_names(lines: Iterable[str]) -> list[list[str]]:
    """The label names as written, per receipt, in order (the parser maps legacy aliases to canonical names)."""
    out = []
    for raw in lines:
        if raw.strip():
            out.append([str(lb.get("label")) for lb in json.loads(raw).get("labels") or []])
    return out


def _check_output_target(out: str) -> None:
    if out == "-":
        return
    parent = Path(out).resolve().parent
    if not parent.is_dir():
        raise UsageError(f"--out {out}: directory {parent} does not exist")
    if Path(out).is_dir():
        raise UsageError(f"--out {out} is a directory")


@contextmanager
def _output(out: str) -> Iterator[IO[str]]:
    """stdout, or a temporary file beside `out` renamed over it only when everything was written."""
    if out == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.resolve().parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_check(args: argparse.Namespace, settings: Settings) -> int:
    lines = _read_lines(args.file)
    try:
        parsed = parse_bundle_lines(lines)
    except BundleError as exc:
        # plain lines, never wrapped: one problem a line, for people and scripts alike
        print(f"refused {args.file}: {len(exc.problems)} problem(s); nothing was judged or written", file=sys.stderr)
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            print(f"  {problem}", file=sys.stderr)
        if len(exc.problems) > MAX_PROBLEMS_SHOWN:
            print(f"  ... and {len(exc.problems) - MAX_PROBLEMS_SHOWN} more", file=sys.stderr)
        return EXIT_USAGE
    if not parsed.contexts:
        raise UsageError(f"{args.file} holds no receipts")
    _check_output_target(args.out)
    llm = getattr(args, "llm", None) or settings.llm
    model = getattr(args, "model", None) or settings.model
    started = time.monotonic()
    quiet_circuit_log(getattr(args, "verbose", 0))
    wiring = _wiring(settings, llm, model)
    verifier = _verifier(wiring)
    names = _given_names(lines)
    reports: list[ReceiptReport] = []
    failures: list[str] = []
    at = utc_now_iso()
    with _output(args.out) as out, progress("checking receipts", total=len(parsed.contexts)) as advance:
        for context, given in zip(parsed.contexts, names, strict=True):
            try:
                checked = check_receipt(context, verifier)
            except Exception as exc:  # a bug, for this receipt only: not judged, counted and named with its type
                log.error("receipt_raised", extra={"receipt": str(context.ref), "error": type(exc).__name__})
                log.debug("receipt_raised", exc_info=True)
                checked = unjudged(context, f"{type(exc).__name__}: {exc}")
            reports.append(checked.report)
            failures += [f"{context.ref}: {m}" for m in checked.report.error_messages]
            for record, name in zip(verdict_records(checked, at), given, strict=True):
                if name != record["label"]:
                    record["label_as_given"] = name
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
            advance(1)
    summary = _summary(ReceiptReport.total(reports), len(parsed.contexts), args.out)
    _print_summary(summary, as_json=args.json, to_stderr=args.out == "-")
    outage = say_outage(started)  # an unreachable LLM is said once, not once per receipt
    shown = [f for f in failures if not (outage is not None and only_outage(f.split(": ", 1)[-1]))]
    for failure in shown[:MAX_PROBLEMS_SHOWN]:
        print(f"failed: {failure}", file=sys.stderr)
    if len(shown) > MAX_PROBLEMS_SHOWN:
        print(f"... and {len(shown) - MAX_PROBLEMS_SHOWN} more failures", file=sys.stderr)
    return EXIT_WORK_FAILED if summary["errors"] or outage is not None else EXIT_OK


def _wiring(settings: Settings, llm: str, model: str | None) -> Wiring:
    """The check's wiring (`check FILE --llm/--model` win over the global options). In auto mode an unreachable
    server means rules only, said once (as `demo` does); a named LLM is tried."""
    from domain.wiring import Wiring, WiringSettings

    def wired(llm: str) -> Wiring:
        return Wiring(WiringSettings(region=settings.region, llm=llm, model=model))

    wiring = wired(llm)
    if llm != "auto":
        return wiring
    try:
        llm_settings = wiring.llm_settings
    except ValueError as exc:
        raise UsageError(f"LLM settings: {exc}") from None
    if not llm_settings.enabled:
        return wired("none")
    line = check_server(llm_settings)
    if line is None:
        return wiring
    print(f"{line}; checking with rules only", file=sys.stderr)
    return wired("none")


def _verifier(wiring: Wiring) -> Any:
    try:
        return wiring.verifier
    except ValueError as exc:
        raise UsageError(f"LLM settings: {exc}") from None


def _summary(total: ReceiptReport, receipts: int, out: str) -> dict[str, Any]:
    counts = total.counters()
    summary: dict[str, Any] = {key: counts[key] for key in SUMMARY_KEYS}
    summary["receipts"] = receipts
    summary["out"] = out
    return summary


def _print_summary(summary: dict[str, Any], *, as_json: bool, to_stderr: bool) -> None:
    stream = sys.stderr if to_stderr else sys.stdout
    if as_json:
        print(json.dumps(summary, sort_keys=True), file=stream)
        return
    where = "stdout" if summary["out"] == "-" else summary["out"]
    print(
        f"check: {summary['receipts']} receipts, {summary['labels_seen']} labels: {summary['valid']} VALID, "
        f"{summary['invalid']} INVALID, {summary['needs_review']} NEEDS_REVIEW, {summary['left_pending']} undecided; "
        f"{summary['llm_calls']} LLM calls, {summary['errors']} errors; verdicts written to {where}",
        file=stream,
    )
