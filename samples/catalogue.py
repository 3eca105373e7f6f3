"""What the synthetic receipts are made of: countries and their wording, merchants, products, store locations.

Wording is deliberately varied (TOTAL / AMOUNT DUE / BALANCE / SUMME ...) so that nothing downstream can pass by
matching one spelling.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from decimal import Decimal

from samples.formats import MoneyStyle


@dataclass(frozen=True)
class Locale:
    """A country's receipts: money, dates, tax names and the words tills print around amounts."""

    code: str
    money: tuple[MoneyStyle, ...]
    dates: tuple[str, ...]
    times: tuple[str, ...]
    taxes: tuple[tuple[str, str], ...]  # (label text, rate)
    subtotal_words: tuple[str, ...]
    total_words: tuple[str, ...]
    change_words: tuple[str, ...]
    fuel_unit: str
    cities: tuple[tuple[str, str, str], ...]  # city, region, postcode pattern (# digit, @ letter)
    streets: tuple[str, ...]
    phones: tuple[str, ...]  # patterns: # digit, N digit 2-9


_EN_SUBTOTAL = ("SUBTOTAL", "SUB TOTAL", "Subtotal", "SUB-TOTAL", "SUBTTL", "Subtotal:", "MERCHANDISE SUBTOTAL")
_EN_TOTAL = (
    "TOTAL",
    "AMOUNT DUE",
    "BALANCE",
    "TOTAL DUE",
    "Total:",
    "BALANCE DUE",
    "GRAND TOTAL",
    "TOTAL AMOUNT",
    "Total",
    "TOTAL PURCHASE",
    "AMOUNT",
)

