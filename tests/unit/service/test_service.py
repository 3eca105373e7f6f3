"""validate_receipt: which labels are verified, what is written, how the report counts it."""

from __future__ import annotations

from domain.model import Answer, ReceiptRef, ValidationStatus
from domain.service import ReceiptReport, validate_receipt
from tests.fakes.checks import StubChecks, code, rules_only_verifier
from tests.fakes.ollama_server import FakeOllama, truth_responder
from tests.fakes.receipts import GROCERY_TRUTH, grocery, make_context
from tests.fakes.store import FakeReceiptRepository
from tests.unit.conftest import MakeVerifier

DECIDED = StubChecks(
    {
        "9/2/GRAND_TOTAL": [code(Answer.SUPPORTS, decisive=True)],
        "8/2/TAX": [code(Answer.REFUTES, decisive=True)],
    }
)


def test_pending_mode_writes_rule_verdicts_and_counts_the_rest_pending() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    report = validate_receipt(store, ctx.ref, verifier=rules_only_verifier(DECIDED))
    assert store.loads == 1
    assert report.labels_seen == len(ctx.labels)
    assert (report.valid, report.invalid, report.needs_review) == (1, 1, 0)
    assert report.left_pending == len(ctx.labels) - 2
    assert report.writes == 2 and not report.failed
    assert store.status(ctx.ref, "9/2/GRAND_TOTAL") is ValidationStatus.VALID
    assert store.status(ctx.ref, "8/2/TAX") is ValidationStatus.INVALID
    assert {v.validated_by for v in store.writes} == {"rule:amounts"}
    assert report.counters()["left_pending"] == report.left_pending


def test_dry_run_writes_nothing_but_reports_the_verdicts() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    report = validate_receipt(store, ctx.ref, dry_run=True, verifier=rules_only_verifier(DECIDED))
    assert not store.wrote_anything
    assert (report.valid, report.invalid, report.writes) == (1, 1, 0)


def test_lost_races_are_benign() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    store.race = True
    report = validate_receipt(store, ctx.ref, verifier=rules_only_verifier(DECIDED))
    assert report.lost_races == 2 and report.writes == 0 and not report.failed


def test_store_failures_fail_the_receipt() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    store.fail_loads = True
    report = validate_receipt(store, ctx.ref, verifier=rules_only_verifier(DECIDED))
    assert report.failed and "throttled" in report.error_messages[0]
    store.fail_loads, store.fail_writes = False, True
    report = validate_receipt(store, ctx.ref, verifier=rules_only_verifier(DECIDED))
    assert report.errors == 2 and report.writes == 0


def test_a_missing_receipt_is_done_with_nothing_to_do() -> None:
    report = validate_receipt(
        FakeReceiptRepository(), ReceiptRef(image_id="x", receipt_id=1), verifier=rules_only_verifier()
    )
    assert report.labels_seen == 0 and not report.failed


def test_reverify_skips_human_verdicts_touches_kept_ones_and_rewrites_changed_ones() -> None:
    machine = grocery(status=ValidationStatus.VALID, validated_by="cove:old-model")
    human = make_context(
        ["9.99"],
        {(1, 1): "TAX"},
        image_id="11111111-1111-1111-1111-111111111111",
        status=ValidationStatus.INVALID,
        validated_by="human:alice",
    )
    store = FakeReceiptRepository(machine, human)
    verifier = rules_only_verifier(DECIDED)
    r1 = validate_receipt(store, machine.ref, mode="reverify", verifier=verifier)
    r2 = validate_receipt(store, human.ref, mode="reverify", verifier=verifier)
    assert r2.labels_seen == 0  # a person's verdict is never re-verified
    assert r1.labels_seen == len(machine.labels)
    assert r1.unchanged == 1 and [lb.claim_id for lb in store.touches] == ["9/2/GRAND_TOTAL"]
    assert [v.label.claim_id for v in store.writes] == ["8/2/TAX"]
    assert store.status(machine.ref, "8/2/TAX") is ValidationStatus.INVALID
    assert r1.left_pending == len(machine.labels) - 2  # undecided: left as they were (VALID)
    assert store.status(machine.ref, "5/1/PRODUCT_NAME") is ValidationStatus.VALID


def test_pending_mode_ignores_labels_already_decided() -> None:
    ctx = grocery(status=ValidationStatus.VALID)
    report = validate_receipt(FakeReceiptRepository(ctx), ctx.ref, verifier=rules_only_verifier(DECIDED))
    assert report.labels_seen == 0


def test_reports_add_up() -> None:
    a = ReceiptReport(receipts=1, valid=2, llm_calls=2, errors=1, error_messages=["x"])
    b = ReceiptReport(receipts=1, invalid=1, llm_calls=1)
    total = ReceiptReport.total([a, b])
    assert (total.receipts, total.valid, total.invalid, total.llm_calls, total.errors) == (2, 2, 1, 3, 1)
    assert total.failed and total.error_messages == ["x"]


def test_with_llm_every_pending_label_is_decided(fake_ollama: FakeOllama, make_verifier: MakeVerifier) -> None:
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    ctx = grocery(wrong={(7, 2): "GRAND_TOTAL"})
    store = FakeReceiptRepository(ctx)
    report = validate_receipt(store, ctx.ref, verifier=make_verifier())
    assert report.left_pending == 0 and report.invalid == 1 and report.valid == len(ctx.labels) - 1
    assert report.writes == len(ctx.labels) and report.llm_calls == 2
    assert store.status(ctx.ref, "7/2/GRAND_TOTAL") is ValidationStatus.INVALID
