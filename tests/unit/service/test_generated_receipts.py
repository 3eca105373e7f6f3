"""End to end on generated sample receipts: the real checks, the real ChatOllama, a fake model that knows the truth.

Prints the measured LLM calls per receipt (`pytest -s tests/unit/service/test_generated_receipts.py`).
"""

from __future__ import annotations

from domain.bundles import context_from_bundle
from domain.cove.limiter import Limiter
from domain.cove.prompts import render_receipt
from domain.cove.verifier import build_verifier
from domain.model import ValidationStatus
from domain.service import ReceiptReport, validate_receipt
from samples.generator import generate_receipts
from tests.fakes.ollama_server import FakeOllama, truth_responder
from tests.fakes.store import FakeReceiptRepository
from tests.unit.conftest import settings_for


def test_generated_receipts_cost_at_most_three_llm_calls_each(fake_ollama: FakeOllama) -> None:
    receipts = generate_receipts(30, seed=11, wrong_share=0.2)
    contexts = [context_from_bundle(r.bundle) for r in receipts]
    truth: dict[tuple[str, int, int], str] = {}
    correct: dict[tuple[str, int, str], bool] = {}
    for r, ctx in zip(receipts, contexts, strict=True):
        for t in r.truth:
            truth[(ctx.ref.image_id, t.line_id, t.word_id)] = t.true_label or "OTHER"
            correct[(ctx.ref.image_id, ctx.ref.receipt_id, f"{t.line_id}/{t.word_id}/{t.label}")] = t.correct

    def respond(req):
        receipt = next(c for c in contexts if render_receipt(c) in req.prompt)
        words = {(ln, w): lab for (img, ln, w), lab in truth.items() if img == receipt.ref.image_id}
        return truth_responder(words)(req)

    fake_ollama.responder = respond
    s = settings_for(fake_ollama)
    verifier = build_verifier(s, limiter=Limiter(s.max_concurrency, s.requests_per_second))
    store = FakeReceiptRepository(*contexts)
    total = ReceiptReport.total([validate_receipt(store, c.ref, verifier=verifier) for c in contexts])

    right = sum(
        (v.status is ValidationStatus.VALID) == correct[(v.label.image_id, v.label.receipt_id, v.label.claim_id)]
        for v in total.verdicts
        if v.status in (ValidationStatus.VALID, ValidationStatus.INVALID)
    )
    decided = total.valid + total.invalid
    per_receipt = fake_ollama.calls / len(contexts)
    print(
        f"\nreceipts={len(contexts)} labels={total.labels_seen} llm_calls={fake_ollama.calls} "
        f"llm_calls_per_receipt={per_receipt:.2f} valid={total.valid} invalid={total.invalid} "
        f"needs_review={total.needs_review} left_pending={total.left_pending} accuracy={right / max(1, decided):.3f}"
    )
    wrong = [
        (v.validated_by, v.label.label, v.status.value)
        for v in total.verdicts
        if v.status in (ValidationStatus.VALID, ValidationStatus.INVALID)
        and (v.status is ValidationStatus.VALID) != correct[(v.label.image_id, v.label.receipt_id, v.label.claim_id)]
    ]
    print("wrong verdicts:", wrong)
    assert total.errors == 0 and total.left_pending == 0
    assert not [w for w in wrong if w[0].startswith("cove:")]  # with a truthful model, the LLM path is never wrong
    assert per_receipt <= 3
