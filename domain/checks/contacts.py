"""Phone numbers, web addresses, store hours, loyalty ids and payment methods: shapes a word must have.

Patterns run over whole rows (a phone is often split into `(805)` `555-0100`), and a claim is supported when its word
is covered by a match. A refutation is decisive only when the word is clearly something else or has no chance of the
claimed shape.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from domain.model import Answer, Evidence

if TYPE_CHECKING:
    from domain.checks.facts import ReceiptFacts
    from domain.model import ReceiptWord

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
_LOYALTY_SHAPE = re.compile(r"^[#:]?[A-Z]{0,4}[-#:]?[X*•\d\-]{4,}$", re.IGNORECASE)
PAYMENT_WORD = re.compile(
    r"^(?:VISA|MASTERCARD|MASTER|MC|AMEX|AMERICAN|EXPRESS|DISCOVER|DEBIT|CREDIT|CASH|EBT|CARD|CHECK|CHEQUE"
    r"|APPLE|GOOGLE|PAY|PAYPAL|CONTACTLESS|CHIP|TAP|GIFT|JCB|DINERS|UNIONPAY|INTERAC|MAESTRO|SNAP|EFTPOS|GIROCARD"
    r"|EC-KARTE|KARTE)[:.]?$",
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


def _ev(question: str, answer: Answer, detail: str, check: str, decisive: bool = False) -> Evidence:
    return Evidence(question=question, answer=answer, detail=detail, source=f"rule:contacts.{check}", decisive=decisive)


def phone_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Is the word part of a phone number?"
    match = facts.phones.get(key)
    if match is not None:
        digits = phone_digits(match)
        row = facts.row_of(key)
        strong = len(digits) != 10 or not match.isdigit()
        keyword = row is not None and bool(PHONE_KEYWORD.search(row.text))
        out = [_ev(q, Answer.SUPPORTS, f"{match!r} has {len(digits)} digits", "phone", decisive=strong or keyword)]
        meta = facts.metadata_phone
        if meta and len(meta) >= 7:
            same = digits.endswith(meta[-10:]) or meta.endswith(digits[-10:])
            mq = "Does it have the digits of the store's phone number?"
            out.append(_ev(mq, Answer.SUPPORTS if same else Answer.UNKNOWN, f"{match!r} vs metadata", "metadata"))
        return out
    identity = facts.identity(word.text)
    if identity:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is {identity}", "phone", decisive=True)]
    row = facts.row_of(key)
    keyword = row is not None and bool(PHONE_KEYWORD.search(row.text))
    if row is not None and not keyword and LOYALTY_KEYWORD.search(row.text):
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is on a member/rewards line", "phone", decisive=True)]
    other = facts.structures(key) & {"date", "time", "hours", "address line", "item line", "totals line"}
    if other and not keyword:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is on a {'/'.join(sorted(other))}", "phone", decisive=True)]
    if len(phone_digits(word.text)) >= 7 or (keyword and re.fullmatch(r"[\d()+\-.\s]+", word.text)):
        return [_ev(q, Answer.REFUTES, f"{word.text!r} has no phone shape I know", "phone")]
    return [_ev(q, Answer.REFUTES, f"{word.text!r} is not part of a phone number", "phone", decisive=True)]


def web_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Is the word a web or e-mail address?"
    if key in facts.webs:
        return [_ev(q, Answer.SUPPORTS, f"{word.text!r} has a web address shape", "web", decisive=True)]
    identity = facts.identity(word.text)
    if identity:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is {identity}", "web", decisive=True)]
    text = word.text.strip().lower()
    if "." in text.strip(".") or "@" in text or text.startswith("www") or text in {"http", "https"}:
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is not a complete address", "web")]
    return [_ev(q, Answer.REFUTES, f"{word.text!r} has no web address shape", "web", decisive=True)]


_HOURS_FRAGMENT = re.compile(
    rf"^(?:{_DAY}|OPEN|CLOSED|HOURS?:?|HRS:?|DAILY|24|-|–|TO|THRU|&|[AP]\.?M\.?|\d{{1,2}}(?::\d{{2}})?(?:[AP]\.?M\.?)?"
    r"|\d{1,2}(?::\d{2})?[AP]?M?-\d{1,2}(?::\d{2})?[AP]?M?)[,:;]?$",
    re.IGNORECASE,
)


def hours_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Is the word part of the store's opening hours?"
    row = facts.row_of(key)
    if key in facts.hours:
        return [_ev(q, Answer.SUPPORTS, f"{row.text if row else word.text!r} reads as opening hours", "hours", True)]
    identity = facts.identity(word.text)
    if identity and identity != "a time":
        return [_ev(q, Answer.REFUTES, f"{word.text!r} is {identity}", "hours", decisive=True)]
    row_has_hours = row is not None and any((w.line_id, w.word_id) in facts.hours for w in row.words)
    if row_has_hours and _HOURS_FRAGMENT.match(word.text.strip()):
        return [_ev(q, Answer.SUPPORTS, f"{word.text!r} on an opening-hours line", "hours")]
    if row_has_hours:
        return [_ev(q, Answer.UNKNOWN, "other words on the line are opening hours", "hours")]
    return [_ev(q, Answer.REFUTES, f"no opening hours on the line of {word.text!r}", "hours", decisive=True)]


def loyalty_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Does the word look like a loyalty or member number?"
    text = word.text.strip()
    row = facts.row_of(key)
    keyword = row is not None and bool(LOYALTY_KEYWORD.search(row.text))
    identity = facts.identity(text)
    if identity in {"a money amount", "a date", "a time", "a web address"}:
        return [_ev(q, Answer.REFUTES, f"{text!r} is {identity}", "loyalty", decisive=True)]
    other = facts.structures(key) & {
        "date",
        "time",
        "hours",
        "address line",
        "item line",
        "totals line",
        "date/time line",
    }
    if other and not keyword:
        return [_ev(q, Answer.REFUTES, f"{text!r} is on a {'/'.join(sorted(other))}", "loyalty", decisive=True)]
    digits = sum(c.isdigit() for c in text)
    masked = sum(c in "X*•x" for c in text)
    if _LOYALTY_SHAPE.match(text) and digits + masked >= 4 and digits >= 2:
        detail = f"{text!r} is an id" + (" on a member/rewards line" if keyword else "")
        return [_ev(q, Answer.SUPPORTS, detail, "loyalty", decisive=keyword and identity is None)]
    if digits == 0 and masked < 4:
        return [_ev(q, Answer.REFUTES, f"{text!r} has no digits", "loyalty", decisive=True)]
    return [_ev(q, Answer.UNKNOWN, f"{text!r} has an unusual id shape", "loyalty")]


def payment_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Does the word name a way of paying (card brand, masked card number, cash)?"
    text = word.text.strip()
    if PAYMENT_WORD.match(text) or MASKED_CARD.match(text):
        return [_ev(q, Answer.SUPPORTS, f"{text!r} is a payment method", "payment", decisive=True)]
    identity = facts.identity(text)
    if identity:
        return [_ev(q, Answer.REFUTES, f"{text!r} is {identity}", "payment", decisive=True)]
    row = facts.row_of(key)
    if row is None:
        return []
    if row.roles - {"COUNT", "TENDER"} and "TENDER" not in row.roles:
        return [_ev(q, Answer.REFUTES, f"{text!r} is on a {'/'.join(sorted(row.roles))} line", "payment", True)]
    names_payment = any(
        PAYMENT_WORD.match(w.text) or MASKED_CARD.match(w.text) or re.fullmatch(r"[X*•#]{4,}", w.text, re.IGNORECASE)
        for w in row.words
    )
    if names_payment and re.fullmatch(r"[X*•#]{3,}|\d{4}|[X*•#]+\d{1,4}", text, re.IGNORECASE):
        return [_ev(q, Answer.SUPPORTS, f"{text!r} is part of the card number on {row.text!r}", "payment", True)]
    if names_payment:
        return [_ev(q, Answer.UNKNOWN, f"{text!r} on a payment line", "payment")]
    near = [r for r in facts.rows[max(0, row.index - 1) : row.index + 2] if "TENDER" in r.roles]
    if near:
        return [_ev(q, Answer.UNKNOWN, f"{text!r} near a payment line", "payment")]
    return [_ev(q, Answer.REFUTES, f"{text!r} is not a payment word and no payment line is near", "payment", True)]