LOCALES: dict[str, Locale] = {
    "US": Locale(
        code="US",
        money=(
            MoneyStyle("$", "prefix", ".", ",", "minus"),
            MoneyStyle("$", "prefix", ".", ",", "trailing"),
            MoneyStyle("$", "none", ".", ",", "trailing"),
            MoneyStyle("$", "prefix", ".", ",", "parens"),
            MoneyStyle("$", "prefix_space", ".", ",", "minus"),
        ),
        dates=("mdy_slash", "mdy_slash_short", "mdy_dash_short", "mon_d_y", "mon_d_comma_y", "ymd_iso"),
        times=("h24", "h12_ampm", "h12_space_ampm", "h12_sec_ampm", "h24_sec", "h12_lower"),
        taxes=(("TAX", "0.0825"), ("SALES TAX", "0.0725"), ("TAX 1", "0.06"), ("STATE TAX", "0.0475"), ("TX", "0.09")),
        subtotal_words=_EN_SUBTOTAL,
        total_words=_EN_TOTAL,
        change_words=("CHANGE", "CHANGE DUE", "Change", "CHG"),
        fuel_unit="GAL",
        cities=(
            ("SPRINGFIELD", "IL", "627##"),
            ("SANTA BARBARA", "CA", "931##"),
            ("AUSTIN", "TX", "787##"),
            ("PORTLAND", "OR", "972##"),
            ("COLUMBUS", "OH", "432##"),
            ("DENVER", "CO", "802##"),
            ("WESTLAKE VILLAGE", "CA", "91361"),
            ("BROOKLYN", "NY", "112##"),
        ),
        streets=("MAIN ST", "OAK AVE", "STATE ST", "W BROADWAY", "E 14TH ST", "MISSION BLVD", "HWY 101", "ELM RD"),
        phones=("(N##) N##-####", "N##-N##-####", "N##.N##.####", "(N##)N##-####"),
    ),
    "CA": Locale(
        code="CA",
        money=(MoneyStyle("$", "prefix", ".", ",", "minus"), MoneyStyle("$", "none", ".", "", "trailing")),
        dates=("ymd_iso", "ymd_dot", "dmy_slash", "mon_d_y"),
        times=("h24", "h12_space_ampm", "h24_sec"),
        taxes=(("HST 13%", "0.13"), ("GST", "0.05"), ("GST/HST", "0.13"), ("TPS", "0.05")),
        subtotal_words=_EN_SUBTOTAL,
        total_words=_EN_TOTAL,
        change_words=("CHANGE", "Change Due"),
        fuel_unit="L",
        cities=(("TORONTO", "ON", "@#@ #@#"), ("VANCOUVER", "BC", "@#@ #@#"), ("OTTAWA", "ON", "@#@ #@#")),
        streets=("KING ST W", "YONGE ST", "GRANVILLE ST", "BANK ST"),
        phones=("(N##) N##-####", "N##-N##-####"),
    ),
    "UK": Locale(
        code="UK",
        money=(MoneyStyle("£", "prefix", ".", ",", "minus"), MoneyStyle("£", "none", ".", ",", "trailing")),
        dates=("dmy_slash", "dmy_slash_short", "d_mon_y", "d_mon_y_dash"),
        times=("h24", "h24_sec"),
        taxes=(("VAT", "0.20"), ("VAT 20%", "0.20"), ("VAT @ 5%", "0.05")),
        subtotal_words=("SUBTOTAL", "Sub Total", "SUB-TOTAL", "BALANCE TO PAY"),
        total_words=("TOTAL", "BALANCE DUE", "AMOUNT DUE", "TOTAL TO PAY", "Total"),
        change_words=("CHANGE", "Change"),
        fuel_unit="L",
        cities=(("LONDON", "", "@@# #@@"), ("MANCHESTER", "", "@## #@@"), ("LEEDS", "", "@@# #@@")),
        streets=("HIGH STREET", "STATION ROAD", "CHURCH LANE", "MARKET SQUARE"),
        phones=("01### ######", "020 #### ####", "0161 ### ####"),
    ),
    "MY": Locale(
        code="MY",
        money=(
            MoneyStyle("RM", "prefix_space", ".", ",", "minus"),
            MoneyStyle("RM", "prefix", ".", ",", "minus"),
            MoneyStyle("RM", "none", ".", ",", "trailing"),
        ),
        dates=("dmy_slash", "dmy_dash", "ymd_dot", "d_mon_y"),
        times=("h24", "h12_space_ampm", "h24_sec"),
        taxes=(("SST 6%", "0.06"), ("GST 6%", "0.06"), ("SERVICE TAX", "0.06")),
        subtotal_words=("SUBTOTAL", "SUB TOTAL", "Sub-Total", "TOTAL SALES"),
        total_words=("TOTAL", "GRAND TOTAL", "TOTAL AMOUNT", "NETT TOTAL", "JUMLAH"),
        change_words=("CHANGE", "BAKI"),
        fuel_unit="L",
        cities=(
            ("KUALA LUMPUR", "", "5####"),
            ("PETALING JAYA", "SELANGOR", "47###"),
            ("JOHOR BAHRU", "JOHOR", "80###"),
        ),
        streets=("JALAN AMPANG", "JALAN SS 2/24", "JALAN BUKIT BINTANG", "JALAN TUN RAZAK"),
        phones=("0N-#### ####", "0N#-### ####"),
    ),
    "DE": Locale(
        code="DE",
        money=(
            MoneyStyle("€", "suffix_space", ",", ".", "minus"),
            MoneyStyle("EUR", "suffix_space", ",", ".", "minus"),
            MoneyStyle("€", "none", ",", ".", "trailing"),
        ),
        dates=("dmy_dot", "ymd_dot", "dmy_slash"),
        times=("h24", "h24_sec"),
        taxes=(("MWST 19%", "0.19"), ("MwSt. 7%", "0.07"), ("USt 19%", "0.19")),
        subtotal_words=("ZWISCHENSUMME", "Zwischensumme", "SUBTOTAL"),
        total_words=("SUMME", "GESAMT", "ZU ZAHLEN", "Summe", "TOTAL"),
        change_words=("RUECKGELD", "Rückgeld", "ZURUECK"),
        fuel_unit="L",
        cities=(("BERLIN", "", "10###"), ("MUENCHEN", "", "80###"), ("HAMBURG", "", "20###")),
        streets=("HAUPTSTR.", "BAHNHOFSTRASSE", "KOENIGSALLEE", "MARKTPLATZ"),
        phones=("0## #######", "+49 ## ######"),
    ),
}


