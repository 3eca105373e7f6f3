"""The parts of a receipt (header, date line, items, totals, payment, loyalty, footer), each in many variants.

Sections print values the generator has already computed; they only decide wording, order and placement, and
record which printed segment carries which fact (its `key`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from samples.catalogue import CARD_BRANDS, CASHIER_NAMES, FOOTERS, STORE_HOURS, Locale, Store
from samples.formats import MoneyStyle, render_amount, render_date, render_quantity, render_time
from samples.layout import Line, Seg

PAYING = frozenset({"PAYMENT_METHOD"})
_PAYING_WORDS = frozenset({"CREDIT", "DEBIT", "CARD", "CASH", "VISA", "EFT", "CHARGED"})
REFUNDED = frozenset({"REFUND"})  # on a return, the negative amounts are what is refunded
QTY1 = frozenset({"UNIT_PRICE"})  # a line total of one unit is also its unit price
EITHER_DISCOUNT = frozenset({"DISCOUNT", "COUPON"})


@dataclass
class Item:
    name: str
    qty: Decimal
    unit: Decimal
    total: Decimal  # signed: negative on returns
    weighed: bool = False
    unit_word: str = ""  # lb, kg, GAL, L
    discount: Decimal | None = None  # signed (negative)


@dataclass
class Ctx:
    """What every section needs: randomness, the country, the till's money style, the store, label coverage."""

    rng: random.Random
    locale: Locale
    style: MoneyStyle
    store: Store
    kind: str
    when: datetime
    coverage: float
    symbol_on_items: bool
    upper: bool
    date_format: str
    time_format: str
    notes: dict[str, object] = field(default_factory=dict)

    def seg(self, text: str, role: str | None = None, *, coverage: float | None = None, **kw: object) -> Seg:
        cov = self.coverage if coverage is None else coverage
        return Seg(text, role, labelled=role is not None and self.rng.random() < cov, **kw)  # type: ignore[arg-type]

    def kw(self, text: str, cue: str | None = None) -> Seg:
        """A keyword; one naming a means of payment (CREDIT, card) would also pass as PAYMENT_METHOD."""
        also = PAYING if _PAYING_WORDS & set(text.upper().replace(":", " ").split()) else frozenset()
        return Seg(text.upper() if self.upper else text, cue=cue, also=also)

    def noise(self, text: str, family: str = "text", **kw: object) -> Seg:
        return Seg(text, None, family=family, **kw)  # type: ignore[arg-type]

    def amt(
        self,
        value: Decimal,
        role: str | None,
        key: str | None = None,
        *,
        symbol: bool | None = None,
        also: frozenset[str] = frozenset(),
        places: int = 2,
        suffix: str = "",
        coverage: float | None = None,
    ) -> Seg:
        sym = self.symbol_on_items if symbol is None else symbol
        text = render_amount(value, self.style, symbol=sym, places=places) + suffix
        seg = self.seg(text, role, coverage=coverage, key=key, value=value, family="money", also=also)
        seg.right = True
        return seg

    def text(self, text: str) -> str:
        return text.upper() if self.upper else text


def _pick(rng: random.Random, *options: str) -> str:
    return rng.choice(options)


# -- header ---------------------------------------------------------------------------------------------------


def header(c: Ctx) -> list[Line]:
    rng, store = c.rng, c.store
    align = "center" if rng.random() < 0.8 else "left"
    lines: list[Line] = []
    if rng.random() < 0.08:
        lines.append(Line([c.kw("WELCOME TO")], align))
    lines.append(Line([c.seg(store.merchant.printed, "MERCHANT_NAME")], align))
    if rng.random() < 0.2:
        lines.append(Line([c.noise(f"Store #{store.store_number}", "number")], align))
    address = [
        Line([c.seg(store.street, "ADDRESS_LINE")], align),
        Line([c.seg(store.city_line, "ADDRESS_LINE")], align),
    ]
    if rng.random() < 0.15:
        address = [Line([c.seg(store.street + ",", "ADDRESS_LINE"), c.seg(store.city_line, "ADDRESS_LINE")], align)]
    extras: list[Line] = []
    if rng.random() < 0.8:
        prefix = _pick(rng, "", "", "TEL:", "Tel", "PHONE:", "Phone", "Store:", "T.")
        segs = [c.kw(prefix, "PHONE_NUMBER")] if prefix else []
        extras.append(Line([*segs, c.seg(store.phone, "PHONE_NUMBER")], align))
    if store.merchant.website and rng.random() < 0.4:
        site = store.merchant.website
        site = rng.choice((site, site.lower(), site.upper(), f"www.{site}" if not site.startswith("www") else site))
        extras.append(Line([c.seg(site, "WEBSITE")], align))
    if rng.random() < 0.3:
        prefix = _pick(rng, "", "HOURS:", "Store Hours", "Hours")
        segs = [c.kw(prefix)] if prefix else []
        extras.append(Line([*segs, c.seg(rng.choice(STORE_HOURS), "STORE_HOURS")], align))
    rng.shuffle(extras)
    if rng.random() < 0.85:
        lines += address + extras
    else:
        lines += extras + address
    return lines


