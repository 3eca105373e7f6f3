"""Expected failures are "not done, retry later"; a bug is not: it surfaces, counted and logged with its type.

The service catches only what the outside world is expected to throw (DynamoDB's ClientError/BotoCoreError, the LLM's
LLMUnavailable, Places' PlacesUnavailable) and leaves every label as it was. A programming error (a TypeError in a
check) propagates out of the service; each door then turns it into "not done" for that one receipt: the stream
handler reports its records in batchItemFailures, a sweep names it in failed_receipts, `check` writes its labels as
"not judged". All of them count it as an error and log it with its type (the stack only at DEBUG).
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest

from cli.main import main
from cli.stream_events import LocalLambdaContext
from domain.cove.llm import LLMUnavailable
from domain.cove.settings import LLMSettings
from domain.cove.verifier import build_verifier
from domain.model import Answer, ReceiptContext, ReceiptMetadata, ReceiptRef, ReceiptWordLabel, ValidationStatus
from domain.service import validate_metadata, validate_receipt
from stream_handlers import handler
from stream_handlers.validation import ServiceValidation, use_validation
from sweepers import pending
from sweepers.local_context import LocalContext
from sweepers.payload import SweepPayload
from sweepers.runner import run_sweep
from tests.fakes.checks import StubChecks, code
from tests.fakes.receipts import grocery
from tests.fakes.store import FakeReceiptRepository
from tests.unit.stream.records_factory import label_record

BUG = "unsupported operand type(s) for +: 'decimal.Decimal' and 'str'"
DECIDED = StubChecks({"9/2/GRAND_TOTAL": [code(Answer.SUPPORTS, decisive=True)]})
OTHER_IMAGE = "5b7e4c1a-1f0e-4a55-8c3d-7a9e2b6f0c42"


class BuggyChecks(StubChecks):
    """The stub checks, except that they raise a TypeError (a bug) for the receipts named."""

    def __init__(self, broken: set[ReceiptRef]) -> None:
        super().__init__(DECIDED.evidence)
        self.broken = broken

    def evaluate(self, context: ReceiptContext, claims: list[ReceiptWordLabel]) -> dict[str, Any]:
        if context.ref in self.broken:
            raise TypeError(BUG)
        return super().evaluate(context, claims)


def verifier_with_bug_for(*broken: ReceiptRef) -> Any:
    checks = BuggyChecks(set(broken))
    return build_verifier(LLMSettings(provider="none"), evaluate=checks.evaluate, rules_decision=checks.rules_decision)


class LLMDown:
    def verify(self, context: ReceiptContext, claims: list[ReceiptWordLabel]) -> Any:
        raise LLMUnavailable("unreachable", "connection refused", attempts=4)


def statuses(store: FakeReceiptRepository, ref: ReceiptRef) -> set[ValidationStatus]:
    return {lb.validation_status for lb in store.contexts[ref].labels}


# -- expected failures: not done, every label as it was -----------------------------------------------------------


def test_an_llm_failure_leaves_every_label_as_it_was_and_fails_the_receipt() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    report = validate_receipt(store, ctx.ref, verifier=LLMDown())
    assert report.failed and report.error_messages[0].startswith(f"verify {ctx.ref}: LLMUnavailable: unreachable")
    assert report.left_pending == report.labels_seen == len(ctx.labels)
    assert not store.wrote_anything and statuses(store, ctx.ref) == {ValidationStatus.PENDING}


def test_dynamodb_failures_leave_every_label_as_it_was_and_fail_the_receipt() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    store.fail_loads = True
    load = validate_receipt(store, ctx.ref, verifier=verifier_with_bug_for())
    assert load.failed and "ClientError" in load.error_messages[0]
    store.fail_loads, store.fail_writes = False, True
    write = validate_receipt(store, ctx.ref, verifier=verifier_with_bug_for())
    assert write.failed and write.valid == 1 and write.writes == 0 and "ClientError" in write.error_messages[0]
    store.fail_loads = True
    metadata = validate_metadata(store, ctx.ref, evaluate_metadata=lambda _: {"merchant_name": []})
    assert metadata.failed and "ClientError" in metadata.error_messages[0]
    assert not store.wrote_anything and statuses(store, ctx.ref) == {ValidationStatus.PENDING}


# -- a bug surfaces out of the service ----------------------------------------------------------------------------


def test_a_bug_in_a_check_is_raised_not_retried_later() -> None:
    ctx = grocery()
    store = FakeReceiptRepository(ctx)
    with pytest.raises(TypeError, match="unsupported operand"):
        validate_receipt(store, ctx.ref, verifier=verifier_with_bug_for(ctx.ref))
    assert not store.wrote_anything


def test_a_bug_in_the_metadata_checks_is_raised() -> None:
    ctx = grocery()
    ctx.metadata = ReceiptMetadata(
        image_id=ctx.ref.image_id, receipt_id=ctx.ref.receipt_id, merchant_name="Trader Joe's"
    )

    def buggy(_: ReceiptContext) -> dict[str, Any]:
        raise TypeError(BUG)

    with pytest.raises(TypeError):
        validate_metadata(FakeReceiptRepository(ctx), ctx.ref, evaluate_metadata=buggy)


def test_a_bug_in_one_write_is_raised_once_the_other_writes_ended() -> None:
    decides_two = StubChecks(
        {"9/2/GRAND_TOTAL": [code(Answer.SUPPORTS, decisive=True)], "8/2/TAX": [code(Answer.REFUTES, decisive=True)]}
    )
    ctx = grocery()

    class BuggyWrite(FakeReceiptRepository):
        def apply_verdict(self, verdict: Any, expected_status: ValidationStatus) -> bool:
            if verdict.label.claim_id == "8/2/TAX":
                raise AttributeError("'NoneType' object has no attribute 'value'")
            return super().apply_verdict(verdict, expected_status)

    store = BuggyWrite(ctx)
    verifier = build_verifier(
        LLMSettings(provider="none"), evaluate=decides_two.evaluate, rules_decision=decides_two.rules_decision
    )
    with pytest.raises(AttributeError):
        validate_receipt(store, ctx.ref, verifier=verifier)
    assert store.status(ctx.ref, "9/2/GRAND_TOTAL") is ValidationStatus.VALID  # the other write still landed
    assert store.status(ctx.ref, "8/2/TAX") is ValidationStatus.PENDING


# -- the doors: not done for that receipt only, counted, logged with its type --------------------------------------


def test_the_stream_handler_fails_that_receipts_records_only_and_logs_the_bug_with_its_type() -> None:
    good, bad = grocery(image_id=OTHER_IMAGE), grocery()
    store = FakeReceiptRepository(good, bad)
    good_record, bad_record = label_record(image_id=OTHER_IMAGE), label_record()
    use_validation(ServiceValidation(store, verifier_with_bug_for(bad.ref)))
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            response = handler.lambda_handler({"Records": [good_record, bad_record]}, LocalLambdaContext())
    finally:
        use_validation(None)

    assert response == {"batchItemFailures": [{"itemIdentifier": bad_record["dynamodb"]["SequenceNumber"]}]}
    summary = handler.last_invocation_summary()
    assert summary is not None and summary.failed_receipts == 1 and summary.totals()["errors"] == 1
    assert statuses(store, bad.ref) == {ValidationStatus.PENDING}
    assert ValidationStatus.VALID in statuses(store, good.ref)
    logged = [json.loads(line) for line in out.getvalue().splitlines() if line.startswith("{")]
    raised = [doc for doc in logged if doc.get("message") == "receipt_raised"]
    assert [(doc["level"], doc["error"], doc["receipt"]) for doc in raised] == [("ERROR", "TypeError", str(bad.ref))]
    assert "exception" not in raised[0] and "Traceback" not in out.getvalue()  # the stack only at DEBUG
    emf = [doc for doc in logged if "_aws" in doc]
    assert emf[0]["ReceiptsFailed"] in (1.0, [1.0]) and emf[0]["Errors"] in (1.0, [1.0])


def test_a_sweep_counts_the_receipt_as_failed_and_logs_the_bug_with_its_type(caplog: pytest.LogCaptureFixture) -> None:
    good, bad = grocery(image_id=OTHER_IMAGE), grocery()
    store = FakeReceiptRepository(good, bad)
    caplog.set_level(logging.DEBUG, logger="sweepers.runner")
    sweep = pending.build(verifier_with_bug_for(bad.ref))

    summary = run_sweep(sweep, SweepPayload(receipts=[good.ref, bad.ref]), store, LocalContext(600))

    assert summary.failed_receipts == [{"receipt": str(bad.ref), "error": f"TypeError: {BUG}"}]
    assert summary.counts["errors"] == 1 and summary.counts["valid"] == 1
    assert statuses(store, bad.ref) == {ValidationStatus.PENDING}
    raised = [r for r in caplog.records if r.name == "sweepers.runner" and r.getMessage() == "receipt raised"]
    assert [(r.levelno, getattr(r, "error", None), r.exc_info is None) for r in raised] == [
        (logging.ERROR, "TypeError", True),
        (logging.DEBUG, None, False),  # the stack, at DEBUG
    ]


def test_check_writes_a_buggy_receipts_labels_as_not_judged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from domain import checks
    from domain.bundles import context_to_bundle

    def buggy(context: ReceiptContext, claims: list[ReceiptWordLabel]) -> dict[str, Any]:
        raise TypeError(BUG)

    monkeypatch.setattr(checks, "evaluate_claims", buggy)
    ctx = grocery()
    bundle = tmp_path / "one.jsonl"
    bundle.write_text(json.dumps(context_to_bundle(ctx)) + "\n", encoding="utf-8")

    assert main(["check", str(bundle), "--llm", "none", "--json"]) == 1

    captured = capsys.readouterr()
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert {r["validation_status"] for r in records} == {"PENDING"} and len(records) == len(ctx.labels)
    assert all(r["reasoning"] == f"not judged: TypeError: {BUG}" for r in records)
    assert f"failed: {ctx.ref}: TypeError: {BUG}" in captured.err
    summary = json.loads(captured.err.splitlines()[0])
    assert summary["errors"] == 1 and summary["left_pending"] == len(ctx.labels)
