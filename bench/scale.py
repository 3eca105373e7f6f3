"""Scale and cost model: per-receipt work measured on DynamoDB Local, projected to 10k, 1M and 10M labels.

Measured (one run, printed in `measured`): generated receipts are imported into DynamoDB Local; the pending sweep and
then the reverify sweep run through the real runner and service, with the LLM path on (the real ChatOllama client
against the fake Ollama server of tests/fakes, which answers instantly: it counts calls, it does not model latency);
the metadata sweep runs without Places. A botocore hook counts every DynamoDB call and asks DynamoDB Local for its
consumed capacity (ReturnConsumedCapacity=INDEXES, so GSI replication writes are included); CPU time is the process
time of each sweep.

Projected (stated assumptions in `assumptions`, every one a flag): AWS latencies (DynamoDB call, LLM call), the
Lambda CPU share at the configured memory, and the deployment defaults (Map MaxConcurrency, reserved concurrency,
runner workers, per-process LLM limiter, a provider rate limit). Wall time is the work divided by the smallest of
three throughputs (Lambda processes, LLM rate, GSI3 write rate); the JSON names the one that binds. Costs: Lambda
GB-s and requests (arm64), DynamoDB on-demand read/write request units (table + GSIs), Step Functions standard
transitions, LLM calls at a configurable price. One JSON object on stdout.

    .venv/bin/python bench/scale.py --receipts 40
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
os.environ["AWS_ACCOUNT_ID_ENDPOINT_MODE"] = "disabled"
os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "ReceiptValidatorBench")

from cli.dynamodb_local import DynamoDBLocalUnavailable, dynamodb_local  # noqa: E402
from domain.bundles import context_from_bundle  # noqa: E402
from domain.cove.limiter import Limiter  # noqa: E402
from domain.cove.settings import LLMSettings  # noqa: E402
from domain.cove.verifier import build_verifier  # noqa: E402
from domain.keys import segments  # noqa: E402
from domain.store.repository import DynamoReceiptRepository, make_client  # noqa: E402
from infra.config import Settings as StackSettings  # noqa: E402
from samples import generate_receipts  # noqa: E402
from sweepers import metadata, pending, reverify  # noqa: E402
from sweepers.local_context import LocalContext  # noqa: E402
from sweepers.payload import SweepPayload  # noqa: E402
from sweepers.runner import DEFAULT_MAX_WORKERS, RunLimits, run_sweep  # noqa: E402
from tests.fakes.ollama_server import ChatRequest, FakeOllama, asked_words  # noqa: E402

SIZES = (10_000, 1_000_000, 10_000_000)
BOUNDS = {
    "lambda_processes": "Lambda concurrency: Map MaxConcurrency processes x runner workers, each receipt waiting on "
    "its DynamoDB calls, CPU and LLM calls (raise sweepMaxConcurrency with sweeperReservedConcurrency)",
    "llm_rate_limit": "the LLM rate: min(provider limit, processes x per-process limiter) (raise llmRequestsPerSecond "
    "or the provider's limit)",
    "dynamodb_hot_partition": "DynamoDB: GSITYPE's one partition-key value per TYPE (no sort key, cannot split) at "
    "1,000 WCU/s (no setting raises it)",
}
CAPACITY_OPS = {"Query", "GetItem", "UpdateItem", "PutItem", "BatchWriteItem"}

# Prices, us-east-1, on-demand, as published (2025): Lambda arm64, DynamoDB on-demand, Step Functions standard.
PRICES = {
    "lambda_usd_per_gb_second_arm64": 0.0000133334,
    "lambda_usd_per_million_requests": 0.20,
    "dynamodb_usd_per_million_rru": 0.125,
    "dynamodb_usd_per_million_wru": 0.625,
    "stepfunctions_usd_per_1000_transitions": 0.025,
}


class Meter:
    """Counts DynamoDB calls and the capacity DynamoDB Local reports for them (table and indexes)."""

    def __init__(self, client: Any) -> None:
        self.calls: Counter[str] = Counter()
        self.read_units = 0.0
        self.write_units = 0.0
        self.index_write_units: Counter[str] = Counter()
        client.meta.events.register("provide-client-params.dynamodb.*", self._before)
        client.meta.events.register("after-call.dynamodb.*", self._after)

    def _before(self, params: dict[str, Any], model: Any, **_: Any) -> None:
        self.calls[model.name] += 1
        if model.name in CAPACITY_OPS:
            params["ReturnConsumedCapacity"] = "INDEXES"

    def _after(self, parsed: dict[str, Any], model: Any, **_: Any) -> None:
        consumed = parsed.get("ConsumedCapacity")
        for entry in consumed if isinstance(consumed, list) else [consumed] if consumed else []:
            units = float(entry.get("CapacityUnits", 0.0))
            if model.name in {"UpdateItem", "PutItem", "BatchWriteItem"}:
                self.write_units += units
                for index, used in (entry.get("GlobalSecondaryIndexes") or {}).items():
                    self.index_write_units[index] += float(used.get("CapacityUnits", 0.0))
            else:
                self.read_units += units

    def snapshot(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "rru": self.read_units,
            "wru": self.write_units,
            "wru_by_index": dict(self.index_write_units),
        }


def _delta(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    calls = Counter(after["calls"])
    calls.subtract(before["calls"])
    by_index = Counter(after["wru_by_index"])
    by_index.subtract(before["wru_by_index"])
    return {
        "calls": {k: v for k, v in calls.items() if v},
        "rru": after["rru"] - before["rru"],
        "wru": after["wru"] - before["wru"],
        "wru_by_index": {k: v for k, v in by_index.items() if v},
    }


def _responder(req: ChatRequest) -> dict[str, Any]:
    """Answers every question without deciding much: calls are what is measured, not accuracy."""
    if req.schema_title == "RoleAnswers":
        return {
            "answers": [{"word": f"{k[0]}/{k[1]}", "role": "OTHER", "confidence": 0.5} for k in asked_words(req.prompt)]
        }
    if req.schema_title == "PlanQuestions":
        return {"questions": []}
    return {"answers": []}


def measure(receipts: int, seed: int) -> dict[str, Any]:
    generated = generate_receipts(receipts, seed=seed, shape="real")
    contexts = [context_from_bundle(g.bundle) for g in generated]
    labels = sum(len(c.labels) for c in contexts)
    with dynamodb_local() as endpoint, FakeOllama(responder=_responder) as fake:
        store = DynamoReceiptRepository(f"scale-{uuid.uuid4().hex[:8]}", make_client(endpoint, "us-east-1"))
        store.create_table()
        meter = Meter(store.client)
        start = meter.snapshot()
        store.write_contexts(contexts)
        imported = _delta(start, meter.snapshot())
        settings = LLMSettings.model_validate(
            {"provider": "ollama", "host": fake.url, "model": fake.model, "timeout_s": 10.0, "max_retries": 0}
        )
        verifier = build_verifier(settings, limiter=Limiter(8, 1000.0))
        sweeps = {
            "pending": pending.build(verifier),
            "reverify": reverify.build(verifier),
            "metadata": metadata.build(),
        }
        out: dict[str, Any] = {"receipts": receipts, "labels": labels, "import": imported, "sweeps": {}}
        for name, sweep in sweeps.items():
            before, calls_before = meter.snapshot(), fake.calls
            cpu0, wall0 = time.process_time(), time.perf_counter()
            summary = run_sweep(sweep, SweepPayload(), store, LocalContext(3600), limits=RunLimits(max_workers=4))
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
            used = _delta(before, meter.snapshot())
            result = summary.as_dict()
            out["sweeps"][name] = {
                "receipts": result["receipts"],
                "labels_seen": result.get("labels_seen", 0),
                "llm_calls": fake.calls - calls_before,
                "dynamodb": used,
                "cpu_seconds": round(cpu, 3),
                "local_wall_seconds": round(wall, 3),
            }
    return out


def project(measured: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    stack = StackSettings()
    labels_per_receipt = measured["labels"] / measured["receipts"]
    processes = min(args.map_concurrency, args.reserved_concurrency)
    cpu_share = min(1.0, args.memory_mb / 1769)  # Lambda gives one vCPU at 1,769 MB
    llm_rate = min(args.llm_rate_limit, processes * args.llm_rps_per_process)
    usable_s = args.timeout_s * 0.7  # a slice stops with 30% of its timeout left
    out: dict[str, Any] = {}
    per_sweep = {"pending": "pending", "reverify": "reverify", "metadata": "metadata"}
    for name, key in per_sweep.items():
        m = measured["sweeps"][key]
        receipts_measured = max(1, m["receipts"])
        calls = sum(m["dynamodb"]["calls"].values()) / receipts_measured
        rru = m["dynamodb"]["rru"] / receipts_measured
        wru = m["dynamodb"]["wru"] / receipts_measured
        llm = m["llm_calls"] / receipts_measured
        cpu = m["cpu_seconds"] / receipts_measured / cpu_share
        # one receipt's time in a worker: its CPU, its DynamoDB calls one after another, its LLM calls (the graph
        # asks them in parallel where it can; counted serially here, the pessimistic side)
        receipt_s = cpu + calls * args.dynamodb_latency_s + llm * args.llm_latency_s
        # GSITYPE is keyed on TYPE alone: every label (or metadata) write lands in ONE partition-key value with no
        # sort key, which DynamoDB cannot split, so its 1,000 WCU/s is a hard cap (GSI throttling holds back the
        # table's writes). The other indexes have sort keys and split for heat.
        hot = m["dynamodb"].get("wru_by_index", {}).get("GSITYPE", 0.0) / receipts_measured
        sizes: dict[str, Any] = {}
        for n in SIZES:
            receipts = n / labels_per_receipt  # metadata: one item per receipt holding those labels
            rates = {
                "lambda_processes": processes * args.workers / receipt_s,
                "llm_rate_limit": (llm_rate / llm) if llm > 0 else math.inf,
                "dynamodb_hot_partition": (args.gsi_partition_wcu / hot) if hot > 0 else math.inf,
            }
            bound = min(rates, key=lambda k: rates[k])
            wall_s = receipts / rates[bound]
            lambda_s = wall_s * processes  # every process of the Map is busy for the whole run
            slices = max(processes, math.ceil(lambda_s / usable_s))
            transitions = 8 + 16 * 2 + slices * 3  # fixed states, per segment, per slice (Slice, More?, Next)
            usd = {
                "lambda": lambda_s * args.memory_mb / 1024 * PRICES["lambda_usd_per_gb_second_arm64"]
                + slices * PRICES["lambda_usd_per_million_requests"] / 1e6,
                "dynamodb": receipts
                * (rru * PRICES["dynamodb_usd_per_million_rru"] + wru * PRICES["dynamodb_usd_per_million_wru"])
                / 1e6,
                "stepfunctions": transitions * PRICES["stepfunctions_usd_per_1000_transitions"] / 1000,
                "llm": receipts * llm * args.llm_usd_per_call,
            }
            sizes[f"{n}"] = {
                "receipts": round(receipts),
                "wall_hours": round(wall_s / 3600, 3),
                "bound_by": bound,
                "throughput_receipts_per_s": {k: (round(v, 2) if v != math.inf else None) for k, v in rates.items()},
                "llm_calls": round(receipts * llm),
                "lambda_slices": slices,
                "usd": {k: round(v, 4) for k, v in usd.items()} | {"total": round(sum(usd.values()), 4)},
            }
        out[name] = {
            "per_receipt": {
                "dynamodb_calls": round(calls, 2),
                "rru": round(rru, 2),
                "wru": round(wru, 2),
                "wru_gsitype": round(hot, 2),
                "llm_calls": round(llm, 3),
                "cpu_seconds_at_lambda_share": round(cpu, 4),
                "seconds_in_a_worker": round(receipt_s, 3),
            },
            "sizes": sizes,
        }
    # the stream: the pending path per receipt, one invocation per batch of receipts, no Step Functions
    p = out["pending"]["per_receipt"]
    receipts_per_1000 = 1000 / labels_per_receipt
    stream_lambda_s = receipts_per_1000 * p["seconds_in_a_worker"]
    out["stream_per_1000_labels"] = {
        "receipts": round(receipts_per_1000, 1),
        "usd": {
            "lambda": round(
                stream_lambda_s * args.stream_memory_mb / 1024 * PRICES["lambda_usd_per_gb_second_arm64"]
                + receipts_per_1000 * PRICES["lambda_usd_per_million_requests"] / 1e6,
                6,
            ),
            "dynamodb": round(
                receipts_per_1000
                * (
                    p["rru"] * PRICES["dynamodb_usd_per_million_rru"]
                    + p["wru"] * PRICES["dynamodb_usd_per_million_wru"]
                )
                / 1e6,
                6,
            ),
            "llm": round(receipts_per_1000 * p["llm_calls"] * args.llm_usd_per_call, 6),
        },
    }
    out["stream_per_1000_labels"]["usd"]["total"] = round(sum(out["stream_per_1000_labels"]["usd"].values()), 6)
    out["deployment"] = {
        "segments": len(segments()),
        "map_max_concurrency": args.map_concurrency,
        "reserved_concurrency_per_sweeper": args.reserved_concurrency,
        "runner_workers_per_process": args.workers,
        "llm_in_flight_bound_sweepers": 3 * args.reserved_concurrency * stack.llm_max_concurrency,
        "llm_requests_per_second": llm_rate,
    }
    return out


def main(argv: list[str] | None = None) -> int:
    defaults = StackSettings()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--receipts", type=int, default=40, help="generated receipts measured on DynamoDB Local")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--map-concurrency", type=int, default=defaults.sweep_max_concurrency)
    parser.add_argument("--reserved-concurrency", type=int, default=defaults.sweeper_reserved_concurrency)
    parser.add_argument("--workers", type=int, default=DEFAULT_MAX_WORKERS, help="runner threads per process")
    parser.add_argument("--memory-mb", type=int, default=defaults.sweeper_memory_mb)
    parser.add_argument("--stream-memory-mb", type=int, default=defaults.stream_memory_mb)
    parser.add_argument("--timeout-s", type=int, default=defaults.sweeper_timeout_seconds)
    parser.add_argument("--dynamodb-latency-s", type=float, default=0.008, help="one DynamoDB call in AWS")
    parser.add_argument(
        "--llm-latency-s", type=float, default=2.0, help="one LLM call (answer of a few hundred tokens)"
    )
    parser.add_argument("--llm-rps-per-process", type=float, default=defaults.llm_requests_per_second)
    parser.add_argument("--llm-rate-limit", type=float, default=10.0, help="the provider's requests per second")
    parser.add_argument("--llm-usd-per-call", type=float, default=0.0005, help="price of one LLM call")
    parser.add_argument("--gsi-partition-wcu", type=float, default=1000.0, help="write units/s of one partition")
    args = parser.parse_args(argv)
    try:
        measured = measure(args.receipts, args.seed)
    except DynamoDBLocalUnavailable as exc:
        print(f"bench/scale.py: DynamoDB Local is needed ({exc} missing; make dynamodb-local java)", file=sys.stderr)
        return 2
    assumptions = {k: v for k, v in vars(args).items() if k not in {"receipts", "seed"}} | {
        "prices": PRICES,
        "lambda_cpu_share": min(1.0, args.memory_mb / 1769),
    }
    projection = project(measured, args)
    reverify_10m = projection["reverify"]["sizes"][str(SIZES[-1])]
    result = {
        "measured": measured,
        "assumptions": assumptions,
        "projection": projection,
        "reverify_10m_labels": {
            "wall_hours": reverify_10m["wall_hours"],
            "under_24h": reverify_10m["wall_hours"] < 24,
            "bound_by": reverify_10m["bound_by"],
            "bound_means": BOUNDS[reverify_10m["bound_by"]],
            "usd": reverify_10m["usd"]["total"],
        },
    }
    print(json.dumps(result, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
