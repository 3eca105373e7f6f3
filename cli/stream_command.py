"""`receipt-validator stream`: the table's stream through the real stream handler, as the Lambda mapping would."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cli.console import err_console, out_console, print_problems
from cli.exit_codes import EXIT_OK, EXIT_WORK_FAILED, UsageError
from cli.llm_outage import quiet_circuit_log, say_outage
from cli.preflight import require_table
from cli.settings import Settings
from cli.stream_checkpoint import CheckpointFile, default_path
from cli.stream_reader import ReaderOptions
from cli.stream_summary import StreamRunSummary
from stream_handlers.mapping_defaults import BATCH_SIZE


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "stream",
        help="run the stream handler on the table's stream, as the Lambda event source mapping would",
        description="Reads every shard from where the last run stopped (a checkpoint per stream ARN in the user's "
        "cache directory, or --checkpoint FILE; TRIM_HORIZON the first time), applies the mapping's filter, sends "
        "batches to the real handler in this process, retries from the first failed record, bisects on function "
        "errors, and lists records that exhausted their retries. Exit 1 when some records ended on the on-failure "
        "list.",
    )
    p.add_argument(
        "--from",
        dest="start_from",
        choices=("checkpoint", "trim-horizon", "latest"),
        default="checkpoint",
        help="where to start: the saved checkpoint (else TRIM_HORIZON), the oldest record kept, or only new records",
    )
    p.add_argument(
        "--checkpoint",
        type=Path,
        metavar="FILE",
        help=f"checkpoint file (default: {_default_checkpoint_text()})",
    )
    p.add_argument(
        "--until-idle",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="stop after the stream has been quiet this long (0 = keep reading until Ctrl-C)",
    )
    p.add_argument(
        "--batch-size",
        type=int,
        default=BATCH_SIZE,
        metavar="N",
        help="records per invocation, as the deployed mapping",
    )
    p.add_argument(
        "--batching-window",
        type=float,
        default=0.0,
        metavar="S",
        help="wait up to S seconds to fill a batch (0: send what a read returned)",
    )
    p.add_argument("--max-retries", type=int, default=3, metavar="N", help="retries of a failing batch")
    p.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    p.set_defaults(func=run)


def options_from_args(args: argparse.Namespace) -> ReaderOptions:
    if not 1 <= args.batch_size <= 10_000:
        raise UsageError("--batch-size must be 1..10000")
    if not 0 <= args.batching_window <= 300:
        raise UsageError("--batching-window must be 0..300 seconds")
    if args.max_retries < 0:
        raise UsageError("--max-retries must be >= 0")
    if args.until_idle < 0:
        raise UsageError("--until-idle must be >= 0")
    return ReaderOptions(
        starting_position="LATEST" if args.start_from == "latest" else "TRIM_HORIZON",
        batch_size=args.batch_size,
        batching_window_s=args.batching_window,
        max_retries=args.max_retries,
        until_idle_s=args.until_idle or None,
    )


def _default_checkpoint_text() -> str:
    try:
        return str(default_path())
    except Exception:  # platformdirs missing: the help still renders
        return "the user's cache directory"


def run(args: argparse.Namespace, settings: Settings) -> int:
    from cli.stream_runtime import stream_reader_for

    started = time.monotonic()
    quiet_circuit_log(getattr(args, "verbose", 0))
    options = options_from_args(args)
    checkpoints = CheckpointFile(args.checkpoint or default_path())
    checkpoints.check_writable()
    store = require_table(settings)
    arn = store.stream_arn()
    if not arn:
        raise UsageError(f"table {settings.table} at {settings.where()} has no stream; enable NEW_AND_OLD_IMAGES")
    initial = checkpoints.load(arn) if args.start_from == "checkpoint" else {}
    verbose = getattr(args, "verbose", 0) > 0
    reader = stream_reader_for(
        settings,
        options,
        store=store,
        function_output=sys.stderr if verbose else None,
        initial_positions=initial,
        on_checkpoint=lambda positions: checkpoints.save(arn, positions),
    )
    try:
        summary = reader.run()
    except KeyboardInterrupt:  # --until-idle 0 reads until Ctrl-C: still report what was done
        err_console().print("interrupted: records read but not yet sent to the handler were not processed")
        summary = reader.summary
    if args.json:
        print(json.dumps(summary.as_dict(), sort_keys=False))
    else:
        print_summary(summary)
    outage = say_outage(started)
    report_failures(summary)
    return EXIT_WORK_FAILED if summary.on_failure or outage is not None else EXIT_OK


def print_summary(summary: StreamRunSummary) -> None:
    data = summary.as_dict()
    out_console().print(
        f"stream: {data['records_read']} records read, {data['records_passed_filter']} passed the filter, "
        f"{data['batches']} batches ({data['invocations']} invocations); {data['receipts']} receipts, "
        f"{data['labels_seen']} PENDING labels seen: {data['valid']} VALID, {data['invalid']} INVALID, "
        f"{data['needs_review']} NEEDS_REVIEW, {data['left_pending']} left PENDING; "
        f"{data['llm_calls']} LLM calls, {data['errors']} errors",
        highlight=False,
    )


def report_failures(summary: StreamRunSummary) -> None:
    """The on-failure list (Lambda's on-failure destination), on stderr."""
    if not summary.on_failure:
        return
    print_problems(
        f"{summary.failed_records} records exhausted their retries (on-failure list):",
        [
            f"shard {entry['shard_id']} {entry['start_sequence_number']}..{entry['end_sequence_number']} "
            f"({entry['batch_size']} records, receipts {', '.join(entry['receipts']) or '?'}): {entry['reason']}"
            for entry in summary.on_failure
        ],
    )
