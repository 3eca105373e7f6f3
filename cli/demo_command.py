"""`receipt-validator demo`: the whole job on a laptop, in one command.

A DynamoDB in this process (moto, called inside botocore: no HTTP server), the table, sample receipts (or FILE)
imported with PENDING labels, the table's stream read and fed to the real stream handler until idle, then the pending
sweep for anything the stream left, and a report read back from the table: each label's verdict and why, then totals.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from cli.console import err_console, out_console, progress
from cli.exit_codes import EXIT_OK, EXIT_USAGE, EXIT_WORK_FAILED, UsageError
from cli.llm_outage import quiet_circuit_log, say_outage
from cli.settings import Settings
from cli.stream_reader import ReaderOptions
from domain import write_pool
from domain.bundles import BundleError, parse_bundle_lines
from domain.model import ReceiptContext

DEFAULT_COUNT = 25
DEFAULT_SEED = 7
# Lambda's default batch size for DynamoDB streams: most receipts then arrive whole in one batch and are loaded once.
DEMO_BATCH_SIZE = 100
DEMO_TABLE = "ReceiptsDemo"
# The embedded table's stream is written in the same call as the item (moto, in this process), and the demo is its
# only writer: once a poll comes back empty after the last batch's own writes, nothing more can arrive. A short idle
# wait ends the stream step without sleeping for nothing (it was 1 s of a ~10 s demo).
DEMO_IDLE_S = 0.25
# moto answers in this process, on our CPU: overlapped writes hide no round trip and cost thread contention (same
# verdicts, ~4% more CPU at 8 in the note of issue 16). VALIDATOR_WRITE_CONCURRENCY, when set, still decides.
DEMO_WRITE_CONCURRENCY = 1
RULES_ONLY_NOTE = (
    "No LLM configured: running rules only (what code cannot decide stays PENDING, never NEEDS_REVIEW). "
    "To use Ollama, set OLLAMA_HOST (e.g. http://localhost:11434) or OLLAMA_API_KEY for Ollama Cloud, and "
    "OLLAMA_MODEL; or pass --llm ollama."
)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "demo",
        help="the main job on an embedded DynamoDB: sample receipts -> stream handler -> sweep -> report",
        description="Starts a DynamoDB (moto) in this process, creates the table, imports sample receipts "
        f"({DEFAULT_COUNT} by default, fixed seed) or FILE, runs the stream handler on the table's stream until "
        "idle, then the pending sweep, and tells what happened in one screen: the totals, the timings and a few "
        "receipts worth reading (--all: every label and why). Nothing outside this process is touched (the "
        "global --endpoint-url and --table are not used); --keep leaves the embedded table up for `review`.",
    )
    p.add_argument(
        "--receipts",
        type=Path,
        metavar="FILE",
        help="receipt bundles (JSON Lines, one receipt a line: docs/formats.md)",
    )
    p.add_argument("--count", type=int, default=DEFAULT_COUNT, metavar="N", help="sample receipts to generate")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the sample generator")
    p.add_argument("--export", type=Path, metavar="FILE", help="also write every label and metadata record here")
    p.add_argument("--json", action="store_true", help="print one JSON object on stdout instead of the report")
    p.add_argument("--all", action="store_true", help="print every label of every receipt with its verdict and why")
    p.add_argument(
        "--keep",
        action="store_true",
        help="keep the embedded table running after the report (until Ctrl-C) and print how to open `review` on it",
    )
    p.set_defaults(func=run)


def _load_receipts(args: argparse.Namespace) -> tuple[list[ReceiptContext], dict | None]:
    """Contexts to import, and the generator's truth per label when the receipts are generated."""
    if args.receipts is not None:
        try:
            lines = args.receipts.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(f"cannot read {args.receipts}: {exc.strerror}") from exc
        parsed = parse_bundle_lines(lines)
        if not parsed.contexts:
            raise UsageError(f"{args.receipts} holds no receipts")
        return parsed.contexts, None
    if not 1 <= args.count <= 5000:
        raise UsageError("--count must be 1..5000")
    from samples import generate_receipts

    generated = generate_receipts(args.count, seed=args.seed)
    contexts = parse_bundle_lines([json.dumps(g.bundle) for g in generated]).contexts
    truth = {
        (g.bundle["image_id"], g.bundle["receipt_id"]): {(t.line_id, t.word_id, t.label): t.correct for t in g.truth}
        for g in generated
    }
    return contexts, truth


def _llm_description(settings: Settings) -> tuple[str, bool, str | None]:
    """('none' or the model, rules_only, the outage line when auto mode found the server unreachable).

    In auto mode the server is checked first: an unreachable one means rules only, said once, at the speed of a
    rules-only run. With --llm ollama the LLM was asked for by name, so the run goes on and fails fast instead."""
    from cli.llm_outage import check_server

    llm = settings.wiring.llm_settings
    if not llm.enabled:
        return "none (rules only)", True, None
    if settings.llm == "auto":
        line = check_server(llm)
        if line is not None:
            return f"none (rules only: {line})", True, line
    return f"ollama {llm.model} at {llm.display_host}", False, None