# -- date, time, cashier --------------------------------------------------------------------------------------


def when_lines(c: Ctx) -> list[Line]:
    rng = c.rng
    d = c.seg(render_date(c.when.date(), c.date_format), "DATE")
    t = c.seg(render_time(c.when.time(), c.time_format), "TIME")
    variant = rng.randrange(6)
    if variant == 0:
        t.right = True
        lines = [Line([d, t])]
    elif variant == 1:
        lines = [Line([c.kw("DATE:", "DATE"), d, c.kw("TIME:", "TIME"), t])]
    elif variant == 2:
        lines = [Line([c.kw("Date:", "DATE"), d]), Line([c.kw("Time:", "TIME"), t])]
    elif variant == 3:
        till = [c.noise(f"ST# {c.store.store_number}", "number"), c.noise(f"OP# {rng.randint(1, 99):05d}", "number")]
        lines = [Line([d, t, *till, c.noise(f"TR# {rng.randint(100, 9999):05d}", "number")])]
    elif variant == 4:
        lines = [Line([c.noise(f"TRANS {rng.randint(1000, 99999)}", "number"), d, t])]
    else:
        t.right = True
        lines = [Line([t]), Line([d])] if rng.random() < 0.3 else [Line([d]), Line([t])]
    if rng.random() < 0.5:
        who = rng.choice(CASHIER_NAMES)
        if c.kind == "restaurant":
            lines.append(
                Line([c.kw("Server:"), c.noise(who), c.kw("Table"), c.noise(str(rng.randint(1, 40)), "number")])
            )
        else:
            words = _pick(rng, "CASHIER:", "Cashier", "Your cashier today was", "OPERATOR")
            lines.append(Line([c.kw(words), c.noise(who)]))
    if c.kind == "restaurant" and rng.random() < 0.5:
        lines.append(Line([c.kw("Check #"), c.noise(str(rng.randint(1000, 99999)), "number")]))
        lines.append(Line([c.kw("Guests:"), c.noise(str(rng.randint(1, 6)), "count")]))
    return lines


# -- items ----------------------------------------------------------------------------------------------------


def item_lines(c: Ctx, items: list[Item], style: str) -> list[Line]:
    """`style`: simple | inline | below | prefix | tabular | sku. Items of more than one unit always show it."""
    rng = c.rng
    lines: list[Line] = []
    if style == "tabular":
        heads = rng.choice((("ITEM", "QTY", "PRICE", "AMOUNT"), ("DESCRIPTION", "QTY", "U/P", "TOTAL")))
        lines.append(Line([c.kw(" ".join(heads))]))
    for i, item in enumerate(items):
        lines += _item(c, i, item, style)
        if item.discount is not None:
            word = _pick(rng, "SAVINGS", "MEMBER SAVINGS", "You Saved", "DISCOUNT", "PROMO", "CLUB PRICE", "Rabatt")
            lines.append(
                Line(
                    [c.kw(word, "DISCOUNT"), c.amt(item.discount, "DISCOUNT", f"disc{i}", also=EITHER_DISCOUNT)],
                    indent=2,
                )
            )
    return lines


def _name(c: Ctx, item: Item, i: int) -> Seg:
    name = c.text(item.name)
    if c.notes.get("truncate") and len(name) > 16:
        name = name[:16].rstrip()
    return c.seg(name, "PRODUCT_NAME")


def _qty(c: Ctx, item: Item, i: int) -> Seg:
    return c.seg(render_quantity(item.qty, c.style), "QUANTITY", key=f"item{i}.qty")


