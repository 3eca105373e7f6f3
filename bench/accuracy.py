"""Rules-only accuracy on generated receipts with known truth: the classic set and the real-shape set side by side.

Generates both sets from one seed (a share of the labels wrong on purpose), judges every label on the path of
`receipt-validator check` (`domain.offline.check_receipt`: the service's `validate_receipt`, the Lambdas' engine and
policy, rules only) and prints one JSON object with, for each set: the precision and recall of INVALID (positive
class: the label is truly wrong), the share of correct labels made INVALID, the share of correct labels confirmed
VALID, the share decided by the rules alone, and per label type the share of its correct labels made INVALID.

    .venv/bin/python bench/accuracy.py --receipts 300 --seed 7 --wrong-share 0.2

With `--llm ollama` (and `--model NAME`, any model the server has; OLLAMA_HOST / OLLAMA_API_KEY as for the CLI) what
the rules leave open is asked of the model, so anyone with a capable model can measure LLM-on accuracy; the server
is checked first, and an unreachable one is one line on stderr and exit 1. `decided_by_rules` then counts every
decision, the LLM's included, and each set reports its `llm_calls`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.bundles import context_from_bundle
from domain.cove.settings import LLMSettings
from domain.cove.verifier import Verifier, build_verifier
from domain.model import ValidationStatus
from domain.offline import check_receipt
from samples import SHAPES, generate_receipts


@dataclass
class Tally:
    labels: int = 0
    wrong: int = 0
    invalid_true_positive: int = 0
    invalid_false_positive: int = 0
    valid_on_correct: int = 0
    valid_on_wrong: int = 0
    needs_review: int = 0

    def add(self, wrong: bool, status: ValidationStatus) -> None:
        self.labels += 1
        self.wrong += wrong
        if status is ValidationStatus.INVALID:
            self.invalid_true_positive += wrong
            self.invalid_false_positive += not wrong
        elif status is ValidationStatus.VALID:
            self.valid_on_wrong += wrong
            self.valid_on_correct += not wrong
        elif status is ValidationStatus.NEEDS_REVIEW:
            self.needs_review += 1

    def report(self) -> dict[str, Any]:
        correct = self.labels - self.wrong
        invalid = self.invalid_true_positive + self.invalid_false_positive
        valid = self.valid_on_correct + self.valid_on_wrong
        return {
            "labels": self.labels,
            "wrong": self.wrong,
            "invalid": invalid,
            "valid": valid,
            "needs_review": self.needs_review,
            "invalid_precision": _ratio(self.invalid_true_positive, invalid),
            "invalid_recall": _ratio(self.invalid_true_positive, self.wrong),
            "true_labels_wrongly_invalid": _ratio(self.invalid_false_positive, correct),
            "true_labels_confirmed_valid": _ratio(self.valid_on_correct, correct),
            "wrong_labels_passed_valid": _ratio(self.valid_on_wrong, self.wrong),
            "valid_precision": _ratio(self.valid_on_correct, valid),
            "decided_by_rules": _ratio(invalid + valid + self.needs_review, self.labels),
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def rules_only_verifier() -> Verifier:
    return build_verifier(LLMSettings(provider="none"))


def ollama_verifier(model: str | None) -> Verifier:
    """The verifier on the configured Ollama server and `model`; SystemExit(1) with one line when it is unreachable."""
    from cli.llm_outage import check_server
    from domain.secrets import environment_with_secrets

    settings = LLMSettings.from_env(environment_with_secrets(), llm="ollama", model=model)
    line = check_server(settings)
    if line is not None:
        print(line, file=sys.stderr)
        raise SystemExit(1)
    return build_verifier(settings)


def run_set(
    shape: str, receipts: int, seed: int, wrong_share: float, verifier: Verifier, examples: int = 0
) -> dict[str, Any]:
    """One generated set judged label by label; the same metrics whatever the shape."""
    generated = generate_receipts(receipts, seed=seed, wrong_share=wrong_share, shape=shape)
    overall, by_label, by_kind = Tally(), defaultdict(Tally), defaultdict(Tally)
    mistakes: list[dict[str, Any]] = []
    errors = llm_calls = 0
    started = time.perf_counter()
    for receipt in generated:
        context = context_from_bundle(receipt.bundle)
        truth = {(t.line_id, t.word_id, t.label): t for t in receipt.truth}
        checked = check_receipt(context, verifier)
        errors += checked.report.errors
        llm_calls += checked.report.llm_calls
        for item in checked.judged:
            label = item.given
            t = truth[(label.line_id, label.word_id, label.label)]
            status = item.verdict.status if item.verdict else ValidationStatus.PENDING
            wrong = not t.correct
            for tally in (overall, by_label[label.label], by_kind[t.error_kind or "correct"]):
                tally.add(wrong, status)
            mistaken = (status is ValidationStatus.INVALID and not wrong) or (
                status is ValidationStatus.VALID and wrong
            )
            if (mistaken or (wrong and status is ValidationStatus.PENDING)) and len(mistakes) < examples:
                word = context.word(label.line_id, label.word_id)
                mistakes.append(
                    {
                        "kind": receipt.kind,
                        "label": label.label,
                        "word": word.text if word else None,
                        "line": context.line_text(label.line_id),
                        "truth": t.true_label,
                        "error_kind": t.error_kind,
                        "decision": status.value,
                        "reasoning": item.verdict.reasoning if item.verdict else None,
                    }
                )
    elapsed = time.perf_counter() - started
    per_label = {name: by_label[name].report() for name in sorted(by_label)}
    out: dict[str, Any] = {
        "receipts": len(generated),
        "errors": errors,
        "llm_calls": llm_calls,
        "overall": overall.report(),
        "false_invalid_by_label": {name: r["true_labels_wrongly_invalid"] for name, r in per_label.items()},
        "per_label": per_label,
        "per_error_kind": {name: by_kind[name].report() for name in sorted(by_kind)},
        "labels_per_second": round(overall.labels / elapsed) if elapsed else None,
    }
    if examples:
        out["mistakes"] = mistakes
    return out


def run(
    receipts: int,
    seed: int,
    wrong_share: float,
    examples: int = 0,
    shapes: tuple[str, ...] = SHAPES,
    verifier: Verifier | None = None,
) -> dict[str, Any]:
    verifier = verifier or rules_only_verifier()
    out: dict[str, Any] = {
        "receipts": receipts,
        "seed": seed,
        "wrong_share": wrong_share,
        "path": "check",
        "llm": verifier.model or "none",
    }
    for shape in shapes:
        out[shape] = run_set(shape, receipts, seed, wrong_share, verifier, examples)
    out["side_by_side"] = {
        metric: {shape: out[shape]["overall"][metric] for shape in shapes}
        for metric in (
            "invalid_precision",
            "invalid_recall",
            "true_labels_wrongly_invalid",
            "true_labels_confirmed_valid",
            "decided_by_rules",
        )
    }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=300, help="receipts in each set")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wrong-share", type=float, default=0.2)
    parser.add_argument(
        "--shapes", default=",".join(SHAPES), help=f"comma-separated sets to measure (default: {','.join(SHAPES)})"
    )
    parser.add_argument(
        "--examples", type=int, default=0, help="include up to N wrong decisions and undecided wrong labels per set"
    )
    parser.add_argument("--llm", choices=("none", "ollama"), default="none", help="rules only (default) or Ollama")
    parser.add_argument("--model", help="the Ollama model (default: OLLAMA_MODEL, else the validator's default)")
    args = parser.parse_args(argv)
    shapes = tuple(s.strip() for s in args.shapes.split(",") if s.strip())
    if not shapes or any(s not in SHAPES for s in shapes):
        parser.error(f"--shapes takes a comma-separated subset of {', '.join(SHAPES)}")
    verifier = ollama_verifier(args.model) if args.llm == "ollama" else rules_only_verifier()
    print(json.dumps(run(args.receipts, args.seed, args.wrong_share, args.examples, shapes, verifier), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
