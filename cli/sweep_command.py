"""`sweep` runs a sweeper here, on the same runner as its Lambda; `invoke` runs the deployed one.

`sweep` gives the runner a Lambda-like context with a generous budget and, should that budget ever run out, goes on
from the cursor in-process. `invoke` starts an execution of the sweep's state machine with the same payload (CONTRACT
§5), named by `--state-machine-arn` or SWEEP_STATE_MACHINE_PREFIX + the sweep's name, and with `--wait` follows it and
prints its total. A run over named receipts (`--receipt`), or one given `--function-name`, calls the sweeper Lambda
directly instead (one slice), named by `--function-name` or SWEEPER_FUNCTION_PREFIX + the sweep's name.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import shlex
import time
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from cli.console import err_console, print_problems, progress
from cli.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_WORK_FAILED, UsageError
from cli.llm_outage import only_outage, quiet_circuit_log, say_outage
from cli.preflight import require_table
from cli.settings import Settings
from cli.sweep_changes import ChangeRecorder, change_lines
from domain.keys import segments
from domain.model import ReceiptRef
from sweepers.local_context import LocalContext
from sweepers.payload import BadPayload, SweepPayload
from sweepers.runner import RunLimits, Sweep, UnknownReceipts, next_payload, run_sweep
from sweepers.schedules import SWEEPER_HANDLERS
from sweepers.summary import SweepSummary

SWEEPS = tuple(SWEEPER_HANDLERS)
CHANGES_SHOWN = 20  # dry-run changes printed; --json holds all
LOCAL_BUDGET_S = 6 * 3600
FUNCTION_PREFIX_VARIABLE = "SWEEPER_FUNCTION_PREFIX"
MACHINE_PREFIX_VARIABLE = "SWEEP_STATE_MACHINE_PREFIX"
POLL_SECONDS = 5.0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    sweep = sub.add_parser(
        "sweep",
        help="run a sweeper once, locally, on the same code path as its Lambda",
        description="pending: PENDING labels (GSI3); metadata: every receipt's metadata (GSITYPE), with Google "
        "Places when GOOGLE_PLACES_API_KEY is set; reverify: VALID/INVALID labels not validated by a person. "
        "Exit 0 done, 1 some receipts failed (named on stderr), 2 bad usage (nothing written).",
    )
    _add_request_options(sweep)
    sweep.add_argument("--json", action="store_true", help="print one JSON summary on stdout")
    sweep.set_defaults(func=run_sweep_command)

    invoke = sub.add_parser(
        "invoke",
        help="start the deployed sweep (a Step Functions execution); --wait follows it and prints the summary",
        description=f"The state machine is --state-machine-arn, else ${MACHINE_PREFIX_VARIABLE} + the sweep's name "
        "(pulumi stack output sweepStateMachinePrefix). With --receipt or --function-name the sweeper Lambda is "
        f"called directly (synchronously, one slice): --function-name, else ${FUNCTION_PREFIX_VARIABLE} + the name.",
    )
    _add_request_options(invoke)
    invoke.add_argument(
        "--state-machine-arn", help=f"the sweep's state machine (default: ${MACHINE_PREFIX_VARIABLE}<sweep>)"
    )
    invoke.add_argument("--wait", action="store_true", help="follow the execution and print its summary")
    invoke.add_argument(
        "--function-name", help=f"call this Lambda directly (default: ${FUNCTION_PREFIX_VARIABLE}<sweep>)"
    )
    invoke.add_argument("--json", action="store_true", help="print the JSON summary (or execution output) on stdout")
    invoke.set_defaults(func=run_invoke_command)


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _add_request_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sweep", choices=SWEEPS, help="which sweeper")
    parser.add_argument(
        "--receipt",
        action="append",
        default=[],
        metavar="IMAGE_ID/RECEIPT_ID",
        help="only this receipt (repeatable): the manual invocation",
    )
    parser.add_argument("--limit", type=_positive, help="at most N receipts")
    parser.add_argument(
        "--cursor",
        metavar="C",
        help="resume where a run stopped (--limit, the time budget, Ctrl-C): the cursor its summary printed; "
        "pass the same sweep and --receipt options",
    )
    parser.add_argument("--dry-run", action="store_true", help="compute and report verdicts, write nothing")
    parser.add_argument(
        "--segment",
        choices=segments(),
        metavar="HEX",
        help="pending/reverify: only this key range of GSI3 (image ids from IMAGE#<HEX>; 0..f), as one branch "
        "of the state machine runs it",
    )


def payload_from_args(args: argparse.Namespace) -> SweepPayload:
    refs = []
    for text in args.receipt:
        try:
            refs.append(ReceiptRef.parse(text))
        except ValueError as exc:
            raise UsageError(f"--receipt: {exc}") from None
    if args.segment is not None and (refs or args.sweep == "metadata"):
        raise UsageError("--segment: only for a pending or reverify sweep over the table, not with --receipt")
    if args.cursor is not None and not args.cursor.strip():
        raise UsageError("--cursor: empty; pass the cursor a previous run printed")
    return SweepPayload(
        receipts=refs or None, limit=args.limit, dry_run=args.dry_run, segment=args.segment, cursor=args.cursor
    )


# ---- sweep ------------------------------------------------------------------------------------------------------


def build_sweep(name: str, settings: Settings) -> Sweep:
    """The sweep with what it needs from the command's wiring: the verifier (labels) or a Places client when a key
    is configured (metadata), built as its Lambda builds them."""
    return importlib.import_module(f"sweepers.{name}").from_wiring(settings.wiring)


def run_sweep_command(args: argparse.Namespace, settings: Settings) -> int:
    started = time.monotonic()
    quiet_circuit_log(getattr(args, "verbose", 0))
    payload = payload_from_args(args)
    store = require_table(settings)
    sweep = build_sweep(args.sweep, settings)
    recorder = ChangeRecorder() if payload.dry_run else None
    if recorder is not None:
        sweep = recorder.wrap(sweep)
    limits = RunLimits.from_env()
    total = len(set(payload.receipts)) if payload.receipts else payload.limit
    summary: SweepSummary | None = None
    try:
        with progress(f"sweep {args.sweep}", total=total) as advance:
            while True:
                part = run_sweep(
                    sweep, payload, store, LocalContext(LOCAL_BUDGET_S), limits=limits, on_receipt=lambda _: advance(1)
                )
                if summary is None:
                    summary = part
                else:
                    summary.merge(part)
                if part.stopped_by != "time" or part.receipts == 0:
                    break
                payload = next_payload(payload, part.cursor, part.receipts)
    except (UnknownReceipts, BadPayload) as exc:
        raise UsageError(str(exc)) from None
    result = summary.as_dict()
    if recorder is not None:
        result["changes"] = recorder.sorted()
    code = report(result, as_json=args.json, since=started)
    if summary.stopped_by == "interrupted":
        err_console().print(
            "interrupted: the summary above covers the receipts that finished"
            + (
                f"; resume with{f' --segment {summary.segment}' if summary.segment else ''} "
                f"--cursor {shlex.quote(summary.cursor)}"
                if summary.cursor
                else "; nothing finished"
            ),
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
        return EXIT_INTERRUPTED
    return code


# ---- invoke -----------------------------------------------------------------------------------------------------


def lambda_client(settings: Settings) -> Any:
    """A Lambda client in the configured region (boto3 honours AWS_ENDPOINT_URL_LAMBDA)."""
    import boto3

    return boto3.client("lambda", region_name=settings.region)


def function_name(args: argparse.Namespace) -> str:
    if args.function_name:
        return args.function_name
    prefix = os.environ.get(FUNCTION_PREFIX_VARIABLE)
    if not prefix:
        raise UsageError(
            f"which function? pass --function-name, or set {FUNCTION_PREFIX_VARIABLE} "
            f"(e.g. receipt-validator-dev-sweeper- for the Pulumi stack dev)"
        )
    return f"{prefix}{args.sweep}"


def sfn_client(settings: Settings) -> Any:
    """A Step Functions client in the configured region (boto3 honours AWS_ENDPOINT_URL_SFN)."""
    import boto3

    return boto3.client("stepfunctions", region_name=settings.region)


def state_machine_arn(args: argparse.Namespace) -> str:
    if args.state_machine_arn:
        return args.state_machine_arn
    prefix = os.environ.get(MACHINE_PREFIX_VARIABLE)
    if not prefix:
        raise UsageError(
            f"which state machine? pass --state-machine-arn, or set {MACHINE_PREFIX_VARIABLE} "
            "(pulumi stack output sweepStateMachinePrefix)"
        )
    return f"{prefix}{args.sweep}"


def run_invoke_command(args: argparse.Namespace, settings: Settings) -> int:
    if args.receipt or args.function_name:
        return _invoke_function(args, settings)
    payload = payload_from_args(args)
    arn = state_machine_arn(args)
    client = sfn_client(settings)
    try:
        started = client.start_execution(stateMachineArn=arn, input=json.dumps(payload.as_event()))
    except ClientError as exc:
        if exc.response["Error"]["Code"] in ("StateMachineDoesNotExist", "InvalidArn"):
            raise UsageError(f"state machine {arn} not found in {settings.region}") from None
        err_console().print(f"start {arn} failed: {exc}", markup=False, highlight=False)
        return EXIT_WORK_FAILED
    execution = started["executionArn"]
    err_console().print(f"started {execution}", markup=False, highlight=False)
    if not args.wait:
        if args.json:
            print(json.dumps({"executionArn": execution}))
        return EXIT_OK
    return _follow(client, execution, as_json=args.json)


def _follow(client: Any, execution: str, *, as_json: bool, poll_s: float = POLL_SECONDS) -> int:
    """Polls the execution to its end; prints the total (or the whole output with --json)."""
    while True:
        described = client.describe_execution(executionArn=execution)
        if described["status"] != "RUNNING":
            break
        time.sleep(poll_s)
    if described["status"] != "SUCCEEDED":
        err_console().print(
            f"{execution} {described['status']}: {described.get('error', '')} {described.get('cause', '')}".rstrip(),
            markup=False,
            highlight=False,
        )
        return EXIT_WORK_FAILED
    output = json.loads(described.get("output") or "{}")
    if as_json:
        print(json.dumps(output, sort_keys=True))
        return EXIT_WORK_FAILED if (output.get("total") or {}).get("failed_receipts_total") else EXIT_OK
    for segment in output.get("segments") or []:
        if segment.get("receipts"):
            print(
                f"  segment {segment.get('segment', '-')}: {segment['receipts']} receipts in {segment['slices']} slices"
            )
    return report(output.get("total") or {}, as_json=False)


def _invoke_function(args: argparse.Namespace, settings: Settings) -> int:
    payload = payload_from_args(args)
    name = function_name(args)
    client = lambda_client(settings)
    try:
        response = client.invoke(
            FunctionName=name, InvocationType="RequestResponse", Payload=json.dumps(payload.as_event()).encode()
        )
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            raise UsageError(f"function {name} not found in {settings.region}") from None
        err_console().print(f"invoke {name} failed: {exc}", markup=False, highlight=False)
        return EXIT_WORK_FAILED
    except BotoCoreError as exc:
        err_console().print(f"invoke {name} failed: {exc}", markup=False, highlight=False)
        return EXIT_WORK_FAILED
    body = _read_payload(response)
    if response.get("FunctionError"):
        message = body.get("errorMessage") if isinstance(body, dict) else None
        err_console().print(
            f"{name} failed ({response['FunctionError']}): {message or body}", markup=False, highlight=False
        )
        return EXIT_WORK_FAILED
    if not isinstance(body, dict):
        err_console().print(f"{name} returned something other than a summary: {body!r}", markup=False)
        return EXIT_WORK_FAILED
    if "error" in body:
        raise UsageError(f"{name} refused the request: {body['error']}")
    return report(body, as_json=args.json)


def _read_payload(response: dict[str, Any]) -> Any:
    raw = response.get("Payload")
    data = raw.read() if hasattr(raw, "read") else raw
    if not data:
        return None
    try:
        return json.loads(data)
    except ValueError:
        return data.decode(errors="replace") if isinstance(data, bytes) else data


# ---- reporting --------------------------------------------------------------------------------------------------


def report(summary: dict[str, Any], *, as_json: bool, since: float | None = None) -> int:
    """Prints the summary (one JSON object, or a few readable lines) and names failed receipts on stderr; an LLM
    outage since `since` is said once, instead of once per receipt it left undecided."""
    if as_json:
        print(json.dumps(summary, sort_keys=True))
    else:
        print(readable(summary))
    failed = summary.get("failed_receipts") or []
    outage = say_outage(since) if since is not None else None
    shown = [f for f in failed if not (outage is not None and only_outage(f["error"]))]
    if shown:
        print_problems(
            f"{len(shown)} receipt(s) failed:",
            [f"failed: {failure['receipt']}: {failure['error']}" for failure in shown],
        )
    if len(shown) < len(failed):
        err_console().print(
            f"{len(failed) - len(shown)} receipts left with PENDING labels until the LLM is reachable",
            markup=False,
            highlight=False,
        )
    return EXIT_WORK_FAILED if failed or outage is not None else EXIT_OK


def readable(s: dict[str, Any]) -> str:
    lines = [
        f"sweep {s.get('sweep')}{' (dry run: nothing written)' if s.get('dry_run') else ''}: "
        f"{s.get('receipts', 0)} receipts"
    ]
    if "metadata_seen" in s:
        lines.append(
            f"  metadata: {s['metadata_seen']} checked, {s.get('matched', 0)} MATCHED, {s.get('unsure', 0)} UNSURE, "
            f"{s.get('no_match', 0)} NO_MATCH; {s.get('places_calls', 0)} Places calls"
        )
    else:
        unchanged = f", {s['unchanged']} confirmed unchanged" if s.get("unchanged") else ""
        lines.append(
            f"  labels: {s.get('labels_seen', 0)} seen, {s.get('valid', 0)} VALID, {s.get('invalid', 0)} INVALID, "
            f"{s.get('needs_review', 0)} NEEDS_REVIEW, {s.get('left_pending', 0)} undecided{unchanged}; "
            f"{s.get('llm_calls', 0)} LLM calls"
        )
    lines.append(f"  writes: {s.get('writes', 0)}, lost races: {s.get('lost_races', 0)}, errors: {s.get('errors', 0)}")
    if s.get("skipped_items"):
        lines.append(f"  skipped {s['skipped_items']} unreadable item(s), left as they are (logged with their keys)")
    if s.get("cursor"):
        where = f" --segment {s['segment']}" if s.get("segment") else ""
        lines.append(f"  stopped early ({s.get('stopped_by')}); resume with{where} --cursor {shlex.quote(s['cursor'])}")
    if "changes" in s:
        changes = s["changes"]
        lines.append(f"  would change {len(changes)} verdict(s):" if changes else "  would change nothing")
        shown = change_lines(changes[:CHANGES_SHOWN])
        lines += [f"    {line}" for line in shown]
        if len(changes) > CHANGES_SHOWN:
            lines.append(f"    ... and {len(changes) - CHANGES_SHOWN} more (--json lists every one)")
    return "\n".join(lines)
