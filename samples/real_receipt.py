"""One real-shape receipt: its store, its numbers (tax-inclusive or not, rounded to 5 sen or not) and its lines.

The wording and layouts follow the shared phrasebook of real receipts (see `real_catalogue`); the generator then
turns the lines into OCR words and labels exactly as for classic receipts, so the truth is kept the same way.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from samples import real_catalogue as rc
from samples import real_sections as rs
from samples.catalogue import LOCALES, Merchant, Store, fill_pattern, price
from samples.formats import MoneyStyle, money
from samples.layout import Line
from samples.sections import Ctx, Item

_LOCALE = {"my": "MY", "us": "US", "uk": "UK", "eu": "DE"}
_STYLE = {
    "my": MoneyStyle("RM", "prefix", ".", ",", "minus"),
    "us": MoneyStyle("$", "prefix", ".", ",", "minus"),
    "uk": MoneyStyle("£", "prefix", ".", ",", "minus"),
    "eu": MoneyStyle("€", "none", ",", ".", "minus"),  # comma decimals: 12,50
}
_FIVE_SEN = Decimal("0.05")
_PLACE_ALPHABET = string.ascii_letters + string.digits + "_-"


@dataclass
class RealPlan:
    """What the generator needs from a real-shape receipt."""

    ctx: Ctx
    kind: str
    flavour: str
    lines: list[Line]
    numbers: dict[str, Any]  # the keys `generator._facts` and `_known_values` read, plus the real-shape ones


def plan_receipt(rng: random.Random) -> RealPlan:
    flavour = rc.pick(rng, rc.FLAVOURS)
    store, kind = _store(flavour, rng)
    when = datetime(rng.randint(2015, 2019), rng.randint(1, 12), rng.randint(1, 28), rng.randint(7, 22),
                    rng.randint(0, 59), rng.randint(0, 59))  # fmt: skip
    ctx = Ctx(
        rng=rng,
        locale=LOCALES[_LOCALE[flavour]],
        style=_STYLE[flavour],
        store=store,
        kind=kind,
        when=when,
        coverage=rng.uniform(0.75, 1.0),
        symbol_on_items={"my": 0.05, "us": 0.4, "uk": 0.3, "eu": 0.0}[flavour] > rng.random(),
        upper=False,
        date_format="dmy_slash",
        time_format="h24",
    )
    items = _items(rng, kind, flavour)
    n = _numbers(rng, flavour, items)
    pay = _payment(rng, flavour, n.total)
    head = rs.header(ctx, flavour)
    when_lines, _ = rs.when_lines(ctx, flavour)
    body = rs.item_lines(ctx, items, flavour)
    count = sum(int(it.qty) for it in items)
    totals = rs.my_totals(ctx, n, count) if flavour == "my" else rs.west_totals(ctx, n, flavour, count)
    payment = rs.payment_lines(ctx, n, flavour, pay)
    footer = rs.footer_lines(ctx, flavour)
    top = rng.random() < 0.85
    lines = [*head, *(when_lines if top else []), *body, *totals, *payment, *([] if top else when_lines), *footer]
    numbers = {
        "items": items,
        "coupons": [],
        "subtotal": n.subtotal,
        "taxes": [n.tax] if n.tax is not None else [],
        "tip": None,
        "pre_tip": None,
        "total": n.total,
        **pay,
        "real": {
            "flavour": flavour,
            "rate": n.rate,
            "inclusive": n.inclusive,
            "unrounded_value": str(n.unrounded),
            "rounding_value": None if n.rounding is None else str(n.rounding),
            "savings_value": None if n.savings is None else str(n.savings),
        },
    }
    if n.rounding is not None and n.unrounded != n.total:
        numbers["unrounded"] = n.unrounded  # an amount a GRAND_TOTAL label may defensibly sit on
    return RealPlan(ctx, kind, flavour, lines, numbers)


# -- the store ------------------------------------------------------------------------------------------------


def _store(flavour: str, rng: random.Random) -> tuple[Store, str]:
    if flavour == "my":
        prefix, core = rc.pick(rng, rc.MY_PREFIXES), rng.choice(rc.MY_CORES)
        trade, suffix = rc.pick(rng, rc.MY_TRADES), rc.pick(rng, rc.MY_SUFFIXES)
        if prefix == "RESTORAN":
            trade = rng.choice(("", "SEAFOOD", "RESTAURANT"))
        name = " ".join(p for p in (prefix, core, trade, suffix) if p)
        kind = "restaurant" if prefix == "RESTORAN" else rc.MY_TRADE_KIND.get(trade, "grocery")
        street = f"NO. {rng.randint(1, 200)}, {rng.choice(rc.MY_STREETS)},"
        if rng.random() < 0.3:
            street = f"LOT {rng.randint(1, 9999)}, " + street.split(", ", 1)[1]
        postcode, town = rng.choice(rc.MY_TOWNS)
        city = f"{postcode} {town}."
        phone_patterns = rc.MY_PHONES
    elif flavour in ("us", "uk"):
        trade = rc.pick(rng, rc.US_TRADES)
        owner = rng.choice(rc.US_NAMES)
        name = rng.choice((f"{owner}'S {trade}", f"THE {trade}", f"{owner} & CO {trade}", f"{owner.title()}'s"))
        kind = rc.US_TRADE_KIND.get(trade, "grocery")
        if flavour == "us":
            number, road = rng.randint(100, 9999), rng.choice(rc.US_STREETS)
            town, state, zipcode = rng.choice(rc.US_TOWNS)
            glued = rng.random() < 0.2  # OCR glues narrow print: 2621ORANGETHORPEAVE
            street = f"{number}{road.replace(' ', '')}" if glued else f"{number} {road}"
            city = f"{town},{state}{zipcode}" if glued else f"{town}, {state} {zipcode}"
            phone_patterns = rc.US_PHONES
        else:
            street = f"{rng.randint(1, 250)} {rng.choice(rc.UK_STREETS)}"
            town, postcode = rng.choice(rc.UK_TOWNS)
            city = f"{town} {postcode}"
            phone_patterns = rc.UK_PHONES
    else:
        name = rng.choice(("CAFE CENTRAL", "BAECKEREI MUELLER", "LE PETIT MARCHE", "DE BAKKER", "KIOSK AM MARKT"))
        kind = "bakery" if "BA" in name[:4] else "restaurant"
        town, postcode = rng.choice(rc.EU_TOWNS)
        street = f"{rng.choice(rc.EU_STREETS)} {rng.randint(1, 120)}"
        city = f"{postcode} {town}"
        phone_patterns = rc.EU_PHONES
    merchant = Merchant(name, name.title(), kind, _LOCALE[flavour], None, kind)
    bits = rng.getrandbits(6 * 23)
    place_id = "ChIJ" + "".join(_PLACE_ALPHABET[(bits >> (6 * i)) & 63] for i in range(23))
    phone = fill_pattern(rc.pick(rng, phone_patterns), rng)
    return Store(merchant, street, city, phone, place_id, f"{rng.randint(1, 9999):04d}"), kind


# -- the numbers ----------------------------------------------------------------------------------------------


def _items(rng: random.Random, kind: str, flavour: str) -> list[Item]:
    products = rc.REAL_PRODUCTS if flavour == "my" else rc.WEST_PRODUCTS
    catalogue = products.get(kind, products["grocery"])
    count = rng.randint(1, 5) if kind == "restaurant" else min(1 + int(rng.expovariate(0.4)), 12)
    items = []
    for _ in range(count):
        name, low, high = rng.choice(catalogue)
        if rng.random() < 0.08 and " " in name:
            name = name.replace(" ", "")  # glued by OCR: CHICKENRICE
        qty = Decimal(1) if rng.random() < 0.7 else Decimal(rng.randint(2, 6))
        unit = price(low, high, rng)
        item = Item(name, qty, unit, money(qty * unit))
        if rng.random() < 0.08:
            cut = money(item.total * Decimal(rng.choice(("0.1", "0.2", "0.3"))))
            item.discount = -max(cut, Decimal("0.10")) if cut < item.total else None
        items.append(item)
    return items


def _numbers(rng: random.Random, flavour: str, items: list[Item]) -> rs.RealNumbers:
    subtotal = sum((it.total + (it.discount or 0) for it in items), Decimal(0))
    discounts = -sum((it.discount for it in items if it.discount is not None), Decimal(0))
    savings = discounts if discounts > 0 else None
    rounding: Decimal | None = None
    if flavour == "my":
        mode = rc.pick(rng, (("inclusive", 55), ("exclusive", 30), ("none", 15)))
        rate = "6"
    elif flavour == "us":
        mode = "exclusive" if rng.random() < 0.9 else "none"
        rate = rng.choice(("7.25", "8.25", "6", "9.5", "8.875", "7.75"))
    elif flavour == "uk":
        mode, rate = "inclusive", rng.choice(("20", "20", "5"))
    else:
        mode, rate = rng.choice(("inclusive", "exclusive")), rng.choice(("19", "7", "21"))
    share = Decimal(rate) / 100
    tax: Decimal | None
    if mode == "inclusive":
        tax = money(subtotal * share / (1 + share))
        unrounded = subtotal
    elif mode == "exclusive":
        tax = money(subtotal * share)
        unrounded = subtotal + tax
    else:
        tax, unrounded = None, subtotal
    total = unrounded
    if flavour == "my" and rng.random() < 0.65:  # rounded to 5 sen, the adjustment printed (often 0.00)
        total = (unrounded / _FIVE_SEN).quantize(Decimal(1), rounding=ROUND_HALF_UP) * _FIVE_SEN
        total = money(total)
        rounding = total - unrounded
    return rs.RealNumbers(
        items=items,
        subtotal=subtotal,
        tax=tax,
        rate=rate,
        inclusive=mode == "inclusive",
        unrounded=unrounded,
        rounding=rounding,
        total=total,
        savings=savings,
    )


def _payment(rng: random.Random, flavour: str, total: Decimal) -> dict[str, Any]:
    out: dict[str, Any] = {"method": "card", "tender": total, "change": None, "cash_back": None, "refund": None}
    if rng.random() < (0.6 if flavour == "my" else 0.3):
        step = Decimal(rng.choice((1, 5, 10, 20, 50, 100)))
        tender = total if rng.random() < 0.1 else ((total // step) + 1) * step
        out.update(method="cash", tender=money(tender), change=money(tender - total))
    return out
