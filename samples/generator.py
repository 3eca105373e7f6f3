"""Synthetic receipts with known truth: the numbers first (consistent arithmetic), then the printed receipt,
then its OCR words and labels, then the deliberate label errors, all from one seeded `random.Random`."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from samples import sections
from samples.catalogue import FUELS, FUELS_METRIC, LOCALES, MERCHANTS, PRODUCTS, Merchant, Store, make_store, price
from samples.errors import Entry, correct_labels, inject
from samples.formats import money
from samples.layout import Line, Word, layout
from samples.real_receipt import plan_receipt
from samples.sections import Ctx, Item

PROPOSED_BY = "sample-generator"
SHAPES: tuple[str, ...] = ("classic", "real")
REAL_KEYS = ("rounding", "unrounded", "excl")  # where real-shape receipts print their extra amounts
KINDS: tuple[str, ...] = ("grocery", "restaurant", "fuel", "pharmacy", "hardware", "coffee", "electronics")
_KIND_WEIGHTS = (25, 15, 12, 12, 10, 14, 8)
_BY_KIND: dict[str, tuple[Merchant, ...]] = {k: tuple(m for m in MERCHANTS if m.kind == k) for k in KINDS}
_WEIGHABLE = frozenset({"BANANAS", "AVOCADO", "GALA APPLES", "TOMATOES ON VINE", "CHICKEN BREAST", "Baby Spinach"})
_ITEM_STYLES: dict[str, tuple[str, ...]] = {
    "grocery": ("simple", "below", "inline", "sku", "tabular"),
    "restaurant": ("prefix", "simple", "prefix"),
    "pharmacy": ("simple", "below", "sku", "inline"),
    "hardware": ("sku", "below", "inline", "simple"),
    "coffee": ("prefix", "simple"),
    "electronics": ("sku", "simple", "tabular", "inline"),
}


@dataclass(frozen=True)
class LabelTruth:
    """What is true about one label of the bundle: `true_label` is what the word really is (None if no label fits)."""

    line_id: int
    word_id: int
    label: str
    correct: bool
    error_kind: str | None
    true_label: str | None


@dataclass(frozen=True)
class GeneratedReceipt:
    bundle: dict[str, Any]
    truth: list[LabelTruth]
    metadata_truth: dict[str, bool]
    kind: str
    facts: dict[str, Any] = field(default_factory=dict)  # the numbers and where they are printed (see `_facts`)


def generate_receipts(
    n: int, *, seed: int = 7, wrong_share: float = 0.2, start_receipt_id: int = 1, shape: str = "classic"
) -> list[GeneratedReceipt]:
    """`n` receipts; about `wrong_share` of all labels are wrong. The same seed gives the same receipts.

    `shape`: "classic" (the original set; its output for a seed never changes) or "real" (the conventions of real
    receipts: GST-inclusive and rounded totals, month-name dates, glued OCR words, currency prefixes...)."""
    if not 0.0 <= wrong_share <= 1.0:
        raise ValueError("wrong_share must be within 0..1")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)}, not {shape!r}")
    rng = random.Random(seed)
    one = _receipt if shape == "classic" else _real_receipt
    return [one(rng, start_receipt_id + i, wrong_share) for i in range(n)]


def write_bundles(path: str | Path, receipts: list[GeneratedReceipt], *, truth_path: str | Path | None = None) -> None:
    """Bundles as JSON Lines (CONTRACT §2); the truth, when asked for, as JSON Lines keyed by image_id/receipt_id."""
    with Path(path).open("w", encoding="utf-8") as out:
        for r in receipts:
            out.write(json.dumps(r.bundle, ensure_ascii=False) + "\n")
    if truth_path is None:
        return
    with Path(truth_path).open("w", encoding="utf-8") as out:
        for r in receipts:
            record = {
                "image_id": r.bundle["image_id"],
                "receipt_id": r.bundle["receipt_id"],
                "kind": r.kind,
                "labels": [asdict(t) for t in r.truth],
                "metadata_truth": r.metadata_truth,
                "facts": r.facts,
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


# -- one receipt ----------------------------------------------------------------------------------------------


def _receipt(rng: random.Random, receipt_id: int, wrong_share: float) -> GeneratedReceipt:
    image_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    kind = rng.choices(KINDS, _KIND_WEIGHTS)[0]
    merchant = rng.choice(_BY_KIND[kind])
    locale = LOCALES[merchant.locale]
    store = make_store(merchant, rng)
    when = datetime(rng.randint(2015, 2025), rng.randint(1, 12), rng.randint(1, 28), rng.randint(6, 22),
                    rng.randint(0, 59), rng.randint(0, 59))  # fmt: skip
    ctx = Ctx(
        rng=rng,
        locale=locale,
        style=rng.choice(locale.money),
        store=store,
        kind=kind,
        when=when,
        coverage=rng.uniform(0.75, 1.0),
        symbol_on_items=rng.random() < 0.35,
        upper=rng.random() < 0.6,
        date_format=rng.choice(locale.dates),
        time_format=rng.choice(locale.times),
    )
    ctx.notes["truncate"] = rng.random() < 0.2
    variant = "normal"
    if kind in ("grocery", "pharmacy", "hardware", "electronics") and rng.random() < 0.09:
        variant = "return"
    elif kind in ("grocery", "hardware", "pharmacy") and rng.random() < 0.05:
        variant = "long"
    lines, money_facts = _lines(ctx, variant)
    return _finish(ctx, image_id, receipt_id, wrong_share, lines, money_facts, kind, variant)


def _real_receipt(rng: random.Random, receipt_id: int, wrong_share: float) -> GeneratedReceipt:
    """A receipt in the real-world shapes of `real_receipt`; words, labels and truth made as for classic ones."""
    image_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
    plan = plan_receipt(rng)
    out = _finish(plan.ctx, image_id, receipt_id, wrong_share, plan.lines, plan.numbers, plan.kind, "normal", REAL_KEYS)
    out.facts.update(plan.numbers["real"], shape="real")
    return out


def _finish(
    ctx: Ctx,
    image_id: str,
    receipt_id: int,
    wrong_share: float,
    lines: list[Line],
    money_facts: dict[str, Any],
    kind: str,
    variant: str,
    extra_keys: tuple[str, ...] = (),
) -> GeneratedReceipt:
    """From printed lines to the bundle and its truth: words, correct labels, planted wrong ones, metadata."""
    rng = ctx.rng
    words = layout(lines, rng, boxes=rng.random() >= 0.15)
    labels = inject(words, correct_labels(words), wrong_share, rng, _known_values(money_facts))
    metadata, metadata_truth = _metadata(ctx, rng)
    bundle: dict[str, Any] = {
        "image_id": image_id,
        "receipt_id": receipt_id,
        "words": [_word_json(w) for w in words],
        "labels": [
            {
                "line_id": pos[0],
                "word_id": pos[1],
                "label": e.label,
                "validation_status": "PENDING",
                "label_proposed_by": PROPOSED_BY,
            }
            for pos, e in sorted(labels.items())
        ],
    }
    if metadata is not None:
        bundle["metadata"] = metadata
    truth = [_truth(pos, e) for pos, e in sorted(labels.items())]
    facts = _facts(ctx, variant, money_facts, words)
    facts.update({key: _printed_at(words, key) for key in extra_keys})
    return GeneratedReceipt(bundle, truth, metadata_truth, kind, facts)


def _known_values(numbers: dict[str, Any]) -> dict[str, set[Decimal]]:
    """The receipt's one-of-a-kind amounts, printed or not: no wrong label may land on an equal amount."""
    known = {
        "SUBTOTAL": {numbers["subtotal"]},
        "GRAND_TOTAL": {numbers["total"]},
        "TAX": set(numbers["taxes"]),
        "LINE_TOTAL": {it.total for it in numbers["items"]},
    }
    if numbers.get("unrounded") is not None:  # a total before rounding: a defensible GRAND_TOTAL
        known["GRAND_TOTAL"].add(numbers["unrounded"])
    for label, key in (("TIP", "tip"), ("CHANGE", "change"), ("CASH_BACK", "cash_back"), ("REFUND", "refund")):
        if numbers[key] is not None:
            known[label] = {numbers[key]}
    return known


