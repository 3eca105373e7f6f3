"""The parts of a real-shape receipt: Malaysian GST-era tills, US and UK point-of-sale slips, comma-decimal tills.

Like `sections`, these only print values already computed and record what each printed word really is (its role,
and the labels that would also be defensible on it), so the truth stays exact whatever the wording.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from samples import real_catalogue as rc
from samples.formats import MONTHS
from samples.layout import Line, Seg
from samples.sections import EITHER_DISCOUNT, Ctx, Item

GRAND = frozenset({"GRAND_TOTAL"})
SUBTOTAL_TOO = frozenset({"SUBTOTAL"})
TAX_TOO = frozenset({"TAX"})


@dataclass
class RealNumbers:
    """The receipt's money, computed before anything is printed."""

    items: list[Item]
    subtotal: Decimal  # the sum of the item lines (tax included when the prices include it)
    tax: Decimal | None
    rate: str  # tax rate in percent, as printed: 6, 7.25
    inclusive: bool  # the prices (and so the subtotal) include the tax
    unrounded: Decimal  # what is due before rounding
    rounding: Decimal | None  # the adjustment printed (None: no rounding line)
    total: Decimal  # what is due
    savings: Decimal | None


def _fmt(text: str, rate: str) -> str:
    return text.replace("{r}", rate)


def _split_seg(c: Ctx, text: str, role: str, *, family: str) -> list[Seg]:
    """A value OCR returns as several words: every word is part of it, one of them carries the label (as in
    labelled real data where one word of `29 JUN 2018` holds the DATE)."""
    parts = text.split()
    labelled = c.rng.random() < c.coverage
    chosen = c.rng.randrange(len(parts))
    return [Seg(p, role, family=family, labelled=labelled and i == chosen) for i, p in enumerate(parts)]


# -- header ---------------------------------------------------------------------------------------------------


def header(c: Ctx, flavour: str) -> list[Line]:
    rng, store = c.rng, c.store
    lines = [Line([c.seg(store.merchant.printed, "MERCHANT_NAME")], "center")]
    if flavour == "my" and rng.random() < 0.6:
        reg = f"({rng.randint(100000, 999999)}-{rng.choice('AKUVXHPTWD')})"
        lines.append(Line([c.noise(rng.choice((reg, f"CO. REG NO: {reg[1:-1]}", f"CO NO. {reg[1:-1]}")))], "center"))
    lines.append(Line([c.seg(store.street, "ADDRESS_LINE")], "center"))
    lines.append(Line([c.seg(store.city_line, "ADDRESS_LINE")], "center"))
    phone = [c.seg(store.phone, "PHONE_NUMBER")]
    prefix = rc.pick(rng, (("TEL:", 5), ("TEL :", 4), ("Tel", 3), ("TEL NO:", 2), ("PHONE:", 2), ("", 4), ("T:", 1)))
    line = [c.kw(prefix, "PHONE_NUMBER")] if prefix else []
    line += phone
    if flavour == "my" and rng.random() < 0.3:  # a fax number: a phone number too, not the store's phone line
        fax = store.phone[:-2] + f"{rng.randint(0, 99):02d}"
        line += [c.kw("FAX:"), c.noise(fax, "contact", also=frozenset({"PHONE_NUMBER"}))]
    lines.append(Line(line, "center"))
    if flavour == "my" and rng.random() < 0.7:
        word = rc.pick(rng, (("GST ID :", 5), ("GST REG NO:", 4), ("GST ID NO:", 2), ("(GST REG NO.", 1)))
        number = f"{rng.randint(0, 999999999999):012d}" + (")" if word.startswith("(") else "")
        lines.append(Line([c.kw(word), c.noise(number, "number")], "center"))
    if flavour == "my" and rng.random() < 0.6:
        title = rc.pick(rng, (("TAX INVOICE", 5), ("SIMPLIFIED TAX INVOICE", 3), ("CASH BILL", 2), ("RECEIPT", 2)))
        lines.append(Line([c.kw(title)], "center"))
    return lines


# -- date and time --------------------------------------------------------------------------------------------