@dataclass(frozen=True)
class Merchant:
    """A brand: the name as printed and as a directory would write it, its trade and its country."""

    printed: str
    display: str
    kind: str
    locale: str
    website: str | None = None
    category: str = ""


def _m(printed: str, display: str, kind: str, locale: str = "US", website: str | None = None) -> Merchant:
    return Merchant(printed, display, kind, locale, website, CATEGORIES[kind])


CATEGORIES: dict[str, str] = {
    "grocery": "grocery_or_supermarket",
    "restaurant": "restaurant",
    "fuel": "gas_station",
    "pharmacy": "pharmacy",
    "hardware": "hardware_store",
    "coffee": "cafe",
    "electronics": "electronics_store",
}

MERCHANTS: tuple[Merchant, ...] = (
    _m("TRADER JOE'S", "Trader Joe's", "grocery", website="traderjoes.com"),
    _m("SAFEWAY", "Safeway", "grocery", website="www.safeway.com"),
    _m("SPROUTS FARMERS MARKET", "Sprouts Farmers Market", "grocery", website="sprouts.com"),
    _m("GREEN VALLEY GROCERS", "Green Valley Grocers", "grocery"),
    _m("WHOLE FOODS MARKET", "Whole Foods Market", "grocery", website="wholefoodsmarket.com"),
    _m("FRESH CO", "FreshCo", "grocery", "CA", "freshco.com"),
    _m("TESCO", "Tesco", "grocery", "UK", "www.tesco.com"),
    _m("Sainsbury's", "Sainsbury's", "grocery", "UK", "sainsburys.co.uk"),
    _m("AEON BIG", "AEON BIG", "grocery", "MY", "www.aeonbig.com.my"),
    _m("REWE", "REWE", "grocery", "DE", "www.rewe.de"),
    _m("EDEKA Neukauf", "EDEKA", "grocery", "DE"),
    _m("THE BLUE DOOR BISTRO", "The Blue Door Bistro", "restaurant"),
    _m("LUIGI'S TRATTORIA", "Luigi's Trattoria", "restaurant", website="luigistrattoria.com"),
    _m("Golden Dragon", "Golden Dragon Restaurant", "restaurant"),
    _m("THE RED LION", "The Red Lion", "restaurant", "UK"),
    _m("RESTORAN NASI KANDAR PELITA", "Nasi Kandar Pelita", "restaurant", "MY"),
    _m("Brauhaus am Markt", "Brauhaus am Markt", "restaurant", "DE"),
    _m("SHELL", "Shell", "fuel", website="shell.us"),
    _m("CHEVRON", "Chevron", "fuel", website="chevron.com"),
    _m("ARCO", "ARCO", "fuel"),
    _m("PETRONAS", "Petronas", "fuel", "MY", "www.mymesra.com.my"),
    _m("ARAL", "Aral", "fuel", "DE", "www.aral.de"),
    _m("ESSO", "Esso", "fuel", "UK"),
    _m("CVS pharmacy", "CVS Pharmacy", "pharmacy", website="www.cvs.com"),
    _m("WALGREENS", "Walgreens", "pharmacy", website="walgreens.com"),
    _m("RITE AID", "Rite Aid", "pharmacy"),
    _m("Boots", "Boots", "pharmacy", "UK", "boots.com"),
    _m("GUARDIAN", "Guardian", "pharmacy", "MY"),
    _m("SHOPPERS DRUG MART", "Shoppers Drug Mart", "pharmacy", "CA"),
    _m("THE HOME DEPOT", "The Home Depot", "hardware", website="homedepot.com"),
    _m("ACE HARDWARE", "Ace Hardware", "hardware", website="acehardware.com"),
    _m("LOWE'S", "Lowe's", "hardware", website="lowes.com"),
    _m("OBI Markt", "OBI", "hardware", "DE", "www.obi.de"),
    _m("STARBUCKS", "Starbucks", "coffee", website="starbucks.com"),
    _m("PEET'S COFFEE", "Peet's Coffee", "coffee"),
    _m("Blue Bottle Coffee", "Blue Bottle Coffee", "coffee", website="bluebottlecoffee.com"),
    _m("COSTA COFFEE", "Costa Coffee", "coffee", "UK", "costa.co.uk"),
    _m("TIM HORTONS", "Tim Hortons", "coffee", "CA", "timhortons.ca"),
    _m("BEST BUY", "Best Buy", "electronics", website="BestBuy.com"),
    _m("MICRO CENTER", "Micro Center", "electronics", website="microcenter.com"),
    _m("CURRYS", "Currys", "electronics", "UK", "currys.co.uk"),
    _m("MEDIAMARKT", "MediaMarkt", "electronics", "DE", "mediamarkt.de"),
)

