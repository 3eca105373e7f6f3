"""What real-shape receipts are made of: the wording real receipts use (PHRASEBOOK.md of the shared real-world notes).

Each table is a list of (shape, weight); the weights follow the phrasebook's receipt counts roughly, and the shapes
generalise its rows (other rates, other names, other spacing) rather than copying them. Digits are filled in by the
sections; `{r}` is a tax rate such as 6.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")
Weighted = Sequence[tuple[T, float]]


def pick(rng: random.Random, options: Weighted[T]) -> T:
    """One option, drawn by weight."""
    return rng.choices([o for o, _ in options], [w for _, w in options])[0]


# -- flavours: which real receipts the set imitates (SROIE: Malaysia, GST era; WildReceipt: US, UK, some EU) -------

FLAVOURS: Weighted[str] = (("my", 55), ("us", 28), ("uk", 11), ("eu", 6))

# -- merchant names: composed from the words real merchant names hold --------------------------------------------

MY_PREFIXES: Weighted[str] = (
    ("", 50),
    ("SYARIKAT", 9),
    ("PERNIAGAAN", 10),
    ("KEDAI", 6),
    ("RESTORAN", 10),
    ("PASARAYA", 3),
    ("KEDAI PAPAN", 3),
)
MY_CORES: tuple[str, ...] = (
    "GIN KEE", "SHENG HUAT", "YEW CHUAN", "AIK HENG", "SENG LIAN", "WAN", "SANYU", "UNIHAKKA", "GARDENIA", "ALAF",
    "GERBANG", "SETIA ALAM", "POPULAR", "SPEED", "TEO", "CHUAN", "HUAT", "THREE ONE", "KUCHAI", "LIAN HENG",
    "MR", "KL", "SOON HUAT", "AIK CHUAN", "BESTARI", "AEON", "LEE KEE", "HOCK SENG",
)  # fmt: skip
MY_TRADES: Weighted[str] = (
    ("TRADING", 27),
    ("ENTERPRISE", 31),
    ("HARDWARE", 38),
    ("STATIONERY", 30),
    ("STATIONERY & BOOK", 15),
    ("BAKERIES", 20),
    ("INTERNATIONAL", 40),
    ("MART", 34),
    ("SEAFOOD", 11),
    ("MARKETING", 10),
    ("ELECTRICAL", 7),
    ("PHARMACY", 7),
    ("CONFECTIONERY", 7),
    ("CASH & CARRY", 20),
    ("SUPER MARKET", 6),
    ("SHOP", 30),
    ("RESTAURANT", 20),
    ("BOOK CO.", 10),
)
MY_SUFFIXES: Weighted[str] = (
    ("SDN BHD", 40),
    ("SDN. BHD.", 10),
    ("(M) SDN BHD", 8),
    ("(KL) SDN BHD", 4),
    ("S/B", 3),
    ("CO", 4),
    ("", 31),
)
# trade -> the kind of goods sold (products below)
MY_TRADE_KIND: dict[str, str] = {
    "HARDWARE": "hardware",
    "ELECTRICAL": "hardware",
    "STATIONERY": "stationery",
    "STATIONERY & BOOK": "stationery",
    "BOOK CO.": "stationery",
    "BAKERIES": "bakery",
    "CONFECTIONERY": "bakery",
    "SEAFOOD": "restaurant",
    "RESTAURANT": "restaurant",
    "PHARMACY": "pharmacy",
}
US_NAMES: tuple[str, ...] = ("JOE", "MARIA", "TONY", "LUCKY", "SAM", "ROSA", "HANK", "ELLA", "NICK", "GRACE")
US_TRADES: Weighted[str] = (
    ("DINER", 10),
    ("PIZZA", 10),
    ("MARKET", 12),
    ("CAFE", 10),
    ("GRILL", 8),
    ("DELI", 6),
    ("LIQUOR", 4),
    ("PHARMACY", 5),
    ("HARDWARE", 5),
    ("BAKERY", 5),
    ("SUPERMARKET", 5),
    ("DRESS FOR LESS", 3),
)
US_TRADE_KIND: dict[str, str] = {
    "DINER": "restaurant",
    "PIZZA": "restaurant",
    "CAFE": "restaurant",
    "GRILL": "restaurant",
    "DELI": "restaurant",
    "BAKERY": "bakery",
    "HARDWARE": "hardware",
    "PHARMACY": "pharmacy",
}

# -- products by kind: (name, low, high) in the local currency; glued names are what OCR makes of narrow print -----

REAL_PRODUCTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "hardware": (
        ("PVC PIPE 1/2\"", "2.50", "9.90"), ("CEMENT 50KG", "17.00", "22.00"), ("SCREW 2\" (100PCS)", "3.50", "8.00"),
        ("WALL PLUG", "1.20", "3.50"), ("PAINT BRUSH 3\"", "3.90", "9.90"), ("SILICONE SEALANT", "8.50", "15.90"),
        ("EXTENSION SOCKET", "19.90", "45.00"), ("LED BULB 12W", "6.90", "14.90"), ("MASKING TAPE", "2.20", "4.80"),
    ),
    "stationery": (
        ("A4 PAPER 80GSM", "9.90", "14.50"), ("PILOT PEN BLUE", "1.50", "3.20"), ("CLEAR HOLDER", "2.90", "7.50"),
        ("EXERCISE BOOK", "0.90", "2.60"), ("STAPLER NO.10", "4.90", "12.90"), ("CORRECTION TAPE", "2.50", "5.90"),
        ("ENVELOPE BROWN", "0.20", "1.50"), ("GLUE STICK", "1.90", "4.50"), ("HIGHLIGHTER", "1.80", "3.90"),
    ),
    "bakery": (
        ("ORIGINAL CLASSIC 400G", "3.50", "4.20"), ("WHOLEMEAL BREAD", "3.80", "4.90"), ("BUN KAYA", "0.90", "1.80"),
        ("CREAM ROLL", "0.90", "1.60"), ("CHOC BANANA MUFFIN", "1.50", "3.50"), ("TWISTER CORN", "1.00", "2.00"),
        ("BUTTERSCOTCH", "1.40", "2.30"), ("KAYA TOAST", "2.50", "4.00"),
    ),
    "restaurant": (
        ("NASI LEMAK", "4.50", "12.00"), ("TEH O AIS", "1.50", "3.00"), ("ROTI CANAI", "1.20", "2.50"),
        ("MEE GORENG", "5.50", "9.00"), ("CHICKEN RICE", "6.00", "10.00"), ("DietCoke", "2.00", "3.50"),
        ("Caprese", "8.00", "14.00"), ("CHEESEBURGER", "8.00", "15.00"), ("Iced Latte", "3.50", "6.00"),
        ("KOPI C", "1.60", "2.80"), ("FRIED RICE", "6.00", "12.00"),
    ),
    "pharmacy": (
        ("PANADOL 500MG", "5.90", "12.90"), ("VITAMIN C 1000MG", "19.90", "45.00"), ("PLASTER 10S", "2.50", "6.90"),
        ("HAND SANITIZER", "3.90", "9.90"), ("COUGH SYRUP", "8.90", "16.90"),
    ),
    "grocery": (
        ("MILO 1KG", "15.90", "21.50"), ("MAGGI KARI 5S", "4.20", "6.50"), ("BERAS 10KG", "26.00", "38.00"),
        ("EGG GRADE A 10S", "4.50", "6.20"), ("COOKING OIL 2KG", "9.90", "14.90"), ("SUGAR 1KG", "2.60", "3.20"),
        ("MINERAL WATER 1.5L", "1.00", "2.20"), ("ORANGETHORPE OJ", "3.50", "5.90"), ("BANANA", "0.50", "3.00"),
        ("DETERGENT 3KG", "15.90", "29.90"), ("TISSUE 10ROLLS", "9.90", "16.90"),
    ),
}  # fmt: skip

WEST_PRODUCTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "restaurant": (
        ("DietCoke", "1.99", "3.50"), ("Caprese", "8.00", "14.00"), ("CHEESEBURGER", "8.00", "15.00"),
        ("Iced Latte", "3.50", "6.00"), ("FRIES", "2.99", "5.50"), ("Pepperoni Slice", "2.50", "4.50"),
        ("Club Sandwich", "8.50", "13.00"), ("House Salad", "6.00", "10.00"), ("Lemonade", "2.50", "4.00"),
    ),
    "grocery": (
        ("MILK 1GAL", "3.49", "5.99"), ("EGGS DOZEN", "2.49", "5.99"), ("WHITE BREAD", "1.99", "3.99"),
        ("BANANAS", "0.49", "2.99"), ("ORANGE JUICE", "2.99", "5.49"), ("GROUND BEEF", "4.99", "9.99"),
        ("PAPER TOWELS", "4.99", "11.99"), ("CEREAL", "2.99", "5.99"), ("CHEDDAR", "2.99", "6.99"),
    ),
    "hardware": (("WOOD SCREWS", "3.98", "9.98"), ("DUCT TAPE", "3.97", "7.98"), ("LED BULB", "2.48", "8.98")),
    "pharmacy": (("IBUPROFEN", "4.99", "11.99"), ("TOOTHPASTE", "2.99", "6.49"), ("BANDAGES", "2.99", "6.99")),
    "bakery": (("CROISSANT", "1.95", "3.95"), ("BAGUETTE", "1.50", "3.50"), ("MUFFIN", "1.75", "3.25")),
}  # fmt: skip

QTY_MARKS: Weighted[str] = (("", 114), ("x", 9), ("@", 4), ("X", 3))

# -- wording around the totals (`{r}`: the tax rate in percent) --------------------------------------------------

# The final amount due: the GRAND_TOTAL line of the receipt.
MY_TOTAL_FINAL: Weighted[str] = (
    ("TOTAL", 95),
    ("TOTAL PAYABLE:", 58),
    ("NETT TOTAL:", 50),
    ("TOTAL :", 48),
    ("FINAL TOTAL", 41),
    ("TOTAL:", 36),
    ("TOTAL ROUNDED", 18),
    ("NET TOTAL", 17),
    ("TOTAL RM", 15),
    ("TOTAL AFTER ADJ INCL GST", 15),
    ("TOTAL AMT PAYABLE :", 10),
    ("ROUNDED TOTAL (RM):", 14),
    ("NET TOTAL :", 7),
    ("GRAND TOTAL", 7),
    ("TOTAL ROUNDED RM", 6),
    ("TOTAL AMT ROUNDED", 6),
    ("TOTAL : RM", 5),
    ("GRAND TOTAL :", 5),
    ("DUE", 5),
    ("TOTAL AFTER ROUNDING", 4),
    ("TOTAL AMOUNT", 4),
    ("TOTAL (RM) :", 4),
    ("T OTAL", 6),  # OCR splits a word
    ("NETT TOT AL:", 1),
)
# Totals that say they include the tax (the amount before any rounding).
MY_TOTAL_INCLUSIVE: Weighted[str] = (
    ("TOTAL SALES (INCLUSIVE OF GST) :", 48),
    ("TOTAL INCL. GST@{r}% RM", 37),
    ("TOTAL SALES (INCLUSIVE GST) RM", 16),
    ("TOTAL RM INCL. OF GST", 9),
    ("TOTAL SALES (INCLUSIVE OF GST)", 7),
    ("TOTAL INCLUDES GST {r}%", 7),
    ("TOTAL INCL. GST:RM", 7),
    ("TOTAL (GST INCL)", 6),
    ("TOTAL SALES(INCLUSIVE OF GST) :", 5),
    ("TOTAL INCLUSIVE GST:", 4),
    ("TOTAL INCLUDES {r}% GST", 15),
)
# Amounts excluding the tax: not the total (a defensible SUBTOTAL).
MY_EXCLUSIVE: Weighted[str] = (
    ("TOTAL SALES (EXCLUDING GST) :", 54),
    ("TOTAL (EXCLUDING GST):", 27),
    ("TOTAL {r}% SUPPLIES (EXCL. GST):", 57),
    ("TOTAL {r}% SUPPLIES:", 30),
)
MY_TAX: Weighted[str] = (
    ("GST @{r}%:", 51),
    ("TOTAL GST :", 71),
    ("GST:", 59),
    ("GST PAYABLE ({r}%):", 20),
    ("GST {r}%", 19),
    ("TAX TOTAL:", 18),
    ("{r}% GST", 9),
    ("GST", 9),
    ("GST PAYABLE:", 8),
    ("{r}%GST", 4),
)
MY_TAX_INCLUDED: Weighted[str] = (
    ("GST @{r}% INCLUDED IN TOTAL RM", 31),
    ("GST @{r}% INCLUDED IN TOTAL", 10),
    ("GST INCLUDED {r}%", 5),
)
MY_SUBTOTAL: Weighted[str] = (
    ("SUBTOTAL", 24),
    ("SUB-TOTAL", 18),
    ("SUB TOTAL", 8),
    ("Sub Total :", 4),
)
MY_ROUNDING: Weighted[str] = (
    ("ROUNDING :", 74),
    ("ROUND ADJ", 41),
    ("ROUNDING ADJ", 37),
    ("ROUNDING", 36),
    ("ROUNDING:", 19),
    ("ROUNDING ADJUSTMENT", 10),
    ("ROUNDING ADJ. :", 9),
    ("ROUNDING ADJUSTMENT:", 8),
    ("ROUNDING ADJ:", 8),
    ("ROUNDING RM", 6),
)
MY_GST_SUMMARY_ROWS: Weighted[str] = (
    ("SR = GST @{r}%", 39),
    ("GST S@{r}%", 12),
    ("S=GST @{r}%:", 7),
    ("SR @ {r}%", 8),
)
MY_ZERO_RATED: Weighted[str] = (("Z=GST @0%:", 8), ("ZR = GST @0%", 6), ("TOTAL 0% SUPPLIES:", 20), ("ZRL @ 0%", 3))
MY_QTY: Weighted[str] = (("TOTAL QTY:", 20), ("TOTAL QTY", 10), ("ITEM COUNT", 6), ("TOTAL ITEMS:", 4), ("QTY", 3))
MY_SAVINGS: Weighted[str] = (("TOTAL SAVINGS", 16), ("TOTAL SAVING", 6), ("YOU SAVED", 3), ("TOTAL DISCOUNT", 3))
MY_CASH: Weighted[str] = (
    ("CASH", 168),
    ("CASH RM", 68),
    ("CASH :", 27),
    ("CASH TENDERED", 13),
    ("CASH RECEIVED :", 8),
    ("Cash", 8),
    ("PAID AMOUNT :", 8),
    ("TENDER", 5),
)
MY_CHANGE: Weighted[str] = (
    ("CHANGE", 238),
    ("CHANGE :", 105),
    ("CHANGE RM", 55),
    ("CHANGE DUE :", 14),
    ("CHANGE:", 12),
    ("CASH CHANGE", 11),
    ("Change", 9),
    ("CHANGE:RM", 15),
    ("CHANGE DUE", 7),
    ("CHANGE AMT", 12),
)
CARD_WORDS: Weighted[str] = (
    ("VISA", 10),
    ("MASTER", 5),
    ("MASTERCARD", 4),
    ("CREDIT CARD", 6),
    ("DEBIT CARD", 3),
    ("AMEX", 2),
    ("CARD", 3),
)

US_SUBTOTAL: Weighted[str] = (
    ("SUBTOTAL", 32),
    ("Subtotal", 29),
    ("SubTotal", 10),
    ("Subtotal:", 8),
    ("SubTotal:", 8),
    ("Sub.Total:", 3),
    ("SUB-TOTAL", 3),
    ("NetTotal:", 3),
    ("Sub Tota l", 1),
)
US_TAX: Weighted[str] = (
    ("Tax", 17),
    ("TAX", 9),
    ("Tax:", 7),
    ("SALESTAX", 5),
    ("SalesTax{r}%", 4),
    ("SalesTax", 4),
    ("TOTALTAX", 3),
    ("Sales Tax", 6),
    ("TAX TOTAL:", 3),
)
US_TOTAL: Weighted[str] = (
    ("TOTAL", 40),
    ("Total", 22),
    ("TOTAL:", 20),
    ("Total:", 21),
    ("RECEIPTTOTAL:", 9),
    ("GRAND TOTAL", 7),
    ("AMOUNT DUE", 5),
    ("BALANCE DUE", 5),
    ("DUE", 3),
    ("TOTAL DUE", 4),
    ("TOTALDUE", 3),
)
UK_TOTAL: Weighted[str] = (
    ("TOTAL", 20),
    ("Total", 10),
    ("BALANCE DUE", 6),
    ("TOTAL TO PAY", 4),
    ("TOTAL INCL. VAT", 5),
    ("TOTAL (VAT INCL)", 3),
    ("AMOUNT DUE", 3),
)
UK_VAT_INCLUDED: Weighted[str] = (
    ("VAT INCLUDED {r}%", 5),
    ("VAT @{r}% INCLUDED", 3),
    ("INCL. VAT {r}%", 3),
    ("VAT {r}%", 4),
)
EU_TOTAL: Weighted[str] = (("TOTAL", 10), ("SUMME", 6), ("Total", 5), ("ZU ZAHLEN", 3), ("TOTAL EUR", 3))
EU_TAX: Weighted[str] = (("MwSt {r}%", 5), ("VAT {r}%", 4), ("TVA {r}%", 3), ("MWST", 3))
US_CASH: Weighted[str] = (("CASH", 10), ("Cash", 8), ("CASH TEND", 4), ("Cash Tendered", 3))
US_CHANGE: Weighted[str] = (("CHANGE", 10), ("Change", 9), ("CHANGE DUE", 5), ("Change Due", 4), ("CHG", 2))

# -- contact shapes (phrasebook PHONE_NUMBER shapes); `#` digit, `N` digit 2-9 -------------------------------------

MY_PHONES: Weighted[str] = (
    ("03-########", 6),
    ("0##-#######", 5),
    ("03-#######", 3),
    ("03-#### ####", 4),
    ("0##########", 2),
    ("########", 3),
    ("+603-########", 1),
)
US_PHONES: Weighted[str] = (
    ("(N##)N##-####", 32),
    ("N##-N##-####", 31),
    ("N##N######", 12),
    ("(N##) N##-####", 10),
    ("1N##N######", 4),
    ("+1N##N######", 3),
)
UK_PHONES: Weighted[str] = (("0##########", 6), ("020 #### ####", 4), ("+44##########", 3), ("01### ######", 3))
EU_PHONES: Weighted[str] = (("0## #######", 4), ("+49 ## ######", 3), ("0#########", 3))

MY_STREETS: tuple[str, ...] = (
    "JALAN SS 2/24", "JALAN PUCHONG", "JALAN KUCHAI LAMA", "JALAN AMPANG", "JALAN SETIA PRIMA", "JALAN PAPAN",
    "JALAN TEMENGGUNG 21/9", "JALAN MERANTI", "LORONG BUNGA RAYA",
)  # fmt: skip
MY_TOWNS: tuple[tuple[str, str], ...] = (
    ("47300", "PETALING JAYA, SELANGOR"), ("58200", "KUALA LUMPUR"), ("40170", "SHAH ALAM, SELANGOR"),
    ("43300", "SERI KEMBANGAN, SELANGOR"), ("81100", "JOHOR BAHRU, JOHOR"), ("43000", "KAJANG, SELANGOR"),
    ("47100", "PUCHONG, SELANGOR"), ("52200", "KUALA LUMPUR"),
)  # fmt: skip
US_STREETS: tuple[str, ...] = (
    "ORANGETHORPE AVE", "HARBOR BLVD", "MAIN ST", "BROADWAY", "EUCLID ST", "BEACH BLVD", "STATE COLLEGE BLVD",
)  # fmt: skip
US_TOWNS: tuple[tuple[str, str, str], ...] = (
    ("FULLERTON", "CA", "92831"), ("ANAHEIM", "CA", "92801"), ("BROOKLYN", "NY", "11201"), ("AUSTIN", "TX", "78701"),
    ("CHICAGO", "IL", "60601"),
)  # fmt: skip
UK_STREETS: tuple[str, ...] = ("HIGH STREET", "LONDON ROAD", "CHURCH STREET", "STATION ROAD")
UK_TOWNS: tuple[tuple[str, str], ...] = (("LONDON", "SW1A 1AA"), ("LEEDS", "LS1 4DY"), ("BRISTOL", "BS1 5TR"))
EU_STREETS: tuple[str, ...] = ("HAUPTSTRASSE", "RUE DE LA PAIX", "KERKSTRAAT")
EU_TOWNS: tuple[tuple[str, str], ...] = (("BERLIN", "10115"), ("PARIS", "75002"), ("AMSTERDAM", "1012"))

FOOTERS: dict[str, tuple[str, ...]] = {
    "my": (
        "THANK YOU. PLEASE COME AGAIN.", "GOODS SOLD ARE NOT RETURNABLE", "TERIMA KASIH", "*** THANK YOU ***",
        "KEEP THIS RECEIPT FOR EXCHANGE", "PRICE INCLUSIVE OF GST",
    ),
    "us": ("THANK YOU", "Thank you for dining with us!", "PLEASE COME AGAIN", "CUSTOMER COPY", "Tell us how we did"),
    "uk": ("THANK YOU FOR SHOPPING", "PLEASE RETAIN YOUR RECEIPT", "VAT NO. 123 4567 89"),
    "eu": ("DANKE", "MERCI", "BEDANKT"),
}  # fmt: skip
