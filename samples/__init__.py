"""Synthetic sample receipts with known truth: bundles (CONTRACT §2) plus which labels are wrong and why."""

from samples.generator import SHAPES, GeneratedReceipt, LabelTruth, generate_receipts, write_bundles

__all__ = ["SHAPES", "GeneratedReceipt", "LabelTruth", "generate_receipts", "write_bundles"]