# Products by kind: (name, low price, high price). Prices are in the local currency.
PRODUCTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "grocery": (
        ("BANANAS", "0.19", "0.69"),
        ("ORGANIC WHOLE MILK", "3.49", "5.99"),
        ("SOURDOUGH BREAD", "2.99", "5.49"),
        ("LARGE EGGS DOZEN", "2.49", "6.99"),
        ("CHEDDAR CHEESE", "3.99", "7.99"),
        ("AVOCADO", "0.79", "1.99"),
        ("GREEK YOGURT", "0.99", "5.99"),
        ("PASTA PENNE", "0.99", "2.49"),
        ("MARINARA SAUCE", "2.29", "4.99"),
        ("CHICKEN BREAST", "5.99", "12.99"),
        ("Orange Juice", "2.99", "5.49"),
        ("Baby Spinach", "1.99", "4.49"),
        ("PEANUT BUTTER", "2.19", "4.99"),
        ("TORTILLA CHIPS", "1.99", "3.99"),
        ("SPARKLING WATER", "0.79", "1.49"),
        ("GALA APPLES", "1.29", "2.99"),
        ("COFFEE BEANS", "6.99", "12.99"),
        ("RICE JASMINE", "2.49", "8.99"),
        ("TOMATOES ON VINE", "1.99", "3.99"),
        ("PAPER TOWELS", "4.99", "11.99"),
        ("DARK CHOCOLATE BAR", "1.49", "3.99"),
        ("FROZEN PEAS", "0.99", "2.49"),
        ("OLIVE OIL EXTRA VIRGIN", "5.99", "14.99"),
        ("HUMMUS CLASSIC", "2.49", "4.49"),
    ),
    "restaurant": (
        ("Caesar Salad", "9.00", "14.00"),
        ("Margherita Pizza", "13.00", "19.00"),
        ("CHEESEBURGER", "11.00", "16.50"),
        ("Fish Tacos", "12.00", "17.00"),
        ("IPA DRAFT", "6.00", "9.00"),
        ("House Red Glass", "8.00", "13.00"),
        ("Iced Tea", "2.50", "4.00"),
        ("SPAGHETTI CARBONARA", "14.00", "21.00"),
        ("Kung Pao Chicken", "11.00", "15.00"),
        ("FRIES", "3.50", "6.00"),
        ("Tiramisu", "6.00", "9.00"),
        ("Soup of the Day", "5.00", "8.00"),
        ("NASI LEMAK", "6.50", "12.00"),
        ("TEH TARIK", "1.80", "3.50"),
        ("Schnitzel", "12.90", "18.90"),
    ),
    "pharmacy": (
        ("IBUPROFEN 200MG", "4.99", "11.99"),
        ("VITAMIN D3", "6.99", "14.99"),
        ("TOOTHPASTE", "2.99", "6.49"),
        ("SHAMPOO", "4.49", "9.99"),
        ("BANDAGES ASSORTED", "2.99", "6.99"),
        ("HAND SANITIZER", "1.99", "4.99"),
        ("COUGH DROPS", "1.99", "3.99"),
        ("ALLERGY RELIEF", "8.99", "19.99"),
        ("Greeting Card", "2.99", "6.99"),
        ("SUNSCREEN SPF 50", "7.99", "13.99"),
        ("LIP BALM", "1.49", "3.99"),
        ("RX PRESCRIPTION", "5.00", "45.00"),
    ),
    "hardware": (
        ("WOOD SCREWS", "3.98", "9.98"),
        ("CLAW HAMMER", "12.97", "24.98"),
        ("PAINT ROLLER", "4.97", "9.97"),
        ("LED BULB", "2.48", "8.98"),
        ("DUCT TAPE", "3.97", "7.98"),
        ("EXTENSION CORD", "8.97", "19.97"),
        ("PVC PIPE", "2.18", "6.48"),
        ("SANDPAPER PACK", "3.47", "8.97"),
        ("GARDEN HOSE", "19.98", "39.98"),
        ("WORK GLOVES", "5.97", "14.97"),
        ("CORDLESS DRILL", "79.00", "199.00"),
    ),
    "coffee": (
        ("Latte", "3.95", "5.95"),
        ("CAPPUCCINO", "3.75", "5.45"),
        ("Drip Coffee", "2.25", "3.45"),
        ("CROISSANT", "2.95", "4.25"),
        ("Cold Brew", "3.95", "5.25"),
        ("BLUEBERRY MUFFIN", "2.75", "3.95"),
        ("Chai Tea Latte", "4.15", "5.65"),
        ("Flat White", "3.80", "5.10"),
        ("Extra Shot", "0.80", "1.25"),
        ("Oat Milk", "0.50", "0.80"),
    ),
    "electronics": (
        ("USB-C CABLE", "9.99", "24.99"),
        ("WIRELESS MOUSE", "19.99", "49.99"),
        ("HDMI ADAPTER", "14.99", "29.99"),
        ("NOISE CANCELLING HEADPHONES", "149.99", "349.99"),
        ("27IN MONITOR", "189.99", "449.99"),
        ("LAPTOP 15 INCH", "649.99", "1899.99"),
        ("AA BATTERIES", "5.99", "14.99"),
        ("PHONE CASE", "14.99", "39.99"),
        ("SD CARD", "9.99", "39.99"),
        ("PROTECTION PLAN", "19.99", "129.99"),
    ),
}

