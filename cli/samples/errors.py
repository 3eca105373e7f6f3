"""Wrong labels, injected on purpose, with the truth kept beside each one.

Each kind imitates a mistake a labeler really makes; every injected label is wrong by construction: it never lands
on a word whose role (or a defensible alternative in `Word.also`) is that label, and money labels never land on an
amount equal to one that truly carries the label, so no injected error is arguably right.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

from cli.samples.layout import FAMILIES, Word
from domain.labels import ALL_LABELS

# (kind, role of the word, label put on it): confusions between neighbours.
SWAPS: tuple[tuple[str, str, str], ...] = (
    ("subtotal_as_total", "SUBTOTAL", "GRAND_TOTAL"),
    ("tax_as_total", "TAX", "GRAND_TOTAL"),
    ("total_as_subtotal", "GRAND_TOTAL", "SUBTOTAL"),
    ("unit_price_as_line_total", "UNIT_PRICE", "LINE_TOTAL"),
    ("line_total_as_unit_price", "LINE_TOTAL", "UNIT_PRICE"),
    ("date_as_time", "DATE", "TIME"),
    ("time_as_date", "TIME", "DATE"),
    ("quantity_as_unit_price", "QUANTITY", "UNIT_PRICE"),
    ("change_as_cash_back", "CHANGE", "CASH_BACK"),
    ("tip_as_tax", "TIP", "TAX"),
    ("discount_as_line_total", "DISCOUNT", "LINE_TOTAL"),
    ("product_as_merchant", "PRODUCT_NAME", "MERCHANT_NAME"),
)
GENERIC_KINDS: tuple[str, ...] = ("wrong_word", "wrong_type", "keyword_as_value")
_SWAP_SOURCE: dict[str, str] = {kind: src for kind, src, _ in SWAPS}
_SWAP_LABEL: dict[str, str] = {kind: label for kind, _, label in SWAPS}
ERROR_KINDS: tuple[str, ...] = GENERIC_KINDS + tuple(kind for kind, _, _ in SWAPS)
_WEIGHTS: dict[str, float] = {"wrong_word": 5.0, "wrong_type": 4.0, "keyword_as_value": 1.0}


@dataclass
class Entry:
    """A label as it will be written, and what is true about it."""

    label: str
    correct: bool
    error_kind: str | None
    true_label: str | None


def correct_labels(words: list[Word]) -> dict[tuple[int, int], Entry]:
    return {w.pos: Entry(w.role, True, None, w.role) for w in words if w.labelled and w.role}


def _fits(word: Word, label: str, values: dict[str, set[Decimal]]) -> bool:
    """True when `label` on `word` is unambiguously wrong."""
    if word.role == label or label in word.also:
        return False
    return word.value is None or word.value not in values.get(label, ()) or FAMILIES.get(label) != "money"


def _candidates(
    kind: str, label: str, words: list[Word], wrong: set[tuple[int, int]], values: dict[str, set[Decimal]]
) -> list[Word]:
    if kind == "wrong_word":
        money = FAMILIES[label] == "money"
        pool = [w for w in words if w.family == "money"] if money else words
    elif kind == "wrong_type":
        family = FAMILIES[label]
        pool = [w for w in words if w.family != family]
    elif kind == "keyword_as_value":
        pool = [w for w in words if w.cue == label]
    else:
        source = _SWAP_SOURCE[kind]
        pool = [w for w in words if w.role == source]
    return [w for w in pool if w.pos not in wrong and _fits(w, label, values)]


def inject(
    words: list[Word],
    labels: dict[tuple[int, int], Entry],
    share: float,
    rng: random.Random,
    known: dict[str, set[Decimal]] | None = None,
) -> dict[tuple[int, int], Entry]:
    """Turns about `share` of the labels wrong (binomially per receipt), mostly by replacing a correct label,
    sometimes by labelling an unlabelled word; a moved total sometimes leaves its true word unlabelled.
    `known`: values of amounts by label even where not printed (a subtotal equal to the only line total)."""
    wanted = sum(rng.random() < share for _ in range(len(labels)))
    swaps_here = [kind for kind, src, _ in SWAPS if any(w.role == src for w in words)]
    cues = sorted({w.cue for w in words if w.cue})
    kinds = [k for k in GENERIC_KINDS if k != "keyword_as_value" or cues] + swaps_here
    weights = [_WEIGHTS.get(kind, 1.0) for kind in kinds]
    values: dict[str, set[Decimal]] = {label: set(v) for label, v in (known or {}).items()}
    for w in words:
        if w.role and w.value is not None:
            values.setdefault(w.role, set()).add(w.value)
    wrong: set[tuple[int, int]] = set()
    for _ in range(wanted):
        for _attempt in range(12):
            kind = rng.choices(kinds, weights)[0]
            label = rng.choice(cues) if kind == "keyword_as_value" else _SWAP_LABEL.get(kind, "")
            label = label or rng.choice(ALL_LABELS)
            pool = _candidates(kind, label, words, wrong, values)
            if not pool:
                continue
            labelled = [w for w in pool if w.pos in labels]
            word = rng.choice(labelled if labelled and rng.random() < 0.8 else pool)
            labels[word.pos] = Entry(label, False, kind, word.role)
            wrong.add(word.pos)
            if kind == "wrong_word" and rng.random() < 0.3:
                for w in words:
                    if w.role == label and w.pos in labels and labels[w.pos].correct:
                        del labels[w.pos]
            break
    return labels
