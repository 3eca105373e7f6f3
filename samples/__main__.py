"""`python -m samples --count N --seed S --wrong-share F [--shape classic|real] --out FILE [--truth FILE]`."""

from __future__ import annotations

import argparse
import sys
import time

from samples.generator import SHAPES, generate_receipts, write_bundles


def main(argv: list[str] | None = None, prog: str = "python -m samples") -> int:
    parser = argparse.ArgumentParser(prog=prog, description="Write synthetic receipt bundles.")
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--wrong-share", type=float, default=0.2, help="share of labels that are wrong (0..1)")
    parser.add_argument("--start-receipt-id", type=int, default=1)
    parser.add_argument(
        "--shape",
        choices=SHAPES,
        default="classic",
        help="classic: the original generated set (default); real: the conventions of real receipts "
        "(GST-inclusive and rounded totals, month-name dates, glued OCR words, RM/$/£ prefixes, comma decimals)",
    )
    parser.add_argument("--out", required=True, help="bundles, JSON Lines")
    parser.add_argument("--truth", help="truth per receipt, JSON Lines")
    args = parser.parse_args(argv)
    if args.count < 0 or not 0.0 <= args.wrong_share <= 1.0:
        parser.error("--count must be >= 0 and --wrong-share within 0..1")
    started = time.perf_counter()
    receipts = generate_receipts(
        args.count,
        seed=args.seed,
        wrong_share=args.wrong_share,
        start_receipt_id=args.start_receipt_id,
        shape=args.shape,
    )
    generated = time.perf_counter()
    write_bundles(args.out, receipts, truth_path=args.truth)
    labels = sum(len(r.truth) for r in receipts)
    wrong = sum(not t.correct for r in receipts for t in r.truth)
    print(
        f"{len(receipts)} receipts, {labels} labels, {wrong} wrong ({wrong / max(labels, 1):.3f}); "
        f"generated in {generated - started:.2f}s, written in {time.perf_counter() - generated:.2f}s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