def _truth(pos: tuple[int, int], e: Entry) -> LabelTruth:
    return LabelTruth(pos[0], pos[1], e.label, e.correct, e.error_kind, e.true_label)


def _word_json(w: Word) -> dict[str, Any]:
    out: dict[str, Any] = {"line_id": w.line_id, "word_id": w.word_id, "text": w.text}
    if w.box is not None:
        out["bounding_box"] = w.box
    return out


def _items(ctx: Ctx, variant: str) -> list[Item]:
    rng, kind = ctx.rng, ctx.kind
    sign = Decimal(-1) if variant == "return" else Decimal(1)
    if variant == "long":
        count = rng.randint(40, 55)
    elif kind in ("coffee", "electronics", "restaurant"):
        count = rng.randint(1, 4)
    else:
        count = min(1 + int(rng.expovariate(0.5)), 12)
    metric = ctx.locale.code != "US"
    items = []
    for _ in range(count):
        name, low, high = rng.choice(PRODUCTS[kind])
        if name in _WEIGHABLE and rng.random() < 0.5:
            unit_word = "kg" if metric else "lb"
            qty = Decimal(rng.randint(150, 2500)) / 1000 if metric else Decimal(rng.randint(30, 400)) / 100
            unit = price(low, high, rng)
            items.append(Item(name, qty, unit, sign * money(qty * unit), weighed=True, unit_word=unit_word))
            continue
        qty = Decimal(1) if rng.random() < 0.72 else Decimal(rng.randint(2, 4))
        unit = price(low, high, rng)
        items.append(Item(name, qty, unit, sign * money(qty * unit)))
    if variant != "return" and kind in ("grocery", "pharmacy", "hardware"):
        for item in items:
            if rng.random() < 0.15:
                cut = money(item.total * Decimal(rng.choice(("0.1", "0.2", "0.25", "0.5"))))
                item.discount = -max(cut, Decimal("0.10")) if cut < item.total else None
    return items