FUELS: tuple[tuple[str, str, str], ...] = (
    ("UNLEADED", "2.899", "4.999"),
    ("REGULAR", "2.899", "4.799"),
    ("PREMIUM", "3.499", "5.699"),
    ("DIESEL", "3.199", "5.299"),
)
FUELS_METRIC: tuple[tuple[str, str, str], ...] = (
    ("UNLEADED 95", "1.459", "1.899"),
    ("SUPER E10", "1.599", "1.899"),
    ("DIESEL", "1.399", "1.799"),
    ("RON95", "2.050", "2.050"),
)

CASHIER_NAMES = ("MARIA", "JOHN", "Ashley", "KEVIN T", "PRIYA", "Sam", "LEE", "ANNA K", "JOSE", "FATIMA")
_CARDS = ("VISA", "MASTERCARD", "Visa", "MC", "AMEX")
CARD_BRANDS: dict[str, tuple[str, ...]] = {
    "US": (*_CARDS, "DISCOVER", "DEBIT", "US DEBIT"),
    "CA": (*_CARDS, "INTERAC", "DEBIT"),
    "UK": (*_CARDS, "MAESTRO", "DEBIT", "VISA DEBIT"),
    "MY": (*_CARDS, "MYDEBIT", "DEBIT"),
    "DE": (*_CARDS, "GIROCARD", "EC-KARTE", "Maestro"),
}
STORE_HOURS = (
    "OPEN 24 HOURS",
    "MON-SUN 7AM-10PM",
    "Mon-Fri 8:00AM - 9:00PM",
    "Daily 8am-10pm",
    "MON-SAT 9-21",
    "OPEN DAILY 6:00-23:00",
)
_EN_FOOTERS = (
    "THANK YOU",
    "THANK YOU FOR SHOPPING WITH US",
    "Thank you! Please come again",
    "HAVE A NICE DAY",
    "PLEASE KEEP YOUR RECEIPT",
    "*** CUSTOMER COPY ***",
    "ALL SALES FINAL ON CLEARANCE",
    "Tell us how we did!",
)
FOOTERS: dict[str, tuple[str, ...]] = {
    "US": _EN_FOOTERS,
    "CA": (*_EN_FOOTERS, "MERCI / THANK YOU"),
    "UK": (*_EN_FOOTERS, "Cheers!", "VAT REG NO. 123 4567 89"),
    "MY": ("TERIMA KASIH", "THANK YOU", "GOODS SOLD ARE NOT RETURNABLE", "SILA DATANG LAGI"),
    "DE": ("VIELEN DANK FUER IHREN EINKAUF", "Danke und auf Wiedersehen", "Kundenbeleg", "Steuer-Nr. 12/345/67890"),
}


