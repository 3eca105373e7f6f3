"""How often each kind of code evidence is right when it would decide, measured on generated receipts with truth.

For every label of the generated set, the checks' evidence is grouped by decision basis (`domain.decision.candidates`:
each strong kind alone, and the kinds together): a refuting basis is right when the label is truly wrong, a
supporting one when it is truly right. Prints one JSON object: per generator shape, per basis and per label, the
count, how many were right and the precision; plus the bases the policy lets decide alone and what the policy decided.
The policy's table (`domain/measured.py`) is this output's `table`.

    .venv/bin/python bench/calibration.py --receipts 300 --seed 7 --wrong-share 0.2
"""

from __future__ import annotations

import argparse
import inspect
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from domain.bundles import context_from_bundle
from domain.checks import build_facts, judge
from domain.decision import allowed, basis_name, basis_of, candidates, rules_decision
from domain.model import Answer, ValidationStatus
from samples import generate_receipts


class Count:
    def __init__(self) -> None:
        self.n = 0
        self.right = 0

    def add(self, right: bool) -> None:
        self.n += 1
        self.right += right

    def report(self) -> dict[str, Any]:
        return {"n": self.n, "right": self.right, "precision": round(self.right / self.n, 4) if self.n else None}


def shapes() -> list[str]:
    """The generator's shapes: `classic`, plus `real` once the generator has a real-shape mode."""
    return ["classic", "real"] if "shape" in inspect.signature(generate_receipts).parameters else ["classic"]


def measure(receipts: int, seed: int, wrong_share: float, shape: str) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"seed": seed, "wrong_share": wrong_share}
    if shape != "classic":
        kwargs["shape"] = shape
    generated = generate_receipts(receipts, **kwargs)
    bases: dict[str, dict[str, Count]] = {"refutes": defaultdict(Count), "supports": defaultdict(Count)}
    per_label: dict[str, dict[str, dict[str, Count]]] = defaultdict(
        lambda: {"refutes": defaultdict(Count), "supports": defaultdict(Count)}
    )
    policy = {"INVALID": Count(), "VALID": Count(), "undecided": 0}
    labels = 0
    for receipt in generated:
        context = context_from_bundle(receipt.bundle)
        facts = build_facts(context)
        truth = {(t.line_id, t.word_id, t.label): t.correct for t in receipt.truth}
        for label in context.labels:
            labels += 1
            correct = truth[(label.line_id, label.word_id, label.label)]
            evidence = judge(facts, label)
            for c in candidates(evidence):
                side = "refutes" if c.status is ValidationStatus.INVALID else "supports"
                right = (not correct) if side == "refutes" else correct
                bases[side][basis_name(c.basis)].add(right)
                per_label[label.label][side][basis_name(c.basis)].add(right)
            decided = rules_decision(label, evidence)
            if decided is None:
                policy["undecided"] += 1
            else:
                policy[decided[0].value].add(
                    (decided[0] is ValidationStatus.INVALID and not correct)
                    or (decided[0] is ValidationStatus.VALID and correct)
                )
    return {
        "receipts": len(generated),
        "labels": labels,
        "bases": {side: {name: c.report() for name, c in sorted(counts.items())} for side, counts in bases.items()},
        "per_label": {
            name: {side: {b: c.report() for b, c in sorted(counts.items())} for side, counts in sides.items()}
            for name, sides in sorted(per_label.items())
        },
        "policy": {
            "INVALID": policy["INVALID"].report(),
            "VALID": policy["VALID"].report(),
            "undecided": policy["undecided"],
        },
    }


def run(receipts: int, seed: int, wrong_share: float) -> dict[str, Any]:
    measured = {shape: measure(receipts, seed, wrong_share, shape) for shape in shapes()}
    return {
        "seed": seed,
        "wrong_share": wrong_share,
        "shapes": measured,
        "table": table(measured),
        "decides_alone": decides_alone(measured),
    }


def table(measured: dict[str, dict[str, Any]]) -> dict[str, dict[str, list[float]]]:
    """The policy's table: per label ("*" for all), `side:basis` -> [n, lowest precision over the shapes]."""
    out: dict[str, dict[str, list[float]]] = defaultdict(dict)

    def put(label: str, side: str, name: str, r: dict[str, Any]) -> None:
        if r["precision"] is None:
            return
        key = f"{side}:{name}"
        n, p = out[label].get(key, [0, 1.0])
        out[label][key] = [n + r["n"], min(p, r["precision"])]

    for result in measured.values():
        for side, rows in result["bases"].items():
            for name, r in rows.items():
                put("*", side, name, r)
        for label, sides in result["per_label"].items():
            for side, rows in sides.items():
                for name, r in rows.items():
                    put(label, side, name, r)
    return {label: dict(sorted(rows.items())) for label, rows in sorted(out.items())}


def decides_alone(measured: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """Per label, the bases the policy (as built, from its recorded table) lets decide alone, as measured here."""
    out: dict[str, list[str]] = {}
    labels = {label for r in measured.values() for label in r["per_label"]}
    for label in sorted(labels):
        names = {
            (side, name)
            for r in measured.values()
            for side, rows in r["per_label"].get(label, {}).items()
            for name in rows
        }
        out[label] = sorted(
            f"{side}:{name}"
            for side, name in names
            if allowed(label, Answer.REFUTES if side == "refutes" else Answer.SUPPORTS, basis_of(name))
        )
    return out


def table_module(result: dict[str, Any], command: str) -> str:
    """`domain/measured.py` as it should read for this measurement (`--emit-table`)."""
    lines = [
        '"""How often each decision basis was right on generated receipts: the figures `domain.decision` decides from.',
        "",
        "Written by `bench/calibration.py --emit-table`; measured with:",
        f"    {command}",
        f"over the generator's shapes {', '.join(sorted(result['shapes']))}, each figure the lower of the shapes.",
        "Per label (`*` = all labels): `side:basis` -> (cases, precision).",
        '"""',
        "",
        "MEASURED: dict[str, dict[str, tuple[int, float]]] = {",
    ]
    for label, rows in result["table"].items():
        lines.append(f"    {json.dumps(label)}: {{")
        lines += [f"        {json.dumps(key)}: ({int(n)}, {p})," for key, (n, p) in rows.items()]
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wrong-share", type=float, default=0.2)
    parser.add_argument("--emit-table", action="store_true", help="print domain/measured.py instead of the JSON")
    args = parser.parse_args(argv)
    result = run(args.receipts, args.seed, args.wrong_share)
    if args.emit_table:
        command = (
            f".venv/bin/python bench/calibration.py --receipts {args.receipts} --seed {args.seed}"
            f" --wrong-share {args.wrong_share}"
        )
        print(table_module(result, command), end="")
    else:
        print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
