"""Phone numbers, web addresses, store hours, loyalty ids and payment methods as text: pure patterns, no evidence.

Patterns are meant to run over whole rows: a phone is often split into `(805)` `555-0100`.
"""

from __future__ import annotations

import re

PHONE_PATTERNS: list[re.Pattern[str]] = [
    # (805) 555-0100, 805-555-0100, 805.555.0100, 1-800-555-0100, +1 805 555 0100
    re.compile(r"(?<![\d\w])(?:\+?1[\s.\-]?)?\(?\d{3}\)?[\s.\-]?\d{3}[\s.\-]\d{4}(?!\d)"),
    # +44 20 7946 0958, +49 (0)30 1234567, +61 2 9374 4000
    re.compile(r"(?<!\w)\+\d{1,3}(?:[\s.\-]?\(?\d{1,4}\)?){2,5}(?!\d)"),
    # 065 9413 4683, 02 9374 4000, 020 7946 0958, 03-2161 6000: national numbers with a trunk 0
    re.compile(r"(?<![\d\w.,/])\(?0\d{1,4}\)?[\s\-]\d{3,4}[\s\-]?\d{3,4}(?![\d.,/])"),
    # 8055550100 (ten digits, no separators: weaker, may be an id)
    re.compile(r"(?<![\d\w])1?\d{10}(?![\d\w])"),
    # 555-0100 (local)
    re.compile(r"(?<![\d\w.\-/])\d{3}-\d{4}(?![\d\-/])"),
]
PHONE_KEYWORD = re.compile(r"\b(?:TEL|TELEFON|TELEPHONE|PHONE|PH|PHN|FONE|CALL|T|STORE|FAX)\b\.?:?|☎", re.IGNORECASE)
WEB_PATTERN = re.compile(
    r"(?<![\w@])(?:https?://)?(?:www\.)?[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*"
    r"\.(?:com|net|org|co|us|uk|ca|au|de|fr|es|it|nl|io|info|biz|store|shop|edu|gov|me|app)(?:\.[a-z]{2})?"
    r"(?:/[^\s]*)?(?![\w.])"
    r"|(?<!\w)www\.[^\s]+"
    r"|[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+",
    re.IGNORECASE,
)
_DAY = r"(?:MON|TUE|TUES|WED|THU|THUR|THURS|FRI|SAT|SUN)(?:DAY|S|\.)?"
HOURS_PATTERN = re.compile(
    rf"\b{_DAY}\s*(?:-|–|TO|THRU|THROUGH|&)\s*{_DAY}\b"
    r"|\b\d{1,2}(?::\d{2})?\s*(?:[AP]\.?M\.?)?\s*(?:-|–|TO)\s*\d{1,2}(?::\d{2})?\s*[AP]\.?M\.?"
    r"|\b\d{1,2}:\d{2}\s*(?:-|–)\s*\d{1,2}:\d{2}\b"
    r"|\bOPEN\s+24\s*(?:HOURS|HRS|H)\b|\b24\s*(?:HOURS|HRS)\b|\b24/7\b|\b(?:STORE\s+)?HOURS\b|\bHRS\b"
    rf"|\bOPEN\s+DAILY\b|\bDAILY\b|\b{_DAY}\s+CLOSED\b|\bCLOSED\s+{_DAY}",
    re.IGNORECASE,
)
LOYALTY_KEYWORD = re.compile(
    r"\b(?:MEMBER(?:SHIP)?|REWARDS?|LOYALTY|CLUB|ACCOUNT|ACCT|CUSTOMER|CUST|POINTS?|PLUS|BONUS|ADVANTAGE|CARD\s*(?:#|NO))\b",
    re.IGNORECASE,
)
LOYALTY_SHAPE = re.compile(r"^[#:]?[A-Z]{0,4}[-#:]?[X*•\d\-]{4,}$", re.IGNORECASE)
PAYMENT_WORD = re.compile(
    r"^(?:VISA|MASTERCARD|MASTER|MC|AMEX|AMERICAN|EXPRESS|DISCOVER|DEBIT|CREDIT|CASH|EBT|CARD|CHECK|CHEQUE"
    r"|APPLE|GOOGLE|PAY|PAYPAL|CONTACTLESS|CHIP|TAP|GIFT|JCB|DINERS|UNIONPAY|INTERAC|MAESTRO|SNAP|EFTPOS|GIROCARD"
    r"|EC-KARTE|KARTE)[:.]?$",
    re.IGNORECASE,
)
# A payment word glued or spelled locally (`MYDEBIT`, `E-WALLET`, `GRABPAY`, `CREDITCARD`): probably a payment method.
PAYMENT_PART = re.compile(
    r"VISA|MASTER|DEBIT|CREDIT|AMEX|CARD|CASH|PAY|WALLET|EBT|TNG|BOOST|MAESTRO|INTERAC|EFTPOS|CHEQUE|NETS|ALIPAY",
    re.IGNORECASE,
)
MASKED_CARD = re.compile(r"^(?:[X*#•]{2,}[\s\-]*){1,4}\d{2,4}$|^(?:ACCT|CARD|#):?[X*#•]*\d{4}$", re.IGNORECASE)


def phone_digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def is_phone(text: str) -> bool:
    """A whole text shaped like a phone number with separators (the shapes that are not also plain ids)."""
    t = text.strip()
    return any(p.fullmatch(t) for p in PHONE_PATTERNS[:3])


def is_web(text: str) -> bool:
    return bool(WEB_PATTERN.fullmatch(text.strip().rstrip(".,")))


HOURS_FRAGMENT = re.compile(
    rf"^(?:{_DAY}|OPEN|CLOSED|HOURS?:?|HRS:?|DAILY|24|-|–|TO|THRU|&|[AP]\.?M\.?|\d{{1,2}}(?::\d{{2}})?(?:[AP]\.?M\.?)?"
    r"|\d{1,2}(?::\d{2})?[AP]?M?-\d{1,2}(?::\d{2})?[AP]?M?)[,:;]?$",
    re.IGNORECASE,
)