# (name, weight) per flavour; see `date_segs`.
_DATES: dict[str, rc.Weighted[str]] = {
    "my": (
        ("dd/mm/yyyy", 44), ("dd/mm/yy", 9), ("dd-mm-yyyy", 9), ("dd-mm-yy", 8), ("d MON yyyy", 12),
        ("dd/MON/yyyy", 4), ("yyyy-mm-dd", 2), ("yyyy/mm/dd", 1), ("dd.mm.yy", 1), ("DATE:dd/mm/yy", 3),
        (":dd/mm/yy", 1), ("dd/mm/yyyyHH:MM", 3),
    ),
    "us": (
        ("mm/dd/yyyy", 30), ("m/dd/yyyy", 8), ("m/d/yyyy", 6), ("mm/dd/yy", 8), ("m/dd/yy", 2), ("MonDD'yy", 4),
        ("DDMon'yy", 3), ("yyyy-mm-dd", 2), ("mm-dd-yyyy", 3),
    ),
    "uk": (("dd/mm/yyyy", 10), ("dd/mm/yy", 5), ("DDMon'yy", 4), ("d MON yyyy", 3), ("dd.mm.yy", 2)),
    "eu": (("dd.mm.yyyy", 6), ("dd.mm.yy", 4), ("dd/mm/yyyy", 3), ("dd-mm-yyyy", 2)),
}  # fmt: skip
_TIMES: dict[str, rc.Weighted[str]] = {
    "my": (("HH:MM", 40), ("HH:MM:SS", 25), ("h:MM:SS PM", 8), ("HH:MM:SS PM", 4), ("h:MMPM", 8), ("HH:MMPM", 4)),
    "us": (
        ("h:MMPM", 25), ("HH:MMPM", 16), ("h:MM:SSPM", 13), ("HH:MM", 12), ("HH:MM:SSPM", 6), ("h:MMpm", 6),
        ("h:MM PM", 5), ("HH:MM:SS", 6),
    ),
    "uk": (("HH:MM", 10), ("HH:MM:SS", 5)),
    "eu": (("HH:MM", 6), ("HH:MM:SS", 3)),
}  # fmt: skip


def render_real_date(when: datetime, fmt: str) -> str:
    d, m, y = when.day, when.month, when.year
    mon = MONTHS[m - 1]
    table = {
        "dd/mm/yyyy": f"{d:02d}/{m:02d}/{y}",
        "dd/mm/yy": f"{d:02d}/{m:02d}/{y % 100:02d}",
        "dd-mm-yyyy": f"{d:02d}-{m:02d}-{y}",
        "dd-mm-yy": f"{d:02d}-{m:02d}-{y % 100:02d}",
        "d MON yyyy": f"{d:02d} {mon} {y}",
        "dd/MON/yyyy": f"{d:02d}/{mon}/{y}",
        "yyyy-mm-dd": f"{y}-{m:02d}-{d:02d}",
        "yyyy/mm/dd": f"{y}/{m:02d}/{d:02d}",
        "dd.mm.yy": f"{d:02d}.{m:02d}.{y % 100:02d}",
        "dd.mm.yyyy": f"{d:02d}.{m:02d}.{y}",
        "DATE:dd/mm/yy": f"DATE:{d:02d}/{m:02d}/{y % 100:02d}",
        ":dd/mm/yy": f":{d:02d}/{m:02d}/{y % 100:02d}",
        "dd/mm/yyyyHH:MM": f"{d:02d}/{m:02d}/{y}{when.hour:02d}:{when.minute:02d}",
        "mm/dd/yyyy": f"{m:02d}/{d:02d}/{y}",
        "m/dd/yyyy": f"{m}/{d:02d}/{y}",
        "m/d/yyyy": f"{m}/{d}/{y}",
        "mm/dd/yy": f"{m:02d}/{d:02d}/{y % 100:02d}",
        "m/dd/yy": f"{m}/{d:02d}/{y % 100:02d}",
        "mm-dd-yyyy": f"{m:02d}-{d:02d}-{y}",
        "MonDD'yy": f"{mon.title()}{d:02d}'{y % 100:02d}",
        "DDMon'yy": f"{d:02d}{mon.title()}'{y % 100:02d}",
    }
    return table[fmt]