def fill_pattern(pattern: str, rng: random.Random) -> str:
    """Expands `#` to a digit, `N` to a digit 2-9 (North American area codes) and `@` to a letter."""
    out = []
    for ch in pattern:
        if ch == "#":
            out.append(str(rng.randint(0, 9)))
        elif ch == "N":
            out.append(str(rng.randint(2, 9)))
        elif ch == "@":
            out.append(rng.choice(string.ascii_uppercase))
        else:
            out.append(ch)
    return "".join(out)


@dataclass(frozen=True)
class Store:
    """One location of a merchant: what the receipt header prints and what a places directory holds."""

    merchant: Merchant
    street: str
    city_line: str
    phone: str
    place_id: str
    store_number: str

    @property
    def address(self) -> str:
        return f"{self.street}, {self.city_line}"


_PLACE_ALPHABET = string.ascii_letters + string.digits + "_-"


def make_store(merchant: Merchant, rng: random.Random) -> Store:
    locale = LOCALES[merchant.locale]
    city, region, postcode = rng.choice(locale.cities)
    postcode = fill_pattern(postcode, rng)
    street = rng.choice(locale.streets)
    number = rng.randint(1, 9899)
    if locale.code == "DE":
        street_line = f"{street} {number % 200 + 1}"
        city_line = f"{postcode} {city}"
    elif locale.code == "MY":
        street_line = f"LOT {number % 300 + 1}, {street}"
        city_line = f"{postcode} {city}" + (f" {region}" if region else "")
    elif locale.code == "UK":
        street_line = f"{number % 250 + 1} {street}"
        city_line = f"{city} {postcode}"
    else:
        street_line = f"{number} {street}"
        city_line = f"{city}, {region} {postcode}" if rng.random() < 0.6 else f"{city} {region} {postcode}"
    phone = fill_pattern(rng.choice(locale.phones), rng)
    bits = rng.getrandbits(6 * 23)
    place_id = "ChIJ" + "".join(_PLACE_ALPHABET[(bits >> (6 * i)) & 63] for i in range(23))
    return Store(merchant, street_line, city_line, phone, place_id, f"{rng.randint(1, 9999):04d}")


def price(low: str, high: str, rng: random.Random, places: int = 2) -> Decimal:
    """A price between low and high, ending like real prices do (.99, .49, .00 ...)."""
    scale = 10**places
    lo, hi = int(Decimal(low) * scale), int(Decimal(high) * scale)
    value = rng.randint(lo, max(lo, hi))
    if places == 2 and rng.random() < 0.6:
        value = value - value % 100 + rng.choice((99, 49, 29, 79, 0, 50, 95, 98))
        value = max(value, lo)
    return Decimal(value) / scale


def rate(text: str) -> Decimal:
    return Decimal(text)
