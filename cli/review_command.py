"""`receipt-validator review`: the page where a person settles what the validator left for review, and the same for
scripts (`review list`, `review resolve`). A person's verdict is `validated_by = human:<name>`; the automatic paths
never write over it."""

from __future__ import annotations

import argparse
import getpass
import json

from cli.console import err_console, out_console
from cli.exit_codes import EXIT_OK, EXIT_WORK_FAILED, UsageError
from cli.preflight import require_table
from cli.settings import Settings
from domain.model import ReceiptRef, ValidationStatus
from domain.review import REVIEW_STATUSES, ReviewError, review_queue, settle


def _default_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers)
        return "reviewer"


def add_parsers(sub: argparse._SubParsersAction) -> None:
    review = sub.add_parser(
        "review",
        help="serve the review page: receipts drawn from their word boxes, verdicts and evidence, settle labels",
        description="Serves a local page (no internet needed) on --host:--port. The queue lists NEEDS_REVIEW labels "
        "(filters: status, label, merchant); keys: j/k next/previous, a accept (VALID), r reject (INVALID), "
        "l relabel, ? help. Each decision is written as validated_by = human:NAME, only if the label has not "
        "changed since the page read it (else the page says so and reloads).",
    )
    review.add_argument("--host", default="127.0.0.1", help="address to listen on (keep it local)")
    review.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    review.add_argument("--by", default=_default_name(), metavar="NAME", help="your name, as in human:NAME")
    review.set_defaults(func=run_serve)
    actions = review.add_subparsers(dest="review_command", metavar="ACTION")

    listing = actions.add_parser("list", help="labels to review (default: NEEDS_REVIEW), one a line or --json")
    listing.add_argument(
        "--status",
        action="append",
        choices=[s.value for s in REVIEW_STATUSES],
        help="status to list (repeatable; default: NEEDS_REVIEW)",
    )
    listing.add_argument("--label", help="only this label, e.g. GRAND_TOTAL")
    listing.add_argument("--merchant", help="only receipts whose merchant name contains this")
    listing.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    listing.set_defaults(func=run_list)

    resolve = actions.add_parser(
        "resolve",
        help="settle one label as a person: VALID, INVALID, or relabel it",
        description="Writes validated_by = human:NAME, conditioned on the label as read just before the write.",
    )
    resolve.add_argument("receipt", metavar="IMAGE_ID/RECEIPT_ID")
    resolve.add_argument("line", type=int, metavar="LINE")
    resolve.add_argument("word", type=int, metavar="WORD")
    resolve.add_argument("label", metavar="LABEL")
    verdict = resolve.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--valid", action="store_const", dest="decision", const="valid", help="the label is right")
    verdict.add_argument("--invalid", action="store_const", dest="decision", const="invalid", help="it is wrong")
    verdict.add_argument("--relabel", metavar="NEW_LABEL", help="it is wrong; the word is NEW_LABEL instead")
    resolve.add_argument("--by", required=True, metavar="NAME", help="who decides (written as human:NAME)")
    resolve.add_argument("--note", help="a short reason, stored with the verdict")
    resolve.set_defaults(func=run_resolve)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from cli.review_server import ReviewServer

    if not 0 <= args.port <= 65535:
        raise UsageError("--port must be 0..65535")
    store = require_table(settings)
    try:
        server = ReviewServer(store, host=args.host, port=args.port, reviewer=args.by, where=settings.where())
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from None
    err_console().print(
        f"review page for {settings.where()} at {server.url} (as human:{args.by}); Ctrl-C stops it", highlight=False
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        err_console().print("review page stopped")
    return EXIT_OK


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    store = require_table(settings)
    statuses = [ValidationStatus(s) for s in (args.status or [ValidationStatus.NEEDS_REVIEW.value])]
    try:
        entries = review_queue(store, statuses, label=args.label, merchant=args.merchant)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print(json.dumps({"count": len(entries), "labels": [e.as_dict() for e in entries]}))
        return EXIT_OK
    console = out_console()
    for e in entries:
        console.print(
            f"{e.ref} {e.line_id} {e.word_id} {e.label} {e.status}"
            + (f"  {e.merchant}" if e.merchant else "")
            + (f"  by {e.validated_by}" if e.validated_by else ""),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    err_console().print(f"{len(entries)} label(s) in {', '.join(s.value for s in statuses)}", highlight=False)
    return EXIT_OK


def run_resolve(args: argparse.Namespace, settings: Settings) -> int:
    try:
        ref = ReceiptRef.parse(args.receipt)
    except ValueError as exc:
        raise UsageError(f"IMAGE_ID/RECEIPT_ID: {exc}") from None
    store = require_table(settings)
    decision = args.decision or "relabel"
    try:
        result = settle(
            store,
            ref,
            args.line,
            args.word,
            args.label,
            decision,
            by=args.by,
            new_label=args.relabel,
            note=args.note,
        )
    except ReviewError as exc:
        raise UsageError(str(exc)) from None
    if result.stale:
        err_console().print(result.message, markup=False, highlight=False)
        return EXIT_WORK_FAILED
    err_console().print(f"settled by human:{args.by}: {result.message}", markup=False, highlight=False)
    return EXIT_OK
