"""Fuzzing the deterministic checks and the rules-only service with OCR text of any kind.

Unicode of every script, digits in odd places, huge words, empty receipts, labels on words that are not there, and
5,000-word receipts: `evaluate` + `rules_decision` and `validate_receipt` must never raise, and a rule verdict must
always carry its reasoning and source.
"""

from __future__ import annotations

import time
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.checks import evaluate, evaluate_metadata
from domain.cove.settings import LLMSettings
from domain.cove.verifier import build_verifier
from domain.decision import rules_decision
from domain.labels import ALL_LABELS, LEGACY_ALIASES
from domain.model import (
    BoundingBox,
    Evidence,
    ReceiptContext,
    ReceiptMetadata,
    ReceiptRef,
    ReceiptWord,
    ReceiptWordLabel,
    ValidationStatus,
)
from domain.service import validate_receipt
from tests.fakes.store import FakeReceiptRepository

RULES = build_verifier(LLMSettings(provider="none"))
receipt_words = st.sampled_from(
    ["TOTAL", "SUBTOTAL", "TAX", "VISA", "$", "4.84", "12.40", "0.99", "1,234.56", "-3.00", "15/01/2019", "12:34",
     "(805)", "555-0100", "www.shop.com", "x2", "@", "EUR", "€9,99", "MwSt", "合計", "¥1,080", "٣٫٥٠", "ТОВАР"]
)  # fmt: skip
ocr_text = (
    receipt_words
    | st.text(max_size=12)
    | st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5000)
    | st.from_regex(r"[-+$€£]?\d{1,9}([.,]\d{1,3})*%?", fullmatch=True)
)
word_sized = (
    receipt_words
    | st.from_regex(r"[-+$€£]?\d{1,9}([.,]\d{1,3})*%?", fullmatch=True)
    | st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=24)
)
label_name = st.sampled_from([*ALL_LABELS, *LEGACY_ALIASES, "NOT_A_LABEL"])
unit = st.floats(0, 1, allow_nan=False)
box = st.builds(BoundingBox, x=unit, y=unit, width=unit, height=unit)


@st.composite
def receipts(draw: st.DrawFn, max_lines: int = 25, max_words: int = 8) -> ReceiptContext:
    image_id = str(uuid.uuid4())
    lines = draw(st.lists(st.lists(ocr_text, min_size=0, max_size=max_words), max_size=max_lines))
    words = [
        ReceiptWord(
            image_id=image_id,
            receipt_id=1,
            line_id=i,
            word_id=j,
            text=t,
            bounding_box=draw(st.none() | box),
            confidence=draw(st.none() | unit),
        )
        for i, line in enumerate(lines, start=1)
        for j, t in enumerate(line, start=1)
    ]
    keys = [(w.line_id, w.word_id) for w in words] or [(1, 1)]
    targets = draw(
        st.lists(
            st.tuples(st.sampled_from(keys) | st.tuples(st.integers(0, 99), st.integers(0, 99)), label_name),
            max_size=15,
        )
    )
    labels = {
        (line_id, word_id, name): ReceiptWordLabel(
            image_id=image_id, receipt_id=1, line_id=line_id, word_id=word_id, label=name
        )
        for (line_id, word_id), name in targets
    }
    metadata = None
    if draw(st.booleans()):
        metadata = ReceiptMetadata(
            image_id=image_id,
            receipt_id=1,
            merchant_name=draw(st.none() | ocr_text),
            phone_number=draw(st.none() | ocr_text),
            address=draw(st.none() | ocr_text),
        )
    return ReceiptContext(
        ref=ReceiptRef(image_id=image_id, receipt_id=1), words=words, labels=list(labels.values()), metadata=metadata
    )


def check_rules(context: ReceiptContext) -> None:
    for label in context.labels:
        evidence = evaluate(context, label)
        assert all(isinstance(e, Evidence) for e in evidence)
        decided = rules_decision(label, evidence)
        if decided is not None:
            status, reasoning, source = decided
            assert status in (ValidationStatus.VALID, ValidationStatus.INVALID)
            assert reasoning.strip() and source.startswith("rule:")
    if context.metadata is not None:
        evaluate_metadata(context)


def check_service(context: ReceiptContext) -> None:
    store = FakeReceiptRepository(context)
    report = validate_receipt(store, context.ref, verifier=RULES)
    assert report.errors == 0, report.error_messages
    assert report.labels_seen == len(context.labels)
    assert report.valid + report.invalid + report.needs_review + report.left_pending == report.labels_seen
    for verdict in store.writes:
        assert verdict.reasoning.strip() and verdict.validated_by.startswith("rule:")