def render_real_time(when: datetime, fmt: str) -> str:
    h12 = when.hour % 12 or 12
    ampm = "AM" if when.hour < 12 else "PM"
    table = {
        "HH:MM": f"{when.hour:02d}:{when.minute:02d}",
        "HH:MM:SS": f"{when.hour:02d}:{when.minute:02d}:{when.second:02d}",
        "h:MM:SS PM": f"{h12}:{when.minute:02d}:{when.second:02d} {ampm}",
        "HH:MM:SS PM": f"{h12:02d}:{when.minute:02d}:{when.second:02d} {ampm}",
        "h:MMPM": f"{h12}:{when.minute:02d}{ampm}",
        "HH:MMPM": f"{h12:02d}:{when.minute:02d}{ampm}",
        "h:MM:SSPM": f"{h12}:{when.minute:02d}:{when.second:02d}{ampm}",
        "HH:MM:SSPM": f"{h12:02d}:{when.minute:02d}:{when.second:02d}{ampm}",
        "h:MMpm": f"{h12}:{when.minute:02d}{ampm.lower()}",
        "h:MM PM": f"{h12}:{when.minute:02d} {ampm}",
    }
    return table[fmt]


def date_segs(c: Ctx, fmt: str) -> list[Seg]:
    text = render_real_date(c.when, fmt)
    if " " in text:  # `29 JUN 2018`: three words, one labelled
        return _split_seg(c, text, "DATE", family="when")
    also = frozenset({"TIME"}) if fmt.endswith("HH:MM") else frozenset()  # a time glued to the date
    return [c.seg(text, "DATE", family="when", also=also)]


def time_segs(c: Ctx, fmt: str) -> list[Seg]:
    text = render_real_time(c.when, fmt)
    if " " in text:  # `9:45 PM`: the AM/PM word belongs to the time too
        value, ampm = text.split()
        return [c.seg(value, "TIME", family="when"), Seg(ampm, "TIME", family="when")]
    return [c.seg(text, "TIME", family="when")]


def when_lines(c: Ctx, flavour: str) -> tuple[list[Line], bool]:
    """The date (and time) line in one of the real layouts; returns the lines and whether the time was printed."""
    rng = c.rng
    date_fmt = rc.pick(rng, _DATES[flavour])
    time_fmt = rc.pick(rng, _TIMES[flavour])
    d = date_segs(c, date_fmt)
    glued_label = date_fmt.startswith(("DATE:", ":"))
    has_time = not date_fmt.endswith("HH:MM") and rng.random() < 0.85
    t = time_segs(c, time_fmt) if has_time else []
    if glued_label:
        prefix = [c.kw("DATE", "DATE")] if date_fmt.startswith(":") else []
        return [Line([*prefix, *d, *t])], has_time
    layout = rc.pick(
        rng,
        (
            ("label", 30), ("bare", 25), ("doc", 25 if flavour == "my" else 0), ("time_first", 8),
            ("separate", 10), ("till", 6 if flavour == "us" else 1),
        ),
    )  # fmt: skip
    if layout == "label":
        word = rc.pick(rng, (("DATE :", 6), ("DATE:", 3), ("Date:", 2), ("BIZDATE:", 1 if flavour == "my" else 0)))
        line = [c.kw(word, "DATE"), *d]
        if t and rng.random() < 0.3:
            line += [c.kw(rc.pick(rng, (("TIME :", 3), ("TIME", 2), ("Time:", 2))), "TIME")]
        return [Line(line + t)], has_time
    if layout == "doc":  # Malaysian till: the document number comes first, the date after it
        doc = rc.pick(
            rng,
            (
                ("DOC NO. :", 46), ("INV NO:", 29), ("RECEIPT #:", 22), ("DOC NO :", 7), ("RECEIPT NO. :", 6),
                ("INVOICE NO:", 4), ("BILL NO:", 3),
            ),
        )  # fmt: skip
        number = rng.choice(
            (
                f"CS{rng.randint(0, 99999999):08d}", f"CS-SA-{rng.randint(0, 9999999):07d}",
                f"CSP{rng.randint(0, 9999999):07d}", f"CS{rng.randint(1000, 9999)}/{rng.randint(0, 99999):05d}",
                f"{rng.randint(10000, 999999)}",
            )
        )  # fmt: skip
        head = [c.kw(doc), c.noise(number, "number"), c.kw(rc.pick(rng, (("DATE:", 5), ("DATE :", 4))), "DATE"), *d]
        lines = [Line(head)]
        if t:
            lines.append(Line([c.kw(rc.pick(rng, (("TIME:", 3), ("TIME :", 2), ("", 2))), "TIME"), *t]))
        return lines, has_time
    if layout == "time_first":
        return [Line([*t, c.noise(f"{rng.randint(0, 999999):06d}", "number"), *d])], has_time
    if layout == "separate":
        return [Line(d), Line([c.kw(rc.pick(rng, (("TIME", 4), ("Time:", 3), ("TIME:", 2))), "TIME"), *t])], has_time
    if layout == "till":
        head = [c.noise(f"ORD #{rng.randint(1, 99):02d}", "number"), c.noise(f"-REG #{rng.randint(1, 9):02d}-")]
        return [Line([*head, *d, *t])], has_time
    tail = []
    if flavour == "my" and rng.random() < 0.4:  # till codes after the time: SH01 ZJ03 T2 R000123456
        tail = [
            c.noise(f"SH{rng.randint(1, 99):02d}", "number"),
            c.noise(rng.choice(("ZJ", "B", "ZK")) + f"{rng.randint(1, 999):02d}", "number"),
            c.noise(f"T{rng.randint(1, 9)}", "number"),
            c.noise(f"R{rng.randint(0, 999999999):09d}", "number"),
        ]
    return [Line([*d, *t, *tail])], has_time


