"""Segments of a GSI3 status partition, on moto and DynamoDB Local: every label is listed exactly once across the
segments and their continuations, whatever the image ids look like, and segment cursors are kept in the table."""

from __future__ import annotations

import itertools
import random
import uuid

import pytest

from domain.keys import UnknownSegment, segment_of, segment_range, segments
from domain.model import ReceiptContext, ReceiptRef, ReceiptWordLabel, ValidationStatus

PENDING = ValidationStatus.PENDING


def _image_ids(rng: random.Random) -> list[str]:
    """Ordinary UUIDs (every first hex digit), upper-case ones, and ids right at or beside the segment bounds."""
    ids = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(40)]
    ids += [f"{h}{str(uuid.UUID(int=rng.getrandbits(128)))[1:]}" for h in "0123456789abcdef"]
    ids += [str(uuid.UUID(int=rng.getrandbits(128))).upper() for _ in range(6)]
    ids += ["0", "f", "ff", "!weird", "zz-not-hex", "1"]
    return ids


def _seed(store, rng: random.Random) -> dict[ReceiptRef, int]:
    """Receipts with 1..3 PENDING labels (and a VALID one that must not be listed); returns labels per receipt."""
    expected: dict[ReceiptRef, int] = {}
    contexts = []
    for image_id in _image_ids(rng):
        for receipt_id in (1, 2) if rng.random() < 0.3 else (1,):
            ref = ReceiptRef(image_id=image_id, receipt_id=receipt_id)
            n = rng.randint(1, 3)
            labels = [
                ReceiptWordLabel(
                    image_id=image_id,
                    receipt_id=receipt_id,
                    line_id=1,
                    word_id=w,
                    label="TOTAL",
                    validation_status=PENDING,
                )
                for w in range(1, n + 1)
            ]
            labels.append(
                ReceiptWordLabel(
                    image_id=image_id,
                    receipt_id=receipt_id,
                    line_id=2,
                    word_id=1,
                    label="DATE",
                    validation_status=ValidationStatus.VALID,
                )
            )
            contexts.append(ReceiptContext(ref=ref, labels=labels))
            expected[ref] = n
    store.write_contexts(contexts)
    return expected


def test_segment_names_and_ranges_cover_the_key_space_in_order() -> None:
    names = segments()
    assert names == list("0123456789abcdef")
    assert segment_range("0") == (None, "IMAGE#1")
    assert segment_range("9") == ("IMAGE#9", "IMAGE#a")
    assert segment_range("f") == ("IMAGE#f", None)
    # consecutive: each upper bound is the next lower bound
    for a, b in itertools.pairwise(names):
        assert segment_range(a)[1] == segment_range(b)[0]
    assert segment_of("IMAGE#A1B2") == "9" and segment_of("IMAGE#!x") == "0" and segment_of("IMAGE#zz") == "f"
    with pytest.raises(UnknownSegment):
        segment_range("g")
    assert len(segments(2)) == 256 and segment_range("ff") == ("IMAGE#ff", None)


def test_every_label_listed_exactly_once_across_segments_and_continuations(store) -> None:
    rng = random.Random(12)
    expected = _seed(store, rng)
    seen: dict[ReceiptRef, int] = {}
    continuations = 0
    for segment in segments():
        cursor: str | None = None
        while True:
            # a slice takes a few receipts and stops, as a time-bounded invocation does; small pages too
            listing = store.receipts_in_segment(PENDING, segment, after=cursor, page_size=3)
            budget = rng.randint(1, 4)
            stopped = False
            for taken, found in enumerate(listing, start=1):
                assert segment_of(found.cursor) == segment
                assert found.ref not in seen, f"{found.ref} listed twice"
                seen[found.ref] = found.label_count
                cursor = found.cursor
                if taken == budget:
                    stopped = True
                    break
            if not stopped:
                break
            continuations += 1
    assert continuations > 10
    assert seen == expected
    whole = {p.ref: p.label_count for p in store.receipts_with_status(PENDING)}
    assert whole == expected


def test_a_cursor_outside_the_segment_starts_at_its_beginning_or_yields_nothing(store) -> None:
    rng = random.Random(3)
    expected = _seed(store, rng)
    in_5 = [p.ref for p in store.receipts_in_segment(PENDING, "5")]
    assert in_5 and all(str(r.image_id).startswith("5") for r in in_5)
    behind = [p.ref for p in store.receipts_in_segment(PENDING, "5", after="IMAGE#1")]
    beyond = list(store.receipts_in_segment(PENDING, "5", after="IMAGE#7"))
    assert behind == in_5 and beyond == []
    assert sum(len(list(store.receipts_in_segment(PENDING, s))) for s in segments()) == len(expected)


def test_segment_cursors_are_saved_resumed_and_cleared_in_the_table(store) -> None:
    assert store.load_segment_state("reverify", "a") is None
    store.save_segment_state("reverify", "a", "IMAGE#a1#RECEIPT#00001#~", now="2026-01-01T00:00:00Z")
    state = store.load_segment_state("reverify", "a")
    assert (state.cursor, state.finished, state.updated_at) == (
        "IMAGE#a1#RECEIPT#00001#~",
        False,
        "2026-01-01T00:00:00Z",
    )
    assert store.load_segment_state("pending", "a") is None  # per sweep
    store.save_segment_state("reverify", "a", None)
    state = store.load_segment_state("reverify", "a")
    assert state.cursor is None and state.finished
    store.save_segment_state("metadata", "", "{}")
    assert store.load_segment_state("metadata", "").cursor == "{}"
    # the validator's own items are invisible to every receipt listing
    assert list(store.receipts_with_status(PENDING)) == []
    assert list(store.iter_entities("RECEIPT_WORD_LABEL")) == []