@settings(max_examples=200, deadline=None)
@given(receipts())
def test_checks_never_raise_and_rule_verdicts_carry_reasoning(context: ReceiptContext) -> None:
    check_rules(context)


@settings(max_examples=100, deadline=None)
@given(receipts())
def test_rules_only_service_never_raises_nor_errs(context: ReceiptContext) -> None:
    check_service(context)


def test_an_empty_receipt_and_labels_on_missing_words() -> None:
    image_id = str(uuid.uuid4())
    labels = [ReceiptWordLabel(image_id=image_id, receipt_id=1, line_id=1, word_id=1, label=n) for n in ALL_LABELS]
    context = ReceiptContext(ref=ReceiptRef(image_id=image_id, receipt_id=1), labels=labels)
    check_rules(context)
    check_service(context)


@pytest.mark.slow
@settings(max_examples=5, deadline=None)
@given(
    st.lists(word_sized, min_size=1, max_size=60), st.lists(st.tuples(st.integers(0, 4999), label_name), max_size=60)
)
def test_five_thousand_word_receipts(texts: list[str], targets: list[tuple[int, str]]) -> None:
    """5,000 words of word-sized text (drawn texts tiled, one more amount per row) with labels anywhere are verified,
    not choked on; the time is printed. Huge words are fuzzed on ordinary receipts above: a 5,000-word receipt of
    5,000-character words is megabytes of OCR text."""
    image_id = str(uuid.uuid4())
    words = []
    for n in range(5000):
        line_id, word_id = n // 10 + 1, n % 10 + 1
        text = texts[n % len(texts)] if word_id < 10 else f"{n % 97}.{n % 100:02d}"
        words.append(ReceiptWord(image_id=image_id, receipt_id=1, line_id=line_id, word_id=word_id, text=text))
    labels = {
        (words[i].line_id, words[i].word_id, name): ReceiptWordLabel(
            image_id=image_id, receipt_id=1, line_id=words[i].line_id, word_id=words[i].word_id, label=name
        )
        for i, name in targets
    }
    context = ReceiptContext(ref=ReceiptRef(image_id=image_id, receipt_id=1), words=words, labels=list(labels.values()))
    started = time.perf_counter()
    check_service(context)
    print(f"\n5000 words, {len(context.labels)} labels: {time.perf_counter() - started:.2f}s")


@pytest.mark.slow
def test_a_long_receipt_whose_totals_do_not_add_up_is_checked_in_bounded_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Found by the 5,000-word fuzzing: when no subtotal is proven, `amounts.solve` tries every amount of the lower
    half as the subtotal, with every pair of later amounts as extras, and scans the later amounts again for the total:
    O(n^4) in the amounts. 800 words (160 item lines, four prices each, none adding up) took ~38 s here, 400 words
    ~4 s; a 5,000-word receipt would take hours, far past any Lambda timeout. The work is counted here, not timed:
    the totals block is bounded, so the search tries a constant number of candidates whatever the receipt's length."""
    image_id = str(uuid.uuid4())
    words = []
    for i in range(160):
        words.append(ReceiptWord(image_id=image_id, receipt_id=1, line_id=i + 1, word_id=1, text=f"ITEM{i}"))
        for j in range(4):
            cents = 1000 + ((i * 4 + j) * 7919) % 999  # every price within 10.00..19.99: no two add up to a third
            text = f"{cents // 100}.{cents % 100:02d}"
            words.append(ReceiptWord(image_id=image_id, receipt_id=1, line_id=i + 1, word_id=j + 2, text=text))
    label = ReceiptWordLabel(image_id=image_id, receipt_id=1, line_id=160, word_id=5, label="GRAND_TOTAL")
    context = ReceiptContext(ref=ReceiptRef(image_id=image_id, receipt_id=1), words=words, labels=[label])

    from domain.checks.reading import arithmetic as amounts

    tried = 0
    real_combinations = amounts.combinations

    def counting(items, n):  # counts the candidate (subtotal, extras) sets the search tries: work, not seconds
        nonlocal tried
        for combo in real_combinations(items, n):
            tried += 1
            yield combo

    monkeypatch.setattr(amounts, "combinations", counting)
    evaluate(context, label)
    bound = amounts.MAX_SUMMARY_AMOUNTS
    assert 0 < tried <= bound * (bound + bound * (bound - 1) // 2)  # was ~ n^3 / 2 with n = 640 amounts