# -- items ----------------------------------------------------------------------------------------------------


def item_lines(c: Ctx, items: list[Item], flavour: str) -> list[Line]:
    rng = c.rng
    style = rc.pick(
        rng,
        (("table", 35 if flavour == "my" else 5), ("code", 20 if flavour == "my" else 0), ("prefix", 20),
         ("simple", 30), ("at", 15)),
    )  # fmt: skip
    lines: list[Line] = []
    if style == "table":
        head = rc.pick(rng, (("ITEM QTY U/P AMT", 3), ("DESCRIPTION QTY PRICE AMOUNT TAX", 2), ("QTY DESC AMT", 1)))
        lines.append(Line([c.kw(head)]))
    for i, item in enumerate(items):
        name = c.seg(item.name, "PRODUCT_NAME")
        mark = rc.pick(rng, rc.QTY_MARKS)  # `2x`, `2@`: the multiplication sign glued to the count
        qty = c.seg(f"{int(item.qty)}{mark}", "QUANTITY", key=f"item{i}.qty")
        times = [] if mark else [c.noise(rng.choice(("x", "X", "@")))]
        many = item.qty != 1
        total_also = frozenset() if many else frozenset({"UNIT_PRICE"})
        total = c.amt(item.total, "LINE_TOTAL", f"item{i}.total", also=total_also)
        unit = c.amt(item.unit, "UNIT_PRICE", f"item{i}.unit", also=frozenset() if many else frozenset({"LINE_TOTAL"}))
        unit.right = False
        code = [Seg("SR", None)] if flavour == "my" and rng.random() < 0.5 else []
        for seg in code:
            seg.right = True
        if style == "table":
            lines.append(Line([name, qty, unit, total, *code]))
        elif style == "code":
            sku = c.noise(f"{rng.randint(0, 10**13 - 1):013d}", "number")
            lines.append(Line([sku, name]))
            lines.append(Line([qty, *times, unit, total, *code], indent=2))
        elif style == "prefix":
            lines.append(Line([qty, name, total]))
        elif style == "at" and many:
            lines.append(Line([name]))
            lines.append(Line([qty, *times, unit, total], indent=2))
        else:
            lines.append(Line([name, total] if not many else [qty, name, unit, total]))
        if item.discount is not None:
            word = rc.pick(rng, (("DISC", 3), ("DISCOUNT", 3), ("MEMBER DISC", 2), ("PROMO", 1), ("Savings", 1)))
            lines.append(
                Line(
                    [c.kw(word, "DISCOUNT"), c.amt(item.discount, "DISCOUNT", f"disc{i}", also=EITHER_DISCOUNT)],
                    indent=2,
                )
            )
    return lines