def _item(c: Ctx, i: int, item: Item, style: str) -> list[Line]:
    rng = c.rng
    many = item.qty != 1 or item.weighed
    total_also = (frozenset() if many else QTY1) | (REFUNDED if item.total < 0 else frozenset())
    total = c.amt(item.total, "LINE_TOTAL", f"item{i}.total", also=total_also)
    unit_also = frozenset() if many else frozenset({"LINE_TOTAL"})
    unit_suffix = f"/{item.unit_word}" if item.weighed and rng.random() < 0.5 else ""
    unit = c.amt(
        item.unit,
        "UNIT_PRICE",
        f"item{i}.unit",
        also=unit_also,
        places=3 if item.unit_word in ("GAL", "L") else 2,
        suffix=unit_suffix,
    )
    unit.right = False
    name = _name(c, item, i)
    if style == "tabular":
        return [Line([name, _qty(c, item, i), unit, total])]
    if style == "prefix" and not item.weighed:
        qty = [_qty(c, item, i), c.noise("X")] if rng.random() < 0.3 else [_qty(c, item, i)]
        return [Line([*qty, name, total])]
    if style == "sku":
        sku = c.noise("".join(str(rng.randint(0, 9)) for _ in range(rng.choice((9, 12, 13)))), "number")
        flag = c.noise(rng.choice(("T", "F", "N", "X", "A", "B")))
        flag.right = True
        head = [sku, name, total, flag]
    else:
        head = [name, total]
    if not many:
        return [Line(head)]
    at = c.noise(rng.choice(("@", "@", "X", "x")))
    detail = [_qty(c, item, i)]
    if item.weighed:
        detail.append(c.noise(item.unit_word.lower() if rng.random() < 0.5 else item.unit_word))
    detail += [at, unit]
    if style == "inline" and not item.weighed:
        return [Line([name, *detail, total])]
    if rng.random() < 0.5:  # unit line under the name, total on the name line
        return [Line(head), Line(detail, indent=2)]
    return [Line([name]), Line([*detail, total], indent=2)]


def fuel_lines(c: Ctx, item: Item, pump: int) -> list[Line]:
    rng = c.rng
    unit_word = item.unit_word
    lines = [Line([c.kw("PUMP #" if rng.random() < 0.5 else "Pump"), c.noise(f"{pump:02d}", "number")])]
    name = c.seg(item.name, "PRODUCT_NAME")
    qty = c.seg(render_quantity(item.qty, c.style), "QUANTITY", key="item0.qty")
    stacked = rng.random() < 0.5  # one value a line, each after its keyword
    suffix = f"/{unit_word}" if not stacked and rng.random() < 0.5 else ""
    unit = c.amt(item.unit, "UNIT_PRICE", "item0.unit", places=3, suffix=suffix)
    total = c.amt(item.total, "LINE_TOTAL", "item0.total", symbol=True)
    if stacked:
        qty.right = True
        unit.right = True
        lines += [
            Line([name]),
            Line([c.kw("GALLONS" if unit_word == "GAL" else "LITRES"), qty]),
            Line([c.kw(f"PRICE/{unit_word}"), unit]),
            Line([c.kw(_pick(rng, "FUEL SALE", "FUEL TOTAL", "Fuel"), "LINE_TOTAL"), total]),
        ]
    else:
        unit.right = False
        lines += [Line([name]), Line([qty, c.noise(unit_word), c.noise("@"), unit, total], indent=2)]
    return lines


# -- totals ---------------------------------------------------------------------------------------------------


