"""Wrong labels, injected on purpose, with the truth kept beside each one.

Each kind imitates a mistake a labeler really makes; every injected label is wrong by construction: it never lands
on a word whose role (or a defensible alternative in `Word.also`) is that label, and money labels never land on an
amount equal to one that truly carries the label, so no injected error is arguably right.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from domain.labels import ALL_LABELS
from samples.layout import FAMILIES, Word

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
_FLOOR = 0.12
_SUBTLE = 0.15  # share of injections that pick a named confusion first
_MOVABLE = frozenset({"SUBTOTAL", "GRAND_TOTAL", "TAX", "TIP", "CHANGE", "CASH_BACK", "REFUND"})


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


class _Pools:
    """The words of one receipt grouped once, so a wrong label finds a home by a few random draws."""

    def __init__(self, words: list[Word]) -> None:
        self.words = words
        self.money = [w for w in words if w.family == "money"]
        self.by_role: dict[str, list[Word]] = {}
        self.by_cue: dict[str, list[Word]] = {}
        for w in words:
            if w.role:
                self.by_role.setdefault(w.role, []).append(w)
            if w.cue:
                self.by_cue.setdefault(w.cue, []).append(w)

    def base(self, kind: str, label: str) -> list[Word]:
        if kind == "wrong_word":
            return self.money if FAMILIES[label] == "money" else self.words
        if kind == "wrong_type":
            return self.words
        if kind == "keyword_as_value":
            return self.by_cue.get(label, [])
        return self.by_role.get(_SWAP_SOURCE[kind], [])


def _draw(
    kind: str,
    label: str,
    pools: _Pools,
    labels: dict[tuple[int, int], Entry],
    wrong: set[tuple[int, int]],
    values: dict[str, set[Decimal]],
    rng: random.Random,
) -> Word | None:
    """A word where `label` is wrong; words that already carry a label are preferred (a replaced label)."""
    base = pools.base(kind, label)
    family = FAMILIES[label]
    for _ in range(24 if base else 0):
        w = rng.choice(base)
        if w.pos in wrong or (kind == "wrong_type" and w.family == family) or not _fits(w, label, values):
            continue
        if w.pos not in labels and rng.random() < 0.75:
            continue
        return w
    return None


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
    sources = {w.role for w in words if w.role}
    cues = {w.cue for w in words if w.cue}
    swaps = [kind for kind, src, _ in SWAPS if src in sources]
    present = Counter(e.label for e in labels.values())
    # Wrong labels of each type roughly in proportion to its correct ones (so no type is mostly wrong),
    # with a floor so that rare types (CASH_BACK, REFUND) get wrong instances too.
    label_weights = [present[label] + _FLOOR for label in ALL_LABELS]
    values: dict[str, set[Decimal]] = {label: set(v) for label, v in (known or {}).items()}
    for w in words:
        if w.role and w.value is not None:
            values.setdefault(w.role, set()).add(w.value)
    wrong: set[tuple[int, int]] = set()
    pools = _Pools(words)
    done = 0
    while done < wanted:
        done += 1
        for _attempt in range(12):
            if swaps and rng.random() < _SUBTLE:  # a named confusion, whatever its label
                kind = rng.choice(swaps)
                label = _SWAP_LABEL[kind]
            else:
                label = rng.choices(ALL_LABELS, label_weights)[0]
                kinds = [("wrong_word", 5.0), ("wrong_type", 3.0)]
                if label in cues:
                    kinds.append(("keyword_as_value", 1.5))
                kinds += [(kind, 3.0) for kind, src, lb in SWAPS if lb == label and src in sources]
                kind = rng.choices([k for k, _ in kinds], [wt for _, wt in kinds])[0]
            word = _draw(kind, label, pools, labels, wrong, values, rng)
            if word is None:
                continue
            if word.pos not in labels:  # one label more: it too counts towards the share
                wanted += rng.random() < share
            labels[word.pos] = Entry(label, False, kind, word.role)
            wrong.add(word.pos)
            if kind == "wrong_word" and label in _MOVABLE and rng.random() < 0.3:
                for w in words:  # the label moved: its true word lost it
                    if w.role == label and w.pos in labels and labels[w.pos].correct:
                        del labels[w.pos]
                        wanted -= rng.random() < share
            break
    return labels