# -- totals ---------------------------------------------------------------------------------------------------


def _amt_line(c: Ctx, word: str, value: Decimal, role: str | None, key: str | None, **kw: object) -> Line:
    cue = role if role in ("SUBTOTAL", "TAX", "GRAND_TOTAL") else None
    if word.endswith("RM"):  # `TOTAL INCL. GST:RM 45.60`: the currency is already printed
        kw["symbol"] = False
    return Line([c.kw(word, cue), c.amt(value, role, key, **kw)])  # type: ignore[arg-type]


def my_totals(c: Ctx, n: RealNumbers, item_count: int) -> list[Line]:
    """Malaysian GST-era totals: tax-inclusive or -exclusive, rounding to 5 sen, a GST summary table."""
    rng, r = c.rng, n.rate
    lines: list[Line] = []
    if rng.random() < 0.45:
        word = rc.pick(rng, rc.MY_QTY)
        lines.append(Line([c.kw(word), c.noise(str(item_count), "count", also=frozenset({"QUANTITY"}))]))
    if n.savings is not None and rng.random() < 0.7:
        word = rc.pick(rng, rc.MY_SAVINGS)
        lines.append(Line([c.kw(word), c.amt(n.savings, "DISCOUNT", coverage=0.0, also=EITHER_DISCOUNT, symbol=False)]))
    final_is_separate = n.rounding is not None
    sym = rng.random() < 0.25  # RM glued to the total: RM45.60
    if n.tax is None:  # no GST line at all (after April 2018, or a small shop)
        if rng.random() < 0.5:
            lines.append(_amt_line(c, rc.pick(rng, rc.MY_SUBTOTAL), n.subtotal, "SUBTOTAL", "subtotal"))
        word = rc.pick(rng, (("TOTAL", 5), ("TOTAL AMOUNT", 2), ("TOTAL SALES", 2), ("TOTAL :", 2)))
        lines.append(_inclusive_total(c, word, n, final_is_separate, sym))
    elif n.inclusive:
        excl = n.subtotal - n.tax
        if rng.random() < 0.35:
            lines.append(_amt_line(c, rc.pick(rng, rc.MY_SUBTOTAL), n.subtotal, "SUBTOTAL", "subtotal"))
        if rng.random() < 0.55:
            word = _fmt(rc.pick(rng, rc.MY_EXCLUSIVE), r)
            lines.append(_amt_line(c, word, excl, None, "excl", also=SUBTOTAL_TOO))
        if rng.random() < 0.5:
            lines.append(_amt_line(c, _fmt(rc.pick(rng, rc.MY_TAX), r), n.tax, "TAX", "tax0"))
            tax_printed = True
        else:
            tax_printed = False
        word = _fmt(rc.pick(rng, rc.MY_TOTAL_INCLUSIVE), r)
        lines.append(_inclusive_total(c, word, n, final_is_separate, sym))
        if not tax_printed or rng.random() < 0.3:
            word = _fmt(rc.pick(rng, rc.MY_TAX_INCLUDED), r)
            role = "TAX" if not tax_printed else None
            lines.append(_amt_line(c, word, n.tax, role, "tax0" if role else None, also=TAX_TOO))
    else:
        word = rc.pick(rng, rc.MY_SUBTOTAL + rc.MY_EXCLUSIVE) if rng.random() < 0.85 else "TOTAL"
        lines.append(_amt_line(c, _fmt(word, r), n.subtotal, "SUBTOTAL", "subtotal"))
        lines.append(_amt_line(c, _fmt(rc.pick(rng, rc.MY_TAX), r), n.tax, "TAX", "tax0"))
        word = _fmt(rc.pick(rng, rc.MY_TOTAL_INCLUSIVE), r)
        lines.append(_inclusive_total(c, word, n, final_is_separate, sym))
    if n.rounding is not None:
        lines.append(_amt_line(c, rc.pick(rng, rc.MY_ROUNDING), n.rounding, None, "rounding"))
        word = rc.pick(rng, rc.MY_TOTAL_FINAL)
        lines.append(_amt_line(c, word, n.total, "GRAND_TOTAL", "total", symbol=sym))
    if n.tax is not None and rng.random() < 0.55:
        lines += gst_summary(c, n)
    return lines