def total_lines(
    c: Ctx,
    *,
    subtotal: Decimal | None,
    taxes: list[tuple[str, Decimal]],
    tip: Decimal | None,
    pre_tip: Decimal | None,
    total: Decimal,
    item_count: int | None,
) -> list[Line]:
    rng, loc = c.rng, c.locale
    lines: list[Line] = []
    if item_count is not None:
        count = c.noise(str(item_count), "count", also=frozenset({"QUANTITY"}))
        lines.append(Line([c.kw(_pick(rng, "ITEMS", "# ITEMS SOLD", "Item Count:", "TOTAL ITEMS")), count]))
    if subtotal is not None:
        lines.append(
            Line(
                [
                    c.kw(rng.choice(loc.subtotal_words), "SUBTOTAL"),
                    c.amt(subtotal, "SUBTOTAL", "subtotal", also=REFUNDED if subtotal < 0 else frozenset()),
                ]
            )
        )
    for j, (name, value) in enumerate(taxes):
        lines.append(Line([c.kw(name, "TAX"), c.amt(value, "TAX", f"tax{j}")]))
    if pre_tip is not None:
        lines.append(Line([c.kw(_pick(rng, "Amount", "Check Total", "BILL")), c.amt(pre_tip, None, "pre_tip")]))
    if tip is not None:
        lines.append(Line([c.kw(_pick(rng, "TIP", "Tip", "Gratuity", "TIP:"), "TIP"), c.amt(tip, "TIP", "tip")]))
    word = rng.choice(loc.total_words)
    deco = [c.noise("****")] if rng.random() < 0.1 else []
    lines.append(
        Line(
            [
                *deco,
                c.kw(word, "GRAND_TOTAL"),
                c.amt(
                    total,
                    "GRAND_TOTAL",
                    "total",
                    symbol=rng.random() < 0.8,
                    also=REFUNDED if total < 0 else frozenset(),
                ),
            ]
        )
    )
    return lines


def suggested_tips(c: Ctx, base: Decimal) -> list[Line]:
    """Printed on an unsigned check: amounts that look like tips but are not one."""
    lines = [Line([c.kw("Suggested Gratuity")], "center")]
    for pct in ("15", "18", "20"):
        value = (base * Decimal(pct) / 100).quantize(Decimal("0.01"))
        lines.append(Line([c.noise(f"{pct}%"), c.amt(value, None)]))
    lines.append(Line([c.kw("TIP:"), c.noise("________")]))
    return lines


# -- payment --------------------------------------------------------------------------------------------------


def payment_lines(
    c: Ctx,
    *,
    method: str,
    total: Decimal,
    tender: Decimal | None,
    change: Decimal | None,
    cash_back: Decimal | None,
    refund: Decimal | None,
) -> list[Line]:
    rng = c.rng
    lines: list[Line] = []
    last4 = f"{rng.randint(0, 9999):04d}"
    if method == "cash":
        lines.append(
            Line(
                [
                    c.seg(c.text("Cash") if rng.random() < 0.5 else "CASH", "PAYMENT_METHOD"),
                    c.amt(tender, None, "tender", also=frozenset()),
                ]
            )
        )  # type: ignore[arg-type]
        lines.append(Line([c.kw(rng.choice(c.locale.change_words), "CHANGE"), c.amt(change, "CHANGE", "change")]))  # type: ignore[arg-type]
        return lines
    brand = method if method != "card" else rng.choice(CARD_BRANDS[c.locale.code])
    masked = rng.choice(("************", "XXXXXXXXXXXX", "**** **** **** ", "XXXX XXXX XXXX ", "****")) + last4
    card = Line([c.seg(brand, "PAYMENT_METHOD"), c.seg(masked, "PAYMENT_METHOD")])
    if rng.random() < 0.3:
        card = Line([c.kw(_pick(rng, "CARD #:", "ACCT #", "Card No.")), c.seg(masked, "PAYMENT_METHOD")])
    if refund is not None:
        word = _pick(rng, "REFUND", "REFUND DUE", "RETURN AMOUNT", "Refund to card", "REFUND TOTAL")
        lines.append(
            Line(
                [c.kw(word, "REFUND"), c.amt(refund, "REFUND", "refund", symbol=True, also=frozenset({"GRAND_TOTAL"}))]
            )
        )
        lines.append(card)
        return lines
    if cash_back is not None:
        lines.append(
            Line(
                [
                    c.kw(_pick(rng, "CASH BACK", "CASHBACK", "Cash Back"), "CASH_BACK"),
                    c.amt(cash_back, "CASH_BACK", "cash_back"),
                ]
            )
        )
    tender_words = [
        c.seg(brand, "PAYMENT_METHOD", coverage=c.coverage / 2),
        c.kw(_pick(rng, "TEND", "SALE", "CREDIT", "PURCHASE", "")),
    ]
    tender_seg = c.amt(tender, None, "tender", also=frozenset({"GRAND_TOTAL"}) if cash_back is None else frozenset())  # type: ignore[arg-type]
    order = rng.random()
    if order < 0.5:
        lines += [card, Line([*tender_words, tender_seg])]
    elif order < 0.8:
        lines += [Line([*tender_words, tender_seg]), card]
    else:
        lines += [card, Line([c.kw(_pick(rng, "AMOUNT:", "Amount", "CHARGED")), tender_seg])]
    if rng.random() < 0.45:
        lines.append(
            Line(
                [
                    c.kw(_pick(rng, "AUTH CODE:", "APPROVAL #", "AUTH #")),
                    c.noise(f"{rng.randint(0, 999999):06d}", "number"),
                ]
            )
        )
    if rng.random() < 0.3:
        mode = _pick(rng, "APPROVED", "CHIP READ", "CONTACTLESS", "Verified by PIN")
        lines.append(Line([c.noise(mode, also=PAYING if mode == "CONTACTLESS" else frozenset())]))
    if rng.random() < 0.15:
        lines.append(Line([c.kw("AID"), c.noise("A0000000" + rng.choice(("031010", "041010", "980840")), "number")]))
    return lines


