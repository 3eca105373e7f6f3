"""Rules-only accuracy of the deterministic checks on generated receipts with known truth.

Generates receipts (fixed seed, a share of the labels wrong on purpose), runs `evaluate` + `rules_decision` on every
label and prints one JSON object: overall and per label type, the precision and recall of INVALID (positive class:
the label is truly wrong), the share of true labels wrongly made INVALID, the precision of VALID, and the share of
labels decided without an LLM.

    .venv/bin/python bench/accuracy.py --receipts 300 --seed 7 --wrong-share 0.2
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

from cli.samples import generate_receipts
from domain.bundles import context_from_bundle
from domain.checks import evaluate
from domain.checks.policy import rules_decision
from domain.model import ValidationStatus


@dataclass
class Tally:
    labels: int = 0
    wrong: int = 0
    invalid_true_positive: int = 0
    invalid_false_positive: int = 0
    valid_on_correct: int = 0
    valid_on_wrong: int = 0

    def add(self, wrong: bool, status: ValidationStatus | None) -> None:
        self.labels += 1
        self.wrong += wrong
        if status is ValidationStatus.INVALID:
            self.invalid_true_positive += wrong
            self.invalid_false_positive += not wrong
        elif status is ValidationStatus.VALID:
            self.valid_on_wrong += wrong
            self.valid_on_correct += not wrong

    def report(self) -> dict[str, Any]:
        correct = self.labels - self.wrong
        invalid = self.invalid_true_positive + self.invalid_false_positive
        valid = self.valid_on_correct + self.valid_on_wrong
        return {
            "labels": self.labels,
            "wrong": self.wrong,
            "invalid": invalid,
            "valid": valid,
            "invalid_precision": _ratio(self.invalid_true_positive, invalid),
            "invalid_recall": _ratio(self.invalid_true_positive, self.wrong),
            "true_labels_wrongly_invalid": _ratio(self.invalid_false_positive, correct),
            "valid_precision": _ratio(self.valid_on_correct, valid),
            "decided_by_rules": _ratio(invalid + valid, self.labels),
        }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def run(receipts: int, seed: int, wrong_share: float, examples: int = 0) -> dict[str, Any]:
    generated = generate_receipts(receipts, seed=seed, wrong_share=wrong_share)
    overall, by_label, by_kind = Tally(), defaultdict(Tally), defaultdict(Tally)
    mistakes: list[dict[str, Any]] = []
    started = time.perf_counter()
    for receipt in generated:
        context = context_from_bundle(receipt.bundle)
        truth = {(t.line_id, t.word_id, t.label): t for t in receipt.truth}
        for label in context.labels:
            t = truth[(label.line_id, label.word_id, label.label)]
            decision = rules_decision(label, evaluate(context, label))
            status = decision[0] if decision else None
            wrong = not t.correct
            for tally in (overall, by_label[label.label], by_kind[t.error_kind or "correct"]):
                tally.add(wrong, status)
            mistaken = (status is ValidationStatus.INVALID and not wrong) or (
                status is ValidationStatus.VALID and wrong
            )
            if (mistaken or (wrong and status is None)) and len(mistakes) < examples:
                word = context.word(label.line_id, label.word_id)
                mistakes.append(
                    {
                        "kind": receipt.kind,
                        "label": label.label,
                        "word": word.text if word else None,
                        "line": context.line_text(label.line_id),
                        "truth": t.true_label,
                        "error_kind": t.error_kind,
                        "decision": decision[0].value if decision else "undecided",
                        "reasoning": decision[1] if decision else None,
                    }
                )
    elapsed = time.perf_counter() - started
    out: dict[str, Any] = {
        "receipts": len(generated),
        "seed": seed,
        "wrong_share": wrong_share,
        "overall": overall.report(),
        "per_label": {name: by_label[name].report() for name in sorted(by_label)},
        "per_error_kind": {name: by_kind[name].report() for name in sorted(by_kind)},
        "labels_per_second": round(overall.labels / elapsed) if elapsed else None,
    }
    if examples:
        out["mistakes"] = mistakes
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wrong-share", type=float, default=0.2)
    parser.add_argument(
        "--examples", type=int, default=0, help="include up to N wrong decisions and undecided wrong labels"
    )
    args = parser.parse_args(argv)
    print(json.dumps(run(args.receipts, args.seed, args.wrong_share, args.examples), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