def _inclusive_total(c: Ctx, word: str, n: RealNumbers, rounded_below: bool, sym: bool) -> Line:
    """The tax-inclusive total. With a rounding line below it, the amount due is the rounded one; this one stays a
    defensible GRAND_TOTAL (unlabelled) when it differs, and is labelled now and then when it is equal."""
    if not rounded_below:
        return _amt_line(c, word, n.total, "GRAND_TOTAL", "total", symbol=sym)
    if n.unrounded == n.total:
        return _amt_line(c, word, n.unrounded, "GRAND_TOTAL", "unrounded", coverage=c.coverage / 3, symbol=sym)
    return _amt_line(c, word, n.unrounded, None, "unrounded", also=GRAND, symbol=sym)


def gst_summary(c: Ctx, n: RealNumbers) -> list[Line]:
    """`GST SUMMARY AMOUNT(RM) TAX(RM)` / `SR = GST @6% 43.02 2.58` / `TOTAL : 43.02 2.58`: not the total."""
    rng, r = c.rng, n.rate
    assert n.tax is not None
    excl = (n.subtotal - n.tax) if n.inclusive else n.subtotal
    lines = [Line([c.kw(rc.pick(rng, (("GST SUMMARY AMOUNT(RM) TAX(RM)", 3), ("GST SUMMARY", 2), ("TAX CODE", 1))))])]

    def pair(word: str, a: Decimal, b: Decimal) -> Line:
        left = c.amt(a, None, also=SUBTOTAL_TOO if a == excl else frozenset())
        left.right = False
        return Line([c.kw(word), left, c.amt(b, None, also=TAX_TOO if b == n.tax else frozenset())])

    lines.append(pair(_fmt(rc.pick(rng, rc.MY_GST_SUMMARY_ROWS), r), excl, n.tax))
    if rng.random() < 0.3:  # the supplies including GST: the total before rounding, not the total line
        lines.append(Line([c.kw(f"TOTAL {r}% SUPPLIES (INC. GST):"), c.amt(excl + n.tax, None, also=GRAND)]))
    if rng.random() < 0.4:
        word = rc.pick(rng, rc.MY_ZERO_RATED)
        zero = Decimal("0.00")
        if word.startswith("TOTAL"):
            lines.append(Line([c.kw(word), c.amt(zero, None)]))
        else:
            lines.append(pair(word, zero, zero))
    if rng.random() < 0.6:
        lines.append(pair(rc.pick(rng, (("TOTAL :", 5), ("TOTAL", 3), ("TOTAL:", 2))), excl, n.tax))
    return lines


