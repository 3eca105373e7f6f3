"""LLM faults on the stream path, end to end: the real checks, the real ChatOllama client, a moto table.

The fake Ollama server times out, answers 429 or 500, breaks its stream, or sends JSON that is malformed or off the
schema. Whatever it does, the labels end decided by code evidence alone (exactly what the rules decide) or PENDING,
the receipt's records are retried, and once the model is back the retry finishes the job without rewriting anything.
"""

from __future__ import annotations

from typing import Any

import pytest

from domain import keys
from domain.cove.limiter import Limiter
from domain.cove.settings import LLMSettings
from domain.cove.verifier import Verifier, build_verifier
from domain.model import ValidationStatus
from domain.store.repository import DynamoReceiptRepository
from stream_handlers import handler
from stream_handlers.validation import ServiceValidation, use_validation
from tests.fakes.ollama_server import FAULTS, FakeOllama, truth_responder
from tests.fakes.receipts import GROCERY_TRUTH, grocery
from tests.reliability.dynamo_faults import DynamoFaults
from tests.reliability.stream_io import failed_seqs, invoke, seqs_of, stream_records
from tests.reliability.table_state import LabelKey, assert_sound, label_keys_of, label_rows


def llm_verifier(fake: FakeOllama) -> Verifier:
    """The real client on the fake server: short timeout, one retry, tiny backoff (its own limiter)."""
    settings = LLMSettings(
        provider="ollama",
        host=fake.url,
        model=fake.model,
        timeout_s=0.4,
        max_retries=1,
        backoff_base_s=0.01,
        backoff_max_s=0.02,
        max_concurrency=4,
        requests_per_second=1000.0,
    )
    return build_verifier(settings, limiter=Limiter(settings.max_concurrency, settings.requests_per_second))


def rules_only(store: DynamoReceiptRepository, verifier: Any) -> dict[LabelKey, str]:
    context = store.load_receipt(grocery().ref)
    assert context is not None
    result = verifier.verify(context, context.labels)
    return {
        (keys.image_pk(v.label.image_id), keys.label_sk(1, v.label.line_id, v.label.word_id, v.label.label)): (
            v.status.value
        )
        for v in result.verdicts
    }


@pytest.mark.slow
@pytest.mark.parametrize("fault", FAULTS)
def test_llm_fault_decides_only_what_code_decides_and_the_retry_finishes(
    table: DynamoReceiptRepository, rules_verifier: Any, fake_ollama: FakeOllama, fault: str
) -> None:
    context = grocery(wrong={(7, 2): "GRAND_TOTAL", (4, 1): "TIME"})
    table.write_contexts([context])
    expected = label_keys_of([context])
    by_rules = rules_only(table, rules_verifier)
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    fake_ollama.fault, fake_ollama.sleep_s = fault, 1.0
    use_validation(ServiceValidation(table, llm_verifier(fake_ollama)))
    records = stream_records(table, only_labels=True)
    writes = DynamoFaults(table.client)

    response = invoke(records)

    assert fake_ollama.calls > 0, "the receipt must need the LLM for this test to mean anything"
    assert failed_seqs(response) == seqs_of(records, context.ref)
    state = assert_sound(table, expected)
    rows = label_rows(table)
    for key, row in rows.items():
        status = row["validation_status"]
        if status in ("VALID", "INVALID"):  # decided by code alone, exactly as the rules decide
            assert by_rules[key] == status, (key, status)
            assert row["validated_by"].startswith("rule:"), row["validated_by"]
        elif status == "NEEDS_REVIEW":  # only self-contradicting code evidence may ask for a person
            assert row["validated_by"] == "rule:conflict", row
    assert all(by_rules[k] == "PENDING" or k not in state.pending for k in expected)
    totals = handler.last_invocation_summary().totals()
    assert totals["errors"] >= 1 and totals["left_pending"] == len(state.pending)
    assert totals["llm_calls"] == fake_ollama.calls

    fake_ollama.fault = None  # the model is back; Lambda retries the failed records
    retry = [r for r in records if r["dynamodb"]["SequenceNumber"] in failed_seqs(response)]
    assert invoke(retry) == {"batchItemFailures": []}
    final = assert_sound(table, expected)
    assert len(final.pending) == handler.last_invocation_summary().totals()["left_pending"]
    assert len(final.pending) < len(state.pending)  # the LLM's answers decided more
    assert writes.rewritten() == {}
    rows = label_rows(table)
    assert rows[(keys.image_pk(context.ref.image_id), keys.label_sk(1, 7, 2, "GRAND_TOTAL"))]["validation_status"] in (
        ValidationStatus.INVALID.value,
        ValidationStatus.NEEDS_REVIEW.value,
    )


def test_a_429_burst_within_the_retry_budget_is_invisible(
    table: DynamoReceiptRepository, fake_ollama: FakeOllama
) -> None:
    context = grocery()
    table.write_contexts([context])
    fake_ollama.responder = truth_responder(GROCERY_TRUTH)
    fake_ollama.fault, fake_ollama.fault_times = "429", 1
    use_validation(ServiceValidation(table, llm_verifier(fake_ollama)))

    assert invoke(stream_records(table, only_labels=True)) == {"batchItemFailures": []}
    totals = handler.last_invocation_summary().totals()
    assert totals["errors"] == 0 and totals["left_pending"] == 0
    state = assert_sound(table, label_keys_of([context]))
    assert state.counts["VALID"] == len(context.labels)
