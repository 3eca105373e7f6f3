"""The metric the partial-failure alarm watches: the stream handler's RecordsFailed, under the `service` dimension
the alarm names (infra/alarms.py: stream_failures_alarm), equal to the records it reported in batchItemFailures."""

from __future__ import annotations

import io
import json
import os
from typing import Any

from domain import keys
from domain.store.repository import DynamoReceiptRepository
from domain.telemetry import metric_name
from stream_handlers.validation import ServiceValidation, use_validation
from tests.unit.stream.test_handler import FlakyVerifier, invoke


def test_partial_batch_failures_are_a_metric_with_the_alarms_dimension(
    stream_store: DynamoReceiptRepository, verifier: Any, import_receipts, stream_records
) -> None:
    good, bad = import_receipts(2)
    use_validation(ServiceValidation(stream_store, FlakyVerifier(verifier, bad)))
    records = [r for r in stream_records() if r["dynamodb"]["NewImage"]["TYPE"]["S"] == keys.TYPE_LABEL]
    output = io.StringIO()

    response = invoke(records, output)
    good_only = [r for r in records if r["dynamodb"]["Keys"]["PK"]["S"] == keys.image_pk(good.image_id)]
    assert invoke(good_only, output) == {"batchItemFailures": []}  # an invocation without failures reports 0

    failed = len(response["batchItemFailures"])
    assert failed > 0
    emf = [json.loads(line) for line in output.getvalue().splitlines() if line.startswith("{") and "_aws" in line]
    assert [doc[metric_name("records_failed")] for doc in emf] == [[float(failed)], [0.0]]
    assert metric_name("records_failed") == "RecordsFailed"
    directive = emf[0]["_aws"]["CloudWatchMetrics"][0]
    assert ["service"] in directive["Dimensions"] and emf[0]["service"] == os.environ["POWERTOOLS_SERVICE_NAME"]
    assert directive["Namespace"] == os.environ["POWERTOOLS_METRICS_NAMESPACE"]
