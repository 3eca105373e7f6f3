"""A receipt's verdicts written overlapped keep every guarantee of one-after-another writes, label by label.

On moto and on DynamoDB Local (`store` fixture): a receipt with many PENDING labels, of which, between the read and the
writes, a person settles one, the pipeline re-proposes another, and a third write fails outright. With the write pool
at 1 (sequential) and at 8 (overlapped) the outcome must be the same: the two changed labels keep what was written
meanwhile (lost races), the failed one stays PENDING (an error), every other label gets its verdict, one write each.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from domain import keys, write_pool
from domain.bundles import context_from_bundle
from domain.model import ReceiptRef, ValidationStatus
from domain.service import validate_receipt
from domain.store.repository import DynamoReceiptRepository
from tests.fakes.receipts import IMAGE
from tests.table_reads import raw_item
from tests.unit.store.test_integrity import Decides, Interleaved, _update

REF = ReceiptRef(image_id=IMAGE, receipt_id=1)
WORDS = 24


def _many_labels() -> dict[str, Any]:
    words = [{"line_id": 1 + i // 6, "word_id": 1 + i % 6, "text": f"w{i}"} for i in range(WORDS)]
    labels = [
        {"line_id": w["line_id"], "word_id": w["word_id"], "label": "PRODUCT_NAME", "validation_status": "PENDING"}
        for w in words
    ]
    return {"image_id": IMAGE, "receipt_id": 1, "words": words, "labels": labels}


def _sk(line: int, word: int) -> str:
    return keys.label_sk(1, line, word, "PRODUCT_NAME")


PERSON_SK, REPROPOSED_SK, FAILING_SK = _sk(1, 2), _sk(2, 3), _sk(4, 6)


class FailsOne:
    """The store, except that the UpdateItem of one label raises (a DynamoDB fault on that write only)."""

    def __init__(self, store: Any, sk: str):
        self.store, self.sk = store, sk

    def apply_verdict(self, verdict: Any, expected_status: Any) -> bool:
        if keys.label_sk(1, verdict.label.line_id, verdict.label.word_id, verdict.label.label) == self.sk:
            error = {"Code": "ProvisionedThroughputExceededException", "Message": "throttled"}
            raise ClientError({"Error": error}, "UpdateItem")
        return self.store.apply_verdict(verdict, expected_status)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


@pytest.mark.parametrize("bound", [1, 8])
def test_overlapped_writes_keep_each_labels_own_outcome(
    store: DynamoReceiptRepository, monkeypatch, bound: int
) -> None:
    monkeypatch.setenv(write_pool.ENV_WRITE_CONCURRENCY, str(bound))
    store.write_contexts([context_from_bundle(_many_labels())])
    person = {"validation_status": "VALID", "validated_by": "human:dana"}
    proposal = {"label_proposed_by": "ocr-labeler-v2"}

    def meanwhile() -> None:
        _update(store, PERSON_SK, person)
        _update(store, REPROPOSED_SK, proposal)

    racing = FailsOne(Interleaved(store, meanwhile), FAILING_SK)
    report = validate_receipt(racing, REF, mode="pending", verifier=Decides(ValidationStatus.INVALID))

    assert report.labels_seen == WORDS
    assert report.lost_races == 2 and report.errors == 1 and report.writes == WORDS - 3
    assert {k: raw_item(store, PERSON_SK)[k]["S"] for k in person} == person
    reproposed = raw_item(store, REPROPOSED_SK)
    assert (
        reproposed["validation_status"]["S"] == "PENDING" and reproposed["label_proposed_by"]["S"] == "ocr-labeler-v2"
    )
    assert raw_item(store, FAILING_SK)["validation_status"]["S"] == "PENDING"
    decided = [lb for lb in store.load_receipt(REF).labels if lb.validation_status is ValidationStatus.INVALID]
    assert len(decided) == WORDS - 3 and all(lb.validated_by == "rule:test" for lb in decided)
    assert all(
        raw_item(store, _sk(lb.line_id, lb.word_id))["GSI3PK"]["S"] == "VALIDATION_STATUS#INVALID" for lb in decided
    )
