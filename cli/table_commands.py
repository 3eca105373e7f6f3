"""`table create`, `import`, `export`, `status`: moving receipts in and out of the table."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from cli import errors
from cli.console import err_console, out_console, print_problems, progress
from cli.exit_codes import EXIT_OK, EXIT_USAGE, UsageError
from cli.preflight import require_table
from cli.settings import Settings
from domain.bundles import BundleError, parse_bundle_lines
from domain.export import bundle_record, label_and_metadata_records
from domain.model import ValidationStatus
from domain.store.repository import DynamoReceiptRepository, ImportOutcome


def add_parsers(sub: argparse._SubParsersAction) -> None:
    table = sub.add_parser("table", help="manage the receipts table")
    table_sub = table.add_subparsers(dest="table_command", metavar="ACTION", required=True)
    create = table_sub.add_parser(
        "create", help="create the table (PK/SK, GSI1-3, GSITYPE, stream NEW_AND_OLD_IMAGES) at the endpoint"
    )
    create.set_defaults(func=run_table_create)

    imp = sub.add_parser(
        "import",
        help="load receipt bundles (JSON Lines, one receipt a line: docs/formats.md); a bad file is refused whole",
        description="Validates the whole file first; if any line is bad, every problem is listed with its line "
        "number and field and nothing is written (exit 2). PENDING labels written here reach the stream. A receipt "
        "already in the table is skipped and reported, nothing of it changed, unless --replace.",
    )
    imp.add_argument("file", type=Path, help="bundle file (JSON Lines), or - for stdin")
    imp.add_argument(
        "--replace",
        action="store_true",
        help="put the file's items over receipts already in the table (resets their verdicts: the count is printed)",
    )
    imp.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    imp.set_defaults(func=run_import)

    exp = sub.add_parser("export", help="write every label and metadata record (JSON Lines: docs/formats.md)")
    exp.add_argument("file", help="output file, or - for stdout")
    exp.add_argument(
        "--format",
        choices=("records", "bundles"),
        default="records",
        help="records: one label or metadata record a line (default); bundles: one receipt a line, re-importable",
    )
    exp.set_defaults(func=run_export)

    status = sub.add_parser("status", help="counts of labels by status and by label")
    status.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    status.set_defaults(func=run_status)


def run_table_create(args: argparse.Namespace, settings: Settings) -> int:
    store = settings.store()
    created = store.create_table()
    errors.mark_work_started()
    verb = "created" if created else "already exists:"
    where = f"{settings.endpoint_url or 'AWS'} (region {settings.region})"
    err_console().print(f"table {settings.table} {verb} at {where}; stream: {store.stream_arn()}", highlight=False)
    return EXIT_OK


def _read_lines(path: Path) -> list[str]:
    if str(path) == "-":
        return sys.stdin.read().splitlines()
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise UsageError(f"{path} is not UTF-8 text: {exc}") from exc


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    lines = _read_lines(args.file)
    try:
        parsed = parse_bundle_lines(lines)
    except BundleError as exc:
        print_problems(f"refused {args.file}: {len(exc.problems)} problem(s); nothing was written", exc.problems)
        return EXIT_USAGE
    for note in parsed.notes:
        err_console().print(f"note: {note}", markup=False, highlight=False)
    if not parsed.contexts:
        raise UsageError(f"{args.file} holds no receipts")
    store = require_table(settings)
    outcome = ImportOutcome()
    with progress("importing receipts", total=len(parsed.contexts)) as advance:
        for i in range(0, len(parsed.contexts), 50):
            chunk = parsed.contexts[i : i + 50]
            part = store.import_contexts(chunk, replace=args.replace)
            outcome.written += part.written
            outcome.items += part.items
            outcome.skipped += part.skipped
            outcome.kept_items += part.kept_items
            outcome.replaced += part.replaced
            outcome.verdicts_reset += part.verdicts_reset
            advance(len(chunk))
    skipped = set(outcome.skipped)
    written = [c for c in parsed.contexts if c.ref not in skipped]
    labels = sum(len(c.labels) for c in written)
    pending = sum(1 for c in written for lb in c.labels if lb.validation_status is ValidationStatus.PENDING)
    summary = {
        "receipts": len(parsed.contexts),
        "written": outcome.written,
        "replaced": outcome.replaced,
        "skipped": len(outcome.skipped),
        "verdicts_reset": outcome.verdicts_reset,
        "kept_items": outcome.kept_items,
        "items": outcome.items,
        "labels": labels,
        "pending": pending,
    }
    if args.json:
        print(json.dumps(summary))
    console = err_console()
    if not args.json:
        console.print(
            f"imported {outcome.written + outcome.replaced} of {len(parsed.contexts)} receipts ({outcome.items} items, "
            f"{labels} labels, {pending} PENDING) into {settings.table}",
            markup=False,
            highlight=False,
        )
    if outcome.skipped:
        names = ", ".join(str(ref) for ref in outcome.skipped[:5]) + (", ..." if len(outcome.skipped) > 5 else "")
        console.print(
            f"skipped {len(outcome.skipped)} receipt(s) already in {settings.table}, nothing of theirs changed "
            f"(--replace replaces them): {names}",
            markup=False,
            highlight=False,
        )
    if outcome.replaced:
        console.print(
            f"replaced {outcome.replaced} receipt(s) already in {settings.table}: {outcome.verdicts_reset} verdict(s) "
            "reset",
            markup=False,
            highlight=False,
        )
    if outcome.kept_items:
        console.print(
            f"kept {outcome.kept_items} item(s) written by someone else during the import",
            markup=False,
            highlight=False,
        )
    return EXIT_OK


def _check_writable(target: str) -> None:
    """An output file's directory must exist and be writable before any work: else exit 2, nothing written."""
    if target == "-":
        return
    path = Path(target)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"cannot write {target}: it is a directory")
    if not parent.is_dir():
        raise UsageError(f"cannot write {target}: directory {parent} does not exist")
    if not os.access(parent, os.W_OK):
        raise UsageError(f"cannot write {target}: directory {parent} is not writable")


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    """Writes to a temporary file beside FILE and renames it at the end: FILE appears whole or not at all."""
    _check_writable(args.file)
    store = require_table(settings)
    if args.file == "-":
        receipts, records = _export_to(sys.stdout, store, args.format)
    else:
        target = Path(args.file)
        try:
            handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, renamed or removed
                "w", encoding="utf-8", dir=target.parent, prefix=f".{target.name}.", suffix=".partial", delete=False
            )
        except OSError as exc:
            raise UsageError(f"cannot write {target}: {exc.strerror}") from exc
        try:
            with handle:
                receipts, records = _export_to(handle, store, args.format)
            os.replace(handle.name, target)
        except BaseException:  # Ctrl-C included: leave no partial file, under either name
            with contextlib.suppress(OSError):
                os.unlink(handle.name)
            raise
    err_console().print(f"exported {records} records from {receipts} receipts to {args.file}")
    return EXIT_OK