def _fuel(ctx: Ctx) -> Item:
    rng = ctx.rng
    us = ctx.locale.code == "US"
    name, low, high = rng.choice(FUELS if us else FUELS_METRIC)
    unit = price(low, high, rng, places=3)
    qty = Decimal(rng.randint(3000, 22000 if us else 70000)) / 1000
    return Item(name, qty, unit, money(qty * unit), weighed=True, unit_word="GAL" if us else "L")


def _lines(ctx: Ctx, variant: str) -> tuple[list[Line], dict[str, Any]]:
    """Computes the receipt's numbers and lays out its sections in one of several orders."""
    rng, kind, loc = ctx.rng, ctx.kind, ctx.locale
    body: list[Line] = []
    if variant == "return":
        body.append(Line([ctx.kw(rng.choice(("*** RETURN ***", "REFUND RECEIPT", "RETURN")))], "center"))
    if kind == "fuel":
        items = [_fuel(ctx)]
        body += sections.fuel_lines(ctx, items[0], rng.randint(1, 16))
    else:
        items = _items(ctx, variant)
        body += sections.item_lines(ctx, items, rng.choice(_ITEM_STYLES[kind]))
    coupons: list[Decimal] = []
    items_sum = sum((it.total for it in items), Decimal(0))
    discounts = sum((it.discount for it in items if it.discount is not None), Decimal(0))
    if variant != "return" and kind in ("grocery", "pharmacy") and rng.random() < 0.25:
        for j in range(rng.randint(1, 2)):
            value = -money(min(Decimal(rng.choice(("0.50", "1.00", "2.00", "3.00", "5.00"))), items_sum / 4))
            if value == 0:
                continue
            coupons.append(value)
            word = rng.choice(("MFR COUPON", "STORE COUPON", "SC", "COUPON", "VOUCHER", "ExtraBucks Rewards"))
            body.append(
                Line([ctx.kw(word, "COUPON"), ctx.amt(value, "COUPON", f"coupon{j}", also=sections.EITHER_DISCOUNT)])
            )
    subtotal = items_sum + discounts + sum(coupons, Decimal(0))
    taxes: list[tuple[str, Decimal]] = []
    if not (kind == "fuel" and rng.random() < 0.6):
        name, rate_text = rng.choice(loc.taxes)
        taxes.append((name, money(subtotal * Decimal(rate_text))))
        if loc.code == "CA" and rng.random() < 0.3:
            taxes.append(("PST", money(subtotal * Decimal("0.07"))))
    tip = pre_tip = None
    tipping = {"restaurant": 0.7, "coffee": 0.3}.get(kind, 0.0)
    if variant == "normal" and rng.random() < tipping:
        pct = Decimal(rng.choice(("0.15", "0.18", "0.20", "0.22")))
        tip = money(subtotal * pct) if rng.random() < 0.7 else Decimal(rng.randint(1, 12))
        if kind == "restaurant" and rng.random() < 0.4:
            pre_tip = subtotal + sum(t for _, t in taxes)
    total = subtotal + sum((t for _, t in taxes), Decimal(0)) + (tip or 0)
    show_subtotal = rng.random() < 0.85 or bool(coupons)
    item_count = len(items) if rng.random() < 0.2 and kind != "fuel" else None
    totals = sections.total_lines(
        ctx, subtotal=subtotal if show_subtotal else None, taxes=taxes, tip=tip, pre_tip=pre_tip, total=total,
        item_count=item_count,
    )  # fmt: skip
    if kind == "restaurant" and tip is None and rng.random() < 0.5:
        totals += sections.suggested_tips(ctx, subtotal)
    pay = _payment(ctx, variant, total)
    payment = sections.payment_lines(ctx, total=total, **pay)
    when = sections.when_lines(ctx)
    loyalty = sections.loyalty_lines(ctx) if kind != "restaurant" and rng.random() < 0.35 else []
    saved = -(discounts + sum(coupons, Decimal(0)))
    footer = sections.footer_lines(
        ctx,
        saved=saved if saved > 0 else None,
        return_by=sections.return_by_date(ctx.when, rng) if rng.random() < 0.1 else None,
    )
    head = sections.header(ctx)
    top_when = rng.random() < 0.65
    top_loyalty = rng.random() < 0.3
    order = [
        *head,
        *(loyalty if top_loyalty else []),
        *(when if top_when else []),
        *body,
        *totals,
        *payment,
        *([] if top_when else when),
        *([] if top_loyalty else loyalty),
        *footer,
    ]
    numbers = {
        "items": items,
        "coupons": coupons,
        "subtotal": subtotal,
        "taxes": [t for _, t in taxes],
        "tip": tip,
        "pre_tip": pre_tip,
        "total": total,
        **pay,
    }
    return order, numbers