def west_totals(c: Ctx, n: RealNumbers, flavour: str, item_count: int) -> list[Line]:
    """US, UK and comma-decimal tills: subtotal, tax (added, or included as in VAT), total; glued keywords."""
    rng, r = c.rng, n.rate
    lines: list[Line] = []
    if rng.random() < 0.2:
        word = rc.pick(rng, (("ITEMS", 3), ("TOTAL QTY", 2), ("# ITEMS SOLD", 2), ("ItemCount:", 1)))
        lines.append(Line([c.kw(word), c.noise(str(item_count), "count", also=frozenset({"QUANTITY"}))]))
    sym = flavour != "eu" and rng.random() < 0.7
    if not n.inclusive:
        lines.append(_amt_line(c, rc.pick(rng, rc.US_SUBTOTAL), n.subtotal, "SUBTOTAL", "subtotal", symbol=sym))
        if n.tax is not None:
            word = _fmt(rc.pick(rng, rc.US_TAX if flavour == "us" else rc.EU_TAX), r)
            lines.append(_amt_line(c, word, n.tax, "TAX", "tax0", symbol=sym))
    elif rng.random() < 0.3:
        lines.append(_amt_line(c, rc.pick(rng, rc.US_SUBTOTAL), n.subtotal, "SUBTOTAL", "subtotal", symbol=sym))
    words = {"us": rc.US_TOTAL, "uk": rc.UK_TOTAL, "eu": rc.EU_TOTAL}[flavour]
    if n.savings is not None and rng.random() < 0.25:  # `TOTAL SAVING 3.20 TOTAL 45.60` on one line
        saved = c.amt(n.savings, "DISCOUNT", coverage=0.0, also=EITHER_DISCOUNT)
        saved.right = False
        lines.append(
            Line(
                [
                    c.kw("TOTAL SAVING"),
                    saved,
                    c.kw("TOTAL", "GRAND_TOTAL"),
                    c.amt(n.total, "GRAND_TOTAL", "total", symbol=sym),
                ]
            )
        )
        savings_done = True
    else:
        lines.append(_amt_line(c, rc.pick(rng, words), n.total, "GRAND_TOTAL", "total", symbol=sym))
        savings_done = False
    if n.inclusive and n.tax is not None:
        word = _fmt(rc.pick(rng, rc.UK_VAT_INCLUDED if flavour == "uk" else rc.EU_TAX), r)
        lines.append(_amt_line(c, word, n.tax, "TAX", "tax0", symbol=sym))
    if n.savings is not None and not savings_done and rng.random() < 0.6:
        word = rc.pick(rng, (("TOTAL SAVINGS", 5), ("YOU SAVED", 3), ("Your Savings", 2)))
        lines.append(Line([c.kw(word), c.amt(n.savings, "DISCOUNT", coverage=0.0, also=EITHER_DISCOUNT)]))
    return lines


# -- payment --------------------------------------------------------------------------------------------------


def payment_lines(c: Ctx, n: RealNumbers, flavour: str, pay: dict[str, object]) -> list[Line]:
    """Cash and change, or a card line repeating the total; the repeated total is a defensible GRAND_TOTAL."""
    rng = c.rng
    lines: list[Line] = []
    tender = pay["tender"]
    assert isinstance(tender, Decimal)
    repeats_total = GRAND if tender == n.total else frozenset()
    if pay["method"] == "cash":
        cash_words = rc.MY_CASH if flavour == "my" else rc.US_CASH
        word = rc.pick(rng, cash_words)
        method = c.seg(word.split()[0], "PAYMENT_METHOD") if word.split()[0].upper() == "CASH" else c.kw(word)
        rest = [c.kw(" ".join(word.split()[1:]))] if method.role and len(word.split()) > 1 else []
        lines.append(Line([method, *rest, c.amt(tender, None, "tender", also=repeats_total)]))
        change = pay["change"]
        assert isinstance(change, Decimal)
        word = rc.pick(rng, rc.MY_CHANGE if flavour == "my" else rc.US_CHANGE)
        head = [c.kw("ITEM COUNT"), c.noise(str(len(n.items)), "count")] if word == "CHANGE AMT" else []
        lines.append(Line([*head, c.kw(word, "CHANGE"), c.amt(change, "CHANGE", "change")]))
        return lines
    brand = rc.pick(rng, rc.CARD_WORDS)
    masked = rng.choice(("************", "XXXXXXXXXXXX", "****")) + f"{rng.randint(0, 9999):04d}"
    card = [c.seg(brand, "PAYMENT_METHOD")]
    if rng.random() < 0.5:
        card.append(c.seg(masked, "PAYMENT_METHOD"))
    lines.append(Line([*card, c.amt(tender, None, "tender", also=repeats_total, symbol=rng.random() < 0.4)]))
    if rng.random() < 0.3:
        lines.append(Line([c.kw(rc.pick(rng, (("APPROVAL CODE:", 2), ("AUTH:", 2), ("APPR CODE", 1)))),
                           c.noise(f"{rng.randint(0, 999999):06d}", "number")]))  # fmt: skip
    return lines


def footer_lines(c: Ctx, flavour: str) -> list[Line]:
    rng = c.rng
    picked = rng.sample(rc.FOOTERS[flavour], rng.choice((0, 1, 1, 2)))
    lines = [Line([c.noise(text)], "center") for text in picked]
    if flavour == "my" and rng.random() < 0.2:
        lines.append(Line([c.kw("SALESPERSON:"), c.noise(rng.choice(("ALI", "MEI LING", "RAJ", "SITI")))]))
    return lines
