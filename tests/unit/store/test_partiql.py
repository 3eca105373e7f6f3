"""`domain.store.partiql`: a conditional UpdateItem as a PartiQL UPDATE with the same conditions, token by token."""

from __future__ import annotations

import pytest

from domain.model import ReceiptWordLabel, ValidationStatus, Verdict
from domain.store.conditions import verdict_update
from domain.store.partiql import Untranslatable, update_statement


def _verdict(validated_by: str | None) -> Verdict:
    label = ReceiptWordLabel(
        image_id="0f0e0d0c-0b0a-4988-8776-655443322110",
        receipt_id=1,
        line_id=2,
        word_id=3,
        label="GRAND_TOTAL",
        validation_status=ValidationStatus.PENDING,
        validated_by=validated_by,
        label_proposed_by="ocr-labeler",
        timestamp_added="2026-01-01T00:00:00+00:00",
    )
    return Verdict(label=label, status=ValidationStatus.VALID, reasoning="adds up", validated_by="rule:amounts")


def test_every_set_and_condition_of_the_update_is_in_the_statement_with_its_value_in_order() -> None:
    key, arguments = verdict_update(_verdict(None), ValidationStatus.PENDING, now="2026-02-02T00:00:00+00:00")
    out = update_statement("Receipts", key, arguments)
    statement, parameters = out["Statement"], out["Parameters"]
    assert statement.startswith('UPDATE "Receipts" SET "validation_status" = ? SET "reasoning" = ?')
    assert statement.count("?") == len(parameters)
    where = statement.split(" WHERE ", 1)[1]
    assert where.startswith('"PK" = ? AND "SK" = ? AND (')
    for condition in (
        '"PK" IS NOT MISSING',
        '"validation_status" = ?',
        '("validated_by" IS MISSING OR attribute_type("validated_by", ?))',
        '"label_proposed_by" = ?',
        '"timestamp_added" = ?',
        'NOT begins_with("validated_by", ?)',
    ):
        assert condition in where
    values = [next(iter(p.values())) for p in parameters]
    sets = 7  # validation_status, reasoning, validated_by, validated_at, last_verified_at, GSI3PK, GSI3SK
    assert values[:sets] == [
        next(iter(v.values())) for v in list(arguments["ExpressionAttributeValues"].values())[:sets]
    ]
    assert values[sets : sets + 2] == [key["PK"]["S"], key["SK"]["S"]]
    assert values[sets + 2 :] == ["PENDING", "NULL", "ocr-labeler", "2026-01-01T00:00:00+00:00", "human:"]


def test_a_held_value_is_compared_for_equality() -> None:
    key, arguments = verdict_update(_verdict("rule:dates"), ValidationStatus.PENDING)
    out = update_statement("Receipts", key, arguments)
    assert '"validated_by" = ?' in out["Statement"]
    assert {"S": "rule:dates"} in out["Parameters"]


def test_remove_clauses_and_quotes_in_names_are_kept() -> None:
    arguments = {
        "UpdateExpression": "SET #s0 = :s0 REMOVE #r0",
        "ConditionExpression": "attribute_exists(PK)",
        "ExpressionAttributeNames": {"#s0": 'we"ird', "#r0": "matched_fields"},
        "ExpressionAttributeValues": {":s0": {"S": "x"}},
    }
    out = update_statement("T", {"PK": {"S": "a"}, "SK": {"S": "b"}}, arguments)
    assert (
        out["Statement"]
        == 'UPDATE "T" SET "we""ird" = ? REMOVE "matched_fields" WHERE "PK" = ? AND "SK" = ? AND ("PK" IS NOT MISSING)'
    )
    assert out["Parameters"] == [{"S": "x"}, {"S": "a"}, {"S": "b"}]


@pytest.mark.parametrize(
    ("update", "condition"),
    [
        ("SET #a = :a", "size(#a) > :a"),  # a function it does not translate
        ("SET #a = :a", "contains(#a, :a)"),
        ("SET #a = #a + :a", None),  # arithmetic in SET
        ("ADD #a :a", None),  # an ADD clause
    ],
)
def test_what_it_does_not_know_is_refused_not_guessed(update: str, condition: str | None) -> None:
    arguments = {
        "UpdateExpression": update,
        "ExpressionAttributeNames": {"#a": "a"},
        "ExpressionAttributeValues": {":a": {"N": "1"}},
    }
    if condition:
        arguments["ConditionExpression"] = condition
    with pytest.raises(Untranslatable):
        update_statement("T", {"PK": {"S": "a"}}, arguments)