def _payment(ctx: Ctx, variant: str, total: Decimal) -> dict[str, Any]:
    rng = ctx.rng
    out: dict[str, Any] = {"method": "card", "tender": None, "change": None, "cash_back": None, "refund": None}
    if variant == "return":
        out["refund"] = -total
        return out
    if rng.random() < 0.25:
        notes = [n for n in (Decimal(1), Decimal(5), Decimal(10), Decimal(20), Decimal(50), Decimal(100))]
        step = rng.choice(notes)
        tender = total if rng.random() < 0.1 else ((total // step) + 1) * step
        out.update(method="cash", tender=tender, change=tender - total)
        return out
    if ctx.kind in ("grocery", "pharmacy") and rng.random() < 0.3:
        cash_back = Decimal(rng.choice((10, 20, 40, 50, 60)))
        out.update(method="DEBIT", cash_back=cash_back, tender=total + cash_back)
        return out
    if rng.random() < 0.1:
        out["method"] = rng.choice(("APPLE PAY", "GOOGLE PAY", "GIFT CARD"))
    out["tender"] = total
    return out


def _printed_at(words: list[Word], key: str) -> list[int] | None:
    return next(([w.line_id, w.word_id] for w in words if w.key == key), None)


def _facts(ctx: Ctx, variant: str, numbers: dict[str, Any], words: list[Word]) -> dict[str, Any]:
    """Where each number is printed ([line_id, word_id], or None when not printed) and its value, so tests can
    read the printed words back with `formats.parse_amount` and check the arithmetic."""
    where = {w.key: [w.line_id, w.word_id] for w in words if w.key}

    def at(key: str) -> list[int] | None:
        return where.get(key)

    items = [
        {
            "name": it.name,
            "qty": at(f"item{i}.qty"),
            "qty_value": str(it.qty),
            "unit": at(f"item{i}.unit"),
            "unit_value": str(it.unit),
            "total": at(f"item{i}.total"),
            "total_value": str(it.total),
            "discount": at(f"disc{i}"),
        }
        for i, it in enumerate(numbers["items"])
    ]
    return {
        "variant": variant,
        "locale": ctx.locale.code,
        "money_style": ctx.style.as_dict(),
        "items": items,
        "coupons": [at(f"coupon{j}") for j in range(len(numbers["coupons"]))],
        "subtotal": at("subtotal"),
        "subtotal_value": str(numbers["subtotal"]),
        "taxes": [at(f"tax{j}") for j in range(len(numbers["taxes"]))],
        "tip": at("tip"),
        "pre_tip": at("pre_tip"),
        "total": at("total"),
        "total_value": str(numbers["total"]),
        "payment_method": numbers["method"],
        "tender": at("tender"),
        "change": at("change"),
        "cash_back": at("cash_back"),
        "refund": at("refund"),
    }


def _metadata(ctx: Ctx, rng: random.Random) -> tuple[dict[str, str] | None, dict[str, bool]]:
    """The directory's view of the store; about one in ten gets one field from another place, recorded as False."""
    if rng.random() >= 0.85:
        return None, {}
    store = ctx.store
    meta = {
        "merchant_name": store.merchant.display,
        "address": _directory_address(store.address) if rng.random() < 0.6 else store.address,
        "phone_number": _directory_phone(store),
    }
    if rng.random() < 0.7:
        meta["place_id"] = store.place_id
    if rng.random() < 0.6:
        meta["merchant_category"] = store.merchant.category
    truth = {k: True for k in meta}
    if rng.random() < 0.1:
        wrong = rng.choice(("merchant_name", "address", "phone_number"))
        other = make_store(store.merchant, rng)
        if wrong == "merchant_name":
            meta[wrong] = rng.choice([m for m in MERCHANTS if m.display != store.merchant.display]).display
        elif wrong == "address":
            meta[wrong] = other.address
        else:
            meta[wrong] = _directory_phone(other)
        truth[wrong] = False
    return meta, truth


def _directory_address(printed: str) -> str:
    """How a places directory writes an address: words in title case, codes (OR, 14TH, SW1A) as printed."""
    words = []
    for word in printed.split():
        core = word.rstrip(",.")
        if core.isalpha() and len(core) > 2:
            word = word.capitalize()
        words.append(word)
    return " ".join(words)


def _directory_phone(store: Store) -> str:
    digits = "".join(ch for ch in store.phone if ch.isdigit())
    if store.merchant.locale in ("US", "CA") and len(digits) == 10:
        return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"
    return store.phone
