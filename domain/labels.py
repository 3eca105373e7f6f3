"""The label taxonomy: the names a table may hold, what they mean, and the legacy aliases seen in real tables."""

from __future__ import annotations

CORE_LABELS: dict[str, str] = {
    "MERCHANT_NAME": "Trading name of the store or business that issued the receipt.",
    "STORE_HOURS": "Opening hours printed on the receipt.",
    "PHONE_NUMBER": "Telephone number of the store.",
    "WEBSITE": "Web address or e-mail of the store.",
    "LOYALTY_ID": "Customer loyalty, rewards or member number.",
    "ADDRESS_LINE": "Part of the store's street address (street, city, state, postcode).",
    "DATE": "Date of the transaction.",
    "TIME": "Time of the transaction.",
    "PAYMENT_METHOD": "How the customer paid (card brand, last digits, cash).",
    "COUPON": "A coupon or voucher applied to the purchase.",
    "DISCOUNT": "A discount or saving amount.",
    "PRODUCT_NAME": "Name of a purchased item.",
    "QUANTITY": "How many units of an item were bought (count or weight).",
    "UNIT_PRICE": "Price of one unit of an item.",
    "LINE_TOTAL": "Total price of one item line (quantity times unit price).",
    "SUBTOTAL": "Sum of the item lines before tax.",
    "TAX": "Sales tax, VAT or GST amount.",
    "GRAND_TOTAL": "Final amount due, including tax.",
}

EXTRA_LABELS: dict[str, str] = {
    "TIP": "Gratuity added to the bill.",
    "CHANGE": "Change given back to the customer.",
    "CASH_BACK": "Cash withdrawn with the purchase.",
    "REFUND": "Amount refunded to the customer.",
}

LABEL_DESCRIPTIONS: dict[str, str] = {**CORE_LABELS, **EXTRA_LABELS}
ALL_LABELS: tuple[str, ...] = tuple(LABEL_DESCRIPTIONS)

LEGACY_ALIASES: dict[str, str] = {
    "BUSINESS_NAME": "MERCHANT_NAME",
    "ADDRESS": "ADDRESS_LINE",
    "PHONE": "PHONE_NUMBER",
    "TOTAL": "GRAND_TOTAL",
    "CARD_NUMBER": "PAYMENT_METHOD",
    "PAYMENT_TYPE": "PAYMENT_METHOD",
}

# Labels whose word is a money amount.
AMOUNT_LABELS: frozenset[str] = frozenset(
    {
        "UNIT_PRICE",
        "LINE_TOTAL",
        "SUBTOTAL",
        "TAX",
        "GRAND_TOTAL",
        "DISCOUNT",
        "COUPON",
        "TIP",
        "CHANGE",
        "CASH_BACK",
        "REFUND",
    }
)


class UnknownLabelError(ValueError):
    """A label name that is neither a known label nor a legacy alias."""


def canonical_label(name: str) -> str:
    """The canonical name for `name`, mapping legacy aliases; raises UnknownLabelError otherwise."""
    upper = name.strip().upper()
    if upper in LABEL_DESCRIPTIONS:
        return upper
    if upper in LEGACY_ALIASES:
        return LEGACY_ALIASES[upper]
    raise UnknownLabelError(f"unknown label {name!r}")
