"""Load run: ~10,000 PENDING labels over 1,000 generated receipts through the stream reader and the pending sweep.

Principle 2 (edge-triggered plus level-triggered) and principle 4 (errors never decide) under volume, rules only:

1. Generate receipts; exactly `--pending-labels` labels, drawn at random, are PENDING; the rest are seeded as a
   person's VALID verdicts (they must come through untouched).
2. Write the first receipts (import); the stream reader (`receipt-validator stream`'s code path) validates them.
3. Write the rest while "the stream is down" (their records are never read): only the pending sweep can find them.
4. Run the pending sweep (the `sweepers` runner, as `receipt-validator sweep pending` does).
5. Run the reverify sweep over what was decided.
6. Read every label back and reconcile: labels_in == valid + invalid + needs_review + pending, nothing missing,
   no seeded verdict touched, and no label key written twice with a verdict (UpdateItems counted by a botocore hook).

People and a careless pipeline share the table meanwhile (issue 11):
- a reviewer settles `--human-share` of the PENDING labels during the stream and the sweep, with the very status the
  machine gives them (worked out beforehand by the same rules), conditioned on the label still being PENDING as they
  saw it; during the reverify sweep a reviewer confirms machine verdicts with the same status (only `validated_by`
  changes, and the machine's `last_verified_at` is removed). A person's verdict that landed must be there at the end:
  `human_overwritten` counts those the validator wrote over (a verdict or a re-verification touch);
- every `--poison-every`-th receipt gets unreadable items (a label whose status is `pending` in lower case, a word
  whose text is a number, metadata with an unknown status): they must stay as they were, be counted in
  `skipped_items`, and cost their receipt nothing (`errors` 0, its other labels decided).

Prints one JSON object; exits 1 when the reconciliation does not balance.

    .venv/bin/python bench/load.py --receipts 1000 --seed 7 --backend dynamodb-local
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
os.environ["VALIDATOR_LLM"] = "none"
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ReceiptValidatorBench")

from cli.dynamodb_local import DynamoDBLocalUnavailable, dynamodb_local  # noqa: E402
from cli.settings import Settings  # noqa: E402
from cli.stream_reader import ReaderOptions  # noqa: E402
from cli.stream_runtime import stream_reader_for  # noqa: E402
from domain import keys  # noqa: E402
from domain.bundles import context_from_bundle  # noqa: E402
from domain.cove.settings import LLMSettings  # noqa: E402
from domain.cove.verifier import build_verifier  # noqa: E402
from domain.model import ReceiptContext, ValidationStatus  # noqa: E402
from domain.store.repository import DynamoReceiptRepository, make_client  # noqa: E402
from samples import generate_receipts  # noqa: E402
from stream_handlers.mapping_defaults import BATCH_SIZE  # noqa: E402
from sweepers import pending, reverify  # noqa: E402
from sweepers.local_context import LocalContext  # noqa: E402
from sweepers.payload import SweepPayload  # noqa: E402
from sweepers.runner import RunLimits, next_payload, run_sweep  # noqa: E402

SEEDED_BY = "human:load-seed"
REVIEWER = "human:load-reviewer"
POISON_LABEL = "REFUND"
DECIDED = ("VALID", "INVALID", "NEEDS_REVIEW")
Key = tuple[str, str]


# -- backends ---------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def backend(name: str, notes: list[str]) -> Iterator[tuple[str, str]]:
    """(backend actually used, endpoint); falls back to the embedded moto server when the jar or java is missing."""
    if name == "dynamodb-local":
        try:
            with dynamodb_local() as endpoint:
                yield "dynamodb-local", endpoint
            return
        except DynamoDBLocalUnavailable as exc:
            notes.append(f"DynamoDB Local unavailable ({exc} missing): fell back to the embedded moto server")
    from cli.embedded import embedded_dynamodb

    with embedded_dynamodb() as endpoint:
        yield "moto", endpoint


# -- counting DynamoDB calls ------------------------------------------------------------------------------------


class CallLog:
    """Calls by operation on the clients it watches, and successful verdict UpdateItems per label key (metadata
    verdicts, written by the stream handler for metadata records, are calls but not label writes)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.calls: Counter[str] = Counter()
        self.verdict_writes: Counter[Key] = Counter()
        self.touches: Counter[Key] = Counter()

    def watch(self, client: Any, service: str) -> None:
        client.meta.events.register(f"provide-client-params.{service}", self._params)
        client.meta.events.register(f"after-call.{service}", self._after)

    def _params(self, params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        with self.lock:
            self.calls[model.name] += 1
        key = params.get("Key") or {}
        if model.name == "UpdateItem" and "#LABEL#" in key.get("SK", {}).get("S", ""):
            context["load_key"] = (key.get("PK", {}).get("S"), key.get("SK", {}).get("S"))
            names = params.get("ExpressionAttributeNames", {})
            set_part = params.get("UpdateExpression", "").split(" REMOVE ")[0]
            assigned = {names.get(name, name) for name in re.findall(r"(#?\w+)\s*=", set_part)}
            context["load_verdict"] = "validation_status" in assigned  # a verdict; else a re-verification touch

    def _after(self, model: Any, http_response: Any, context: dict[str, Any], **_: Any) -> None:
        if model.name != "UpdateItem" or http_response.status_code >= 300 or "load_key" not in context:
            return
        with self.lock:
            (self.verdict_writes if context["load_verdict"] else self.touches)[context["load_key"]] += 1


# -- the receipts -----------------------------------------------------------------------------------------------


def build_receipts(n: int, seed: int, pending_labels: int) -> tuple[list[ReceiptContext], set[Key], set[Key]]:
    """Receipts with exactly `pending_labels` PENDING labels drawn at random; the others seeded as VALID by a person."""
    contexts = [context_from_bundle(g.bundle) for g in generate_receipts(n, seed=seed)]
    everything = [(ci, li) for ci, c in enumerate(contexts) for li in range(len(c.labels))]
    if pending_labels > len(everything):
        raise SystemExit(f"only {len(everything)} labels on {n} receipts; ask for fewer --pending-labels")
    chosen = set(random.Random(seed).sample(everything, pending_labels))
    pending_keys: set[Key] = set()
    seeded_keys: set[Key] = set()
    for ci, context in enumerate(contexts):
        for li, lb in enumerate(context.labels):
            key = (keys.image_pk(lb.image_id), keys.label_sk(lb.receipt_id, lb.line_id, lb.word_id, lb.label))
            if (ci, li) in chosen:
                lb.validation_status = ValidationStatus.PENDING
                pending_keys.add(key)
            else:
                lb.validation_status = ValidationStatus.VALID
                lb.validated_by = SEEDED_BY
                lb.reasoning = "seeded verdict: must not change"
                lb.validated_at = "2024-01-01T00:00:00+00:00"
                seeded_keys.add(key)
    return contexts, pending_keys, seeded_keys


def read_labels(client: Any, table: str) -> dict[Key, dict[str, str]]:
    """Every label's status and source, read back through GSITYPE (an uncounted client)."""
    rows: dict[Key, dict[str, str]] = {}
    paginator = client.get_paginator("query")
    for page in paginator.paginate(
        TableName=table,
        IndexName="GSITYPE",
        KeyConditionExpression="#t = :t",
        ExpressionAttributeNames={"#t": "TYPE"},
        ExpressionAttributeValues={":t": {"S": keys.TYPE_LABEL}},
    ):
        for item in page["Items"]:
            rows[(item["PK"]["S"], item["SK"]["S"])] = {
                name: item[name].get("S", "")
                for name in ("validation_status", "validated_by", "reasoning", "GSI3PK", "last_verified_at")
                if name in item
            }
    return rows


# -- a person reviewing, and a careless pipeline ---------------------------------------------------------------


class Reviewer:
    """A person settling labels while the validator runs: each write is conditioned on what the person saw."""

    def __init__(self, client: Any, table: str, plan: dict[Key, tuple[str, str | None]], seed: int, pace: float):
        self.client, self.table, self.pace = client, table, pace
        self.rng = random.Random(seed)
        self.plan = list(plan.items())  # key -> (status to give, status and machine validated_by seen)
        random.Random(seed).shuffle(self.plan)
        self.landed: dict[Key, str] = {}
        self.refused = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Reviewer:
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        self.thread.join()

    def _run(self) -> None:
        for key, (status, seen_by) in self.plan:
            if self.stop.wait(self.rng.uniform(0, 2 * self.pace)):
                return
            self._settle(key, status, seen_by)

    def _settle(self, key: Key, status: str, seen_by: str | None) -> None:
        pk, sk = key
        image_id = pk[len("IMAGE#") :]
        parsed = keys.parse_keys(pk, sk)
        gsi3 = keys.label_gsi3(
            image_id, parsed.receipt_id, parsed.line_id or 0, parsed.word_id or 0, parsed.label or "", status
        )
        values = {
            ":s": {"S": status},
            ":h": {"S": REVIEWER},
            ":r": {"S": "settled by a person"},
            ":g1": {"S": gsi3["GSI3PK"]},
            ":g2": {"S": gsi3["GSI3SK"]},
        }
        if seen_by is None:  # the person saw it PENDING
            condition = "validation_status = :seen"
            values[":seen"] = {"S": "PENDING"}
        else:  # the person saw the machine's verdict and confirms it: the status does not change
            condition = "validation_status = :s AND validated_by = :by"
            values[":by"] = {"S": seen_by}
        try:
            self.client.update_item(
                TableName=self.table,
                Key={"PK": {"S": pk}, "SK": {"S": sk}},
                UpdateExpression="SET validation_status = :s, validated_by = :h, reasoning = :r, GSI3PK = :g1, "
                "GSI3SK = :g2 REMOVE last_verified_at",
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except self.client.exceptions.ConditionalCheckFailedException:
            self.refused += 1
            return
        self.landed[key] = status


def machine_statuses(contexts: list[ReceiptContext], verifier: Any) -> dict[Key, str]:
    """What the rules decide for each PENDING label, worked out in the process before anything is written."""
    out: dict[Key, str] = {}
    for context in contexts:
        claims = context.labels_with_status(ValidationStatus.PENDING)
        for verdict in verifier.verify(context, claims).verdicts:
            if verdict.decided:
                lb = verdict.label
                out[(keys.image_pk(lb.image_id), keys.label_sk(lb.receipt_id, lb.line_id, lb.word_id, lb.label))] = (
                    verdict.status.value
                )
    return out


def poison(client: Any, table: str, contexts: list[ReceiptContext]) -> dict[Key, dict[str, Any]]:
    """Writes unreadable items into each receipt, as a careless pipeline might; returns them as written."""
    items: dict[Key, dict[str, Any]] = {}
    for context in contexts:
        ref = context.ref
        pk = keys.image_pk(ref.image_id)
        labelled = {(lb.line_id, lb.word_id) for lb in context.labels}
        word = next((w for w in context.words if (w.line_id, w.word_id) not in labelled), context.words[0])
        first = context.words[0]
        if any(lb.label == POISON_LABEL and lb.word_key == (first.line_id, first.word_id) for lb in context.labels):
            continue
        label_sk = keys.label_sk(ref.receipt_id, first.line_id, first.word_id, POISON_LABEL)
        label = {
            **{
                k: {"S": v}
                for k, v in keys.label_keys(
                    ref.image_id, ref.receipt_id, first.line_id, first.word_id, POISON_LABEL, "PENDING"
                ).items()
            },
            "validation_status": {"S": "pending"},
        }
        client.put_item(TableName=table, Item=label)
        items[(pk, label_sk)] = label
        word_sk = keys.word_sk(ref.receipt_id, word.line_id, word.word_id)
        client.update_item(
            TableName=table,
            Key={"PK": {"S": pk}, "SK": {"S": word_sk}},
            UpdateExpression="SET #t = :n",
            ExpressionAttributeNames={"#t": "text"},
            ExpressionAttributeValues={":n": {"N": "7"}},
        )
        items[(pk, word_sk)] = {"text": {"N": "7"}}
        if context.metadata is not None:
            metadata_sk = keys.metadata_sk(ref.receipt_id)
            client.update_item(
                TableName=table,
                Key={"PK": {"S": pk}, "SK": {"S": metadata_sk}},
                UpdateExpression="SET validation_status = :s",
                ExpressionAttributeValues={":s": {"S": "PERHAPS"}},
            )
            items[(pk, metadata_sk)] = {"validation_status": {"S": "PERHAPS"}}
    return items


def poison_intact(client: Any, table: str, items: dict[Key, dict[str, Any]]) -> int:
    """How many poison items changed (their written attributes, or anything the validator would add)."""
    changed = 0
    for (pk, sk), written in items.items():
        now = client.get_item(TableName=table, Key={"PK": {"S": pk}, "SK": {"S": sk}}).get("Item", {})
        if any(now.get(k) != v for k, v in written.items()) or "validated_by" in now or "validated_fingerprint" in now:
            changed += 1
    return changed


# -- the run ----------------------------------------------------------------------------------------------------


def _rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds > 0 else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    notes: list[str] = []
    contexts, pending_keys, seeded_keys = build_receipts(args.receipts, args.seed, args.pending_labels)
    missed_count = round(len(contexts) * args.missed_share)
    streamed, missed = contexts[: len(contexts) - missed_count], contexts[len(contexts) - missed_count :]
    pending_of = {
        "streamed": sum(lb.validation_status is ValidationStatus.PENDING for c in streamed for lb in c.labels),
        "missed": sum(lb.validation_status is ValidationStatus.PENDING for c in missed for lb in c.labels),
    }
    log = CallLog()
    verifier = build_verifier(LLMSettings(provider="none"))
    machine = machine_statuses(contexts, verifier)
    rng = random.Random(args.seed + 1)
    to_settle = sorted(machine)
    settle = {key: (machine[key], None) for key in rng.sample(to_settle, round(len(to_settle) * args.human_share))}
    poisoned = [c for i, c in enumerate(contexts) if args.poison_every and i % args.poison_every == 0]
    with backend(args.backend, notes) as (used, endpoint):
        table = f"load-{uuid.uuid4().hex[:8]}"
        store = DynamoReceiptRepository(table, make_client(endpoint, "us-east-1"))
        store.create_table()
        log.watch(store.client, "dynamodb")
        settings = Settings(endpoint, table, "us-east-1", "none", None)
        person_client = make_client(endpoint, "us-east-1")  # uncounted: the people and the pipeline

        started = time.perf_counter()
        items = store.write_contexts(streamed)
        import_s = time.perf_counter() - started
        poison_items = poison(person_client, table, [c for c in poisoned if c in streamed])
        reviewer = Reviewer(person_client, table, settle, args.seed, args.review_pace)
        reviewer.__enter__()

        function_output = open(os.devnull, "w")  # noqa: SIM115 - the handler's JSON logs, as CloudWatch would get them
        reader = stream_reader_for(
            settings,
            ReaderOptions(batch_size=args.batch_size, until_idle_s=args.until_idle, poll_interval_s=0.05),
            store=store,
            verifier=verifier,
            function_output=function_output,
        )
        log.watch(reader.client, "dynamodbstreams")
        started = time.perf_counter()
        stream_summary = reader.run().as_dict()
        stream_s = time.perf_counter() - started - args.until_idle
        function_output.close()

        started = time.perf_counter()
        items += store.write_contexts(missed)  # written while the stream is down: no reader sees these records
        import_s += time.perf_counter() - started
        poison_items.update(poison(person_client, table, [c for c in poisoned if c in missed]))

        sweep = pending.build(verifier)
        payload = SweepPayload()
        started = time.perf_counter()
        sweep_summary: dict[str, Any] | None = None
        while True:
            part = run_sweep(sweep, payload, store, LocalContext(6 * 3600), limits=RunLimits.from_env())
            data = part.as_dict()
            if sweep_summary is None:
                sweep_summary = data
            else:
                for name, value in data.items():
                    if isinstance(value, int) and not isinstance(value, bool) and name != "chain":
                        sweep_summary[name] = sweep_summary.get(name, 0) + value
                sweep_summary["failed_receipts"] += data["failed_receipts"]
            if part.stopped_by != "time" or part.receipts == 0:
                break
            payload = next_payload(payload, part.cursor, part.receipts)
        sweep_s = time.perf_counter() - started
        assert sweep_summary is not None
        reviewer.__exit__()

        # Reverify what the machine decided while a person confirms some of it with the same status.
        before = read_labels(person_client, table)
        decided_by_machine = [
            k for k, r in before.items() if r.get("validated_by", "").startswith("rule") and k not in reviewer.landed
        ]
        confirm = {
            k: (before[k]["validation_status"], before[k]["validated_by"])
            for k in rng.sample(decided_by_machine, round(len(decided_by_machine) * args.human_share))
        }
        confirmer = Reviewer(person_client, table, confirm, args.seed + 2, args.review_pace)
        before_reverify = Counter(log.verdict_writes)
        started = time.perf_counter()
        with confirmer:
            reverify_summary = run_sweep(
                reverify.build(verifier),
                SweepPayload(),
                store,
                LocalContext(6 * 3600),
                limits=RunLimits.from_env(),
            ).as_dict()
        reverify_s = time.perf_counter() - started
        reverify_verdicts = log.verdict_writes - before_reverify
        log.verdict_writes = before_reverify  # the balance below is the stream's and the pending sweep's

        rows = read_labels(person_client, table)
        poison_changed = poison_intact(person_client, table, poison_items)

    people = {
        "settled": reviewer.landed,
        "settle_refused": reviewer.refused,
        "confirmed": confirmer.landed,
        "confirm_refused": confirmer.refused,
        "reverify_verdicts": reverify_verdicts,
        "poison_items": len(poison_items),
        "poison_changed": poison_changed,
    }
    return reconcile(
        args, used, notes, pending_keys, seeded_keys, rows, log, stream_summary, sweep_summary, pending_of,
        {"import_s": import_s, "stream_s": stream_s, "sweep_s": sweep_s, "reverify_s": reverify_s,
         "items_written": items},
        people, reverify_summary,
    )  # fmt: skip


def reconcile(
    args: argparse.Namespace,
    used: str,
    notes: list[str],
    pending_keys: set[Key],
    seeded_keys: set[Key],
    rows: dict[Key, dict[str, str]],
    log: CallLog,
    stream: dict[str, Any],
    sweep: dict[str, Any],
    pending_of: dict[str, int],
    timing: dict[str, float],
    people: dict[str, Any],
    reverify_summary: dict[str, Any],
) -> dict[str, Any]:
    """The figures, and whether every label that went in is accounted for exactly once."""
    outcome: Counter[str] = Counter()
    unsound: list[str] = []
    settled: dict[Key, str] = people["settled"]
    confirmed: dict[Key, str] = people["confirmed"]
    # A person's verdict that landed must be what the table holds at the end, and the validator never wrote it after:
    # settled labels got no verdict from it at all (it found them PENDING and lost the race, or never saw them so);
    # confirmed ones keep the person's name and no re-verification stamp (the confirmation removed the machine's).
    overwritten = [
        key
        for key, status in {**settled, **confirmed}.items()
        if rows.get(key, {}).get("validated_by") != REVIEWER
        or rows.get(key, {}).get("validation_status") != status
        or rows.get(key, {}).get("last_verified_at")
    ]
    overwritten += [key for key in settled if log.verdict_writes.get(key) or people["reverify_verdicts"].get(key)]
    overwritten += [key for key in confirmed if people["reverify_verdicts"].get(key)]
    for key in pending_keys - set(settled):
        row = rows.get(key)
        if row is None:
            outcome["missing"] += 1
            continue
        status = row.get("validation_status", "?")
        outcome[status if status in (*DECIDED, "PENDING") else "other"] += 1
        if row.get("GSI3PK") != keys.status_gsi3pk(status):
            unsound.append(f"{key}: GSI3PK {row.get('GSI3PK')} does not follow {status}")
        if status in DECIDED and not (row.get("reasoning") and row.get("validated_by")):
            unsound.append(f"{key}: {status} without reasoning or validated_by")
    seeded_changed = sum(
        1
        for key in seeded_keys
        if (rows.get(key) or {}).get("validation_status") != "VALID"
        or (rows.get(key) or {}).get("validated_by") != SEEDED_BY
    )
    duplicated = {f"{pk}|{sk}": n for (pk, sk), n in log.verdict_writes.items() if n > 1}
    written_not_pending = sum(1 for key in log.verdict_writes if key not in pending_keys)
    decided_table = sum(outcome[s] for s in DECIDED)
    decided_stream_total = sum(stream[s.lower()] for s in DECIDED)
    decided_reports = sum(stream[s.lower()] + sweep[s.lower()] for s in DECIDED)
    lost_races = stream["lost_races"] + sweep["lost_races"]
    labels_in = len(pending_keys)
    accounted = decided_table + outcome["PENDING"] + len(settled)
    balance = {
        "labels_in": labels_in,
        "valid": outcome["VALID"],
        "invalid": outcome["INVALID"],
        "needs_review": outcome["NEEDS_REVIEW"],
        "pending": outcome["PENDING"],
        "settled_by_a_person": len(settled),
        "lost": labels_in - accounted,
        "missing_from_table": outcome["missing"],
        "other_status": outcome["other"],
        "duplicated_writes": len(duplicated),
        "verdict_writes": sum(log.verdict_writes.values()),
        "writes_on_labels_not_pending": written_not_pending,
        "seeded_verdicts_changed": seeded_changed,
        "decided_in_table": decided_table,
        "decided_in_reports": decided_reports,
        "lost_races": lost_races,
        "unsound_rows": len(unsound),
        "human_overwritten": len(set(overwritten)),
        "poison_items_changed": people["poison_changed"],
        "errors": stream["errors"] + sweep["errors"] + reverify_summary["errors"],
        # Each run's own report against the table (not part of `balanced`, which is the definition):
        # labels the stream run saw but reported neither decided nor left pending, and the sweep's left_pending
        # (it runs last, over every PENDING label) against the table's.
        "stream_report_unaccounted": stream["labels_seen"] - decided_stream_total - stream["left_pending"],
        "sweep_left_pending_minus_table": sweep["left_pending"] - outcome["PENDING"],
    }
    balanced = (
        balance["lost"] == 0
        and outcome["missing"] == 0
        and outcome["other"] == 0
        and not duplicated
        and written_not_pending == 0
        and seeded_changed == 0
        and not overwritten
        and people["poison_changed"] == 0
        and balance["errors"] == 0
        and decided_table == balance["verdict_writes"]
        and decided_reports == balance["verdict_writes"] + lost_races
        and not unsound
    )
    balance["balanced"] = balanced
    decided_stream = sum(stream[s.lower()] for s in DECIDED)
    decided_sweep = sum(sweep[s.lower()] for s in DECIDED)
    return {
        "command": "bench/load.py " + " ".join(sys.argv[1:]),
        "backend": used,
        "notes": notes,
        "receipts": args.receipts,
        "seed": args.seed,
        "labels_in": labels_in,
        "labels_seeded_valid": len(seeded_keys),
        "receipts_missed_by_stream": round(args.receipts * args.missed_share),
        "pending_written_before_stream": pending_of["streamed"],
        "pending_written_while_stream_down": pending_of["missed"],
        "decided": {s.lower(): outcome[s] for s in DECIDED},
        "left_pending": outcome["PENDING"],
        "records_failed": {
            "stream_failed_records": stream["failed_records"],
            "stream_on_failure_batches": len(stream["on_failure"]),
            "stream_function_errors": stream["function_errors"],
            "sweep_failed_receipts": len(sweep["failed_receipts"]),
            "errors": stream["errors"] + sweep["errors"],
        },
        "phases": {
            "import": {"items": timing["items_written"], "seconds": round(timing["import_s"], 2)},
            "stream": {
                "seconds": round(timing["stream_s"], 2),
                "records_read": stream["records_read"],
                "records_passed_filter": stream["records_passed_filter"],
                "invocations": stream["invocations"],
                "receipts": stream["receipts"],
                "labels_seen": stream["labels_seen"],
                "decided": decided_stream,
                "left_pending": stream["left_pending"],
                "lost_races": stream["lost_races"],
                "labels_per_s": _rate(stream["labels_seen"], timing["stream_s"]),
            },
            "sweep": {
                "seconds": round(timing["sweep_s"], 2),
                "receipts": sweep["receipts"],
                "labels_seen": sweep["labels_seen"],
                "decided": decided_sweep,
                "left_pending": sweep["left_pending"],
                "lost_races": sweep["lost_races"],
                "labels_per_s": _rate(sweep["labels_seen"], timing["sweep_s"]),
            },
        },
        "people": {
            "pending_labels_settled_by_a_person": len(settled),
            "settle_refused_already_decided": people["settle_refused"],
            "machine_verdicts_confirmed_same_status": len(confirmed),
            "confirm_refused": people["confirm_refused"],
            "human_overwritten": len(set(overwritten)),
        },
        "poison": {
            "items": people["poison_items"],
            "changed": people["poison_changed"],
            "skipped_items_counted": stream.get("skipped_items", 0)
            + sweep.get("skipped_items", 0)
            + reverify_summary.get("skipped_items", 0),
        },
        "reverify": {
            "seconds": round(timing["reverify_s"], 2),
            "receipts": reverify_summary["receipts"],
            "labels_seen": reverify_summary["labels_seen"],
            "unchanged": reverify_summary.get("unchanged", 0),
            "writes": reverify_summary["writes"],
            "verdicts_changed": sum(people["reverify_verdicts"].values()),
            "lost_races": reverify_summary["lost_races"],
        },
        "dynamodb_calls": dict(sorted(log.calls.items())),
        "reconciliation": balance,
        "unsound_examples": unsound[:5],
        "duplicated_examples": dict(list(duplicated.items())[:5]),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--receipts", type=int, default=1000, help="generated receipts (default 1000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--backend", choices=("dynamodb-local", "moto"), default="dynamodb-local")
    parser.add_argument(
        "--pending-labels", type=int, help="PENDING labels in (default: 10 per receipt, 10,000 for 1,000 receipts)"
    )
    parser.add_argument("--missed-share", type=float, default=0.1, help="receipts written while the stream is down")
    parser.add_argument(
        "--batch-size",
        type=int,
        default=BATCH_SIZE,
        help=f"stream records per invocation (default {BATCH_SIZE}, as deployed)",
    )
    parser.add_argument("--until-idle", type=float, default=1.0, help="stream reader stops after this idle time")
    parser.add_argument(
        "--human-share", type=float, default=0.05, help="share of labels a person settles or confirms during the runs"
    )
    parser.add_argument(
        "--review-pace", type=float, default=0.05, help="mean seconds between a person's writes (spread over the runs)"
    )
    parser.add_argument(
        "--poison-every", type=int, default=20, help="every N-th receipt gets unreadable items (0: none)"
    )
    args = parser.parse_args(argv)
    if args.pending_labels is None:
        args.pending_labels = 10 * args.receipts
    if not 0 <= args.missed_share <= 1:
        parser.error("--missed-share must be within 0..1")
    report = run(args)
    print(json.dumps(report, indent=2))
    return 0 if report["reconciliation"]["balanced"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