def loyalty_lines(c: Ctx) -> list[Line]:
    rng = c.rng
    variants = (
        ("MEMBER #", "XXXXXX" + f"{rng.randint(0, 9999):04d}"),
        ("REWARDS ID:", f"{rng.randint(10**9, 10**10 - 1)}"),
        ("Club Card", "****" + f"{rng.randint(0, 9999):04d}"),
        ("ExtraCare Card #:", "********" + f"{rng.randint(0, 9999):04d}"),
        ("Nectar card", f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"),
        ("Loyalty", f"{rng.randint(10**7, 10**8 - 1)}"),
    )
    word, number = rng.choice(variants)
    lines = [Line([c.kw(word, "LOYALTY_ID"), c.seg(number, "LOYALTY_ID")])]
    if rng.random() < 0.3:
        lines.append(Line([c.kw("POINTS EARNED"), c.noise(str(rng.randint(1, 400)), "count")]))
    return lines


# -- footer ---------------------------------------------------------------------------------------------------


def footer_lines(c: Ctx, *, saved: Decimal | None, return_by: date | None) -> list[Line]:
    rng = c.rng
    lines: list[Line] = []
    if saved is not None and rng.random() < 0.6:
        lines.append(
            Line(
                [
                    c.kw(_pick(rng, "YOU SAVED", "TOTAL SAVINGS", "Your savings today")),
                    c.amt(saved, "DISCOUNT", coverage=0.0, symbol=True, also=EITHER_DISCOUNT),
                ]
            )
        )
    if return_by is not None:
        lines.append(
            Line(
                [
                    c.kw(_pick(rng, "RETURNS ACCEPTED UNTIL", "Return by", "VALID THRU")),
                    c.noise(render_date(return_by, c.date_format), "when"),
                ]
            )
        )
    for text in rng.sample(FOOTERS[c.locale.code], rng.choice((0, 1, 1, 2))):
        lines.append(Line([c.noise(_ocr_noise(text, rng))], "center"))
    if rng.random() < 0.2:
        name = c.seg(c.store.merchant.printed, "MERCHANT_NAME", coverage=0.0)
        lines.append(Line([c.kw("THANK YOU FOR SHOPPING AT"), name], "center"))
    if rng.random() < 0.2:
        code = "-".join(f"{rng.randint(0, 9999):04d}" for _ in range(3))
        lines.append(Line([c.kw("SURVEY CODE:"), c.noise(code, "number")], "center"))
        site = "www.tell" + c.store.merchant.display.lower().replace(" ", "").replace("'", "") + ".com"
        lines.append(Line([c.seg(site, "WEBSITE", coverage=c.coverage / 3)], "center"))
    if rng.random() < 0.25:
        barcode = "*" + "".join(str(rng.randint(0, 9)) for _ in range(rng.choice((12, 16, 20)))) + "*"
        lines.append(Line([c.noise(barcode, "number")], "center"))
    return lines


def _ocr_noise(text: str, rng: random.Random) -> str:
    """Occasional O/0 and I/1 confusions in free text (never in labelled words)."""
    if rng.random() > 0.1:
        return text
    return text.replace("O", "0", 1) if "O" in text else text.replace("I", "1", 1)


def return_by_date(when: datetime, rng: random.Random) -> date:
    return (when + timedelta(days=rng.choice((14, 30, 60, 90)))).date()