def _export_to(out: TextIO, store: DynamoReceiptRepository, fmt: str) -> tuple[int, int]:
    receipts = records = 0
    for ref in store.iter_receipt_refs():
        context = store.load_receipt(ref)
        if context is None:
            continue
        receipts += 1
        rows = [bundle_record(context)] if fmt == "bundles" else label_and_metadata_records(context)
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
            records += 1
    return receipts, records


def run_status(args: argparse.Namespace, settings: Settings) -> int:
    store = require_table(settings)
    counts = store.label_status_counts()
    by_status: dict[str, int] = {}
    for per_status in counts.values():
        for status, n in per_status.items():
            by_status[status] = by_status.get(status, 0) + n
    total = sum(by_status.values())
    if args.json:
        print(json.dumps({"labels": total, "by_status": by_status, "by_label": counts}, sort_keys=True))
        return EXIT_OK
    from rich.table import Table

    statuses = [s.value for s in ValidationStatus if s.value in by_status]
    table = Table(title=f"labels in {settings.table}: {total}")
    table.add_column("label")
    for s in statuses:
        table.add_column(s, justify="right")
    for label in sorted(counts):
        table.add_row(label, *(str(counts[label].get(s, 0)) for s in statuses))
    table.add_row("[b]all[/]", *(f"[b]{by_status.get(s, 0)}[/]" for s in statuses))
    out_console().print(table)
    return EXIT_OK