def run(args: argparse.Namespace, settings: Settings) -> int:
    started = time.perf_counter()
    console = err_console()
    try:
        contexts, truth = _load_receipts(args)
    except BundleError as exc:
        console.print(f"[red]refused {args.receipts}[/]: {len(exc.problems)} problem(s)")
        for problem in exc.problems:
            console.print(f"  {problem}", markup=False, highlight=False)
        return EXIT_USAGE
    started_llm = time.monotonic()
    quiet_circuit_log(getattr(args, "verbose", 0))
    llm, rules_only, outage = _llm_description(settings)
    if outage is not None:
        console.print(f"{outage}; running rules only", markup=False, highlight=False, soft_wrap=True)
        settings = Settings(
            settings.endpoint_url, settings.table, settings.region, "none", settings.model, settings.json
        )
    elif rules_only:
        console.print(RULES_ONLY_NOTE, markup=False, highlight=False)

    from cli.demo_report import DemoReport, render
    from cli.embedded import embedded_dynamodb, in_process_dynamodb

    # moto inside botocore is the fast way; --keep needs an endpoint another shell can reach, so it serves moto on a
    # loopback port instead (the same backend, over HTTP: slower, see cli/embedded.py).
    backend = embedded_dynamodb() if args.keep else in_process_dynamodb()
    with backend as endpoint, write_pool.bound(DEMO_WRITE_CONCURRENCY, unless_set=True):
        local = Settings(endpoint, DEMO_TABLE, settings.region, settings.llm, settings.model, settings.json)
        outcome = _run_on(local, contexts, args)
        report = DemoReport(
            receipts=outcome["receipts"],
            stream=outcome["stream"],
            sweep=outcome["sweep"],
            llm=llm,
            wall_time_s=time.perf_counter() - started,
            truth=truth,
            timings=outcome["timings"],
        )
        if args.json:
            print(json.dumps(report.as_dict(), ensure_ascii=False, default=str))
        else:
            render(report, out_console(), full=args.all)
        if args.export is not None:
            console.print(f"exported {outcome['exported']} records to {args.export}")
        if args.keep:
            _keep_serving(endpoint, rules_only=report.by_status.get("NEEDS_REVIEW", 0) == 0)
    failed = bool(report.stream["on_failure"]) or bool(report.sweep.get("failed_receipts"))
    if say_outage(started_llm) is not None:
        failed = True
    elif failed:
        console.print("[red]some receipts failed[/]: see the on-failure list and failed_receipts")
    return EXIT_WORK_FAILED if failed else EXIT_OK


def keep_instructions(endpoint: str, *, rules_only: bool) -> str:
    from cli.errors import DUMMY_CREDENTIALS

    lines = [
        f"The demo's table stays up at {endpoint} (table {DEMO_TABLE}) until Ctrl-C. In another shell:",
        f"  {DUMMY_CREDENTIALS}",
        f"  receipt-validator --endpoint-url {endpoint} --table {DEMO_TABLE} review",
        "  then open http://127.0.0.1:8765/",
    ]
    if rules_only:
        lines.append("  (nothing is NEEDS_REVIEW without an LLM: choose status PENDING in the page's filter)")
    return "\n".join(lines)


def _keep_serving(endpoint: str, *, rules_only: bool) -> None:
    import threading

    err_console().print(keep_instructions(endpoint, rules_only=rules_only), markup=False, highlight=False)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        err_console().print("demo table stopped")


def _run_on(settings: Settings, contexts: list[ReceiptContext], args: argparse.Namespace) -> dict[str, Any]:
    """Table, import, stream until idle, pending sweep, read back (and export) — all on the embedded endpoint."""
    from cli.stream_runtime import stream_reader_for

    timings: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        timings[name] = round(now - mark, 2)
        mark = now

    store = settings.wiring.store
    store.create_table()
    with progress("importing receipts", total=len(contexts)) as advance:
        for i in range(0, len(contexts), 50):
            store.write_contexts(contexts[i : i + 50])
            advance(len(contexts[i : i + 50]))
    lap("import_s")
    verifier = settings.wiring.verifier
    lap("verifier_s")
    seen = {"receipts": 0}
    with progress("stream handler", total=len(contexts)) as advance:

        def on_invocation(summary: Any) -> None:
            now = len(summary.receipts)
            advance(now - seen["receipts"])
            seen["receipts"] = now

        reader = stream_reader_for(
            settings,
            ReaderOptions(until_idle_s=DEMO_IDLE_S, poll_interval_s=0.05, batch_size=DEMO_BATCH_SIZE),
            on_invocation=on_invocation,
        )
        stream = reader.run().as_dict()
    lap("stream_s")
    sweep = _pending_sweep(store, verifier)
    lap("sweep_s")
    receipts = [c for c in (store.load_receipt(ctx.ref) for ctx in contexts) if c is not None]
    exported = _export(receipts, args.export) if args.export is not None else 0
    lap("report_s")
    return {
        "receipts": receipts,
        "stream": stream,
        "sweep": sweep,
        "exported": exported,
        "timings": timings,
    }


def _pending_sweep(store: Any, verifier: Any) -> dict[str, Any]:
    """The weekly pending sweep, once, on the same store and verifier."""
    from sweepers import pending
    from sweepers.local_context import LocalContext
    from sweepers.payload import SweepPayload
    from sweepers.runner import run_sweep

    summary = run_sweep(pending.build(verifier), SweepPayload(), store, LocalContext(3600))
    return summary.as_dict()


def _export(receipts: list[ReceiptContext], path: Path) -> int:
    from domain.export import label_and_metadata_records

    count = 0
    try:
        with path.open("w", encoding="utf-8") as out:
            for context in receipts:
                for record in label_and_metadata_records(context):
                    out.write(json.dumps(record, ensure_ascii=False) + "\n")
                    count += 1
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror}") from exc
    return count
