"""PHONE_NUMBER, WEBSITE, STORE_HOURS, LOYALTY_ID, PAYMENT_METHOD: shapes a word must have.

A claim is supported when its word is covered by a match on its row (a phone is often split into `(805)` `555-0100`).
A refutation is strong only when the word is clearly something else or has no chance of the claimed shape.
"""

from __future__ import annotations

import re

from domain.checks.facts import ReceiptFacts
from domain.checks.judging.evidence import ev
from domain.checks.reading.contacts import (
    HOURS_FRAGMENT,
    LOYALTY_KEYWORD,
    LOYALTY_SHAPE,
    MASKED_CARD,
    PAYMENT_PART,
    PAYMENT_WORD,
    PHONE_KEYWORD,
    phone_digits,
)
from domain.checks.reading.keywords import ANY_TOTAL, ROUNDING
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWord

S, R, U = Answer.SUPPORTS, Answer.REFUTES, Answer.UNKNOWN
FORM, POSITION, KEYWORD, METADATA = (
    EvidenceKind.FORM,
    EvidenceKind.POSITION,
    EvidenceKind.KEYWORD,
    EvidenceKind.METADATA,
)
_WORD_SHAPES = {"date", "time", "hours", "phone", "web"}


def phone_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Is the word part of a phone number?"
    row = facts.row_of(key)
    keyword = row is not None and bool(PHONE_KEYWORD.search(row.text))
    match = facts.phones.get(key)
    if match is not None:
        digits = phone_digits(match)
        # Ten bare digits may also be an id; separators or another length make the shape unmistakable.
        strong = len(digits) != 10 or not match.isdigit()
        out: list[Evidence] = [ev("contacts.phone", q, S, f"{match!r} has {len(digits)} digits", FORM, strong=strong)]
        if keyword:
            out.append(ev("contacts.keyword", "Does its line name a phone?", S, "TEL/PHONE on the line", KEYWORD))
        meta = facts.metadata_phone
        if len(meta) >= 7:
            same = digits.endswith(meta[-10:]) or meta.endswith(digits[-10:])
            mq = "Does it have the digits of the store's phone number?"
            out.append(ev("contacts.metadata", mq, S if same else U, f"{match!r} vs metadata", METADATA))
        return out
    identity = facts.identity(word.text)
    if identity:
        return [ev("contacts.phone", q, R, f"{word.text!r} is {identity}", FORM, strong=True)]
    if row is not None and not keyword and LOYALTY_KEYWORD.search(row.text):
        return [ev("contacts.phone", q, R, f"{word.text!r} is on a member/rewards line", KEYWORD, strong=True)]
    structures = facts.structures(key)
    if structures & _WORD_SHAPES:
        detail = f"{word.text!r} is part of a {'/'.join(sorted(structures & _WORD_SHAPES))}"
        return [ev("contacts.phone", q, R, detail, FORM, strong=True)]
    out = []
    lines = structures & {"address line", "item line", "totals line"}
    if lines and not keyword:
        detail = f"{word.text!r} is on a {'/'.join(sorted(lines))}"
        out.append(ev("contacts.phone_line", q, R, detail, POSITION, strong=True))
    if len(phone_digits(word.text)) >= 7 or (keyword and re.fullmatch(r"[\d()+\-.\s]+", word.text)):
        return [*out, ev("contacts.phone", q, R, f"{word.text!r} has no phone shape I know", FORM)]
    return [*out, ev("contacts.phone", q, R, f"{word.text!r} is not part of a phone number", FORM, strong=True)]


def web_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Is the word a web or e-mail address?"
    if key in facts.webs:
        return [ev("contacts.web", q, S, f"{word.text!r} has a web address shape", FORM, strong=True)]
    identity = facts.identity(word.text)
    if identity:
        return [ev("contacts.web", q, R, f"{word.text!r} is {identity}", FORM, strong=True)]
    text = word.text.strip().lower()
    if "." in text.strip(".") or "@" in text or text.startswith("www") or text in {"http", "https"}:
        return [ev("contacts.web", q, R, f"{word.text!r} is not a complete address", FORM)]
    return [ev("contacts.web", q, R, f"{word.text!r} has no web address shape", FORM, strong=True)]


def hours_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Is the word part of the store's opening hours?"
    row = facts.row_of(key)
    if key in facts.hours:
        detail = f"{row.text if row else word.text!r} reads as opening hours"
        return [ev("contacts.hours", q, S, detail, FORM, strong=True)]
    identity = facts.identity(word.text)
    if identity and identity != "a time":
        return [ev("contacts.hours", q, R, f"{word.text!r} is {identity}", FORM, strong=True)]
    row_has_hours = row is not None and any(k in facts.hours for k in row.keys)
    if row_has_hours and HOURS_FRAGMENT.match(word.text.strip()):
        return [ev("contacts.hours", q, S, f"{word.text!r} on an opening-hours line", POSITION)]
    if row_has_hours:
        return [ev("contacts.hours", q, U, "other words on the line are opening hours", POSITION)]
    return [ev("contacts.hours", q, R, f"no opening hours on the line of {word.text!r}", FORM, strong=True)]


def loyalty_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Does the word look like a loyalty or member number?"
    text = word.text.strip()
    row = facts.row_of(key)
    keyword = row is not None and bool(LOYALTY_KEYWORD.search(row.text))
    identity = facts.identity(text)
    if identity in {"a money amount", "a date", "a time", "a web address"}:
        return [ev("contacts.loyalty", q, R, f"{text!r} is {identity}", FORM, strong=True)]
    structures = facts.structures(key)
    own = structures & {"date", "time", "hours"}
    if own and not keyword:
        return [ev("contacts.loyalty", q, R, f"{text!r} is part of a {'/'.join(sorted(own))}", FORM, strong=True)]
    out: list[Evidence] = []
    lines = structures & {"address line", "item line", "totals line", "date/time line"}
    if lines and not keyword:
        detail = f"{text!r} is on a {'/'.join(sorted(lines))}"
        out.append(ev("contacts.loyalty_line", q, R, detail, POSITION, strong=True))
    digits = sum(c.isdigit() for c in text)
    masked = sum(c in "X*•x" for c in text)
    if LOYALTY_SHAPE.match(text) and digits + masked >= 4 and digits >= 2:
        out.append(ev("contacts.loyalty", q, S, f"{text!r} is an id", FORM))
        if keyword and identity is None and row is not None:
            out.append(ev("contacts.keyword", "Does its line name a member account?", S, row.text, KEYWORD))
        return out
    if digits == 0 and masked < 4:
        return [*out, ev("contacts.loyalty", q, R, f"{text!r} has no digits", FORM, strong=True)]
    return [*out, ev("contacts.loyalty", q, R, f"{text!r} has an unusual id shape", FORM)]


def payment_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    key = (word.line_id, word.word_id)
    q = "Does the word name a way of paying (card brand, masked card number, cash)?"
    text = word.text.strip()
    row = facts.row_of(key)
    member = (
        row is not None
        and bool(LOYALTY_KEYWORD.search(row.text))
        and not any(PAYMENT_WORD.match(w.text) and w.text.strip(":.").upper() != "CARD" for w in row.words)
    )
    if PAYMENT_WORD.match(text) or MASKED_CARD.match(text):
        # A masked number on a member-card line is the member's number more often than a payment card.
        unmasked = MASKED_CARD.match(text) and not re.search(r"[X*•]", text, re.IGNORECASE)  # `#7643`: a store?
        # `CASH & CARRY` in the store's name at the top is the name, not how the customer paid.
        named = row is not None and (
            row.index in facts.merchant_rows or (bool(facts.regions.item_rows) and row.index < facts.regions.header_end)
        )
        strong = not member and not named and not (unmasked and not PAYMENT_WORD.match(text))
        return [ev("contacts.payment", q, S, f"{text!r} is a payment method", FORM, strong=strong)]
    identity = facts.identity(text)
    if identity:
        return [ev("contacts.payment", q, R, f"{text!r} is {identity}", FORM, strong=True)]
    if PAYMENT_PART.search(text):
        return [ev("contacts.payment", q, S, f"{text!r} contains a payment word", FORM)]
    if row is None:
        return []
    if row.roles - {"COUNT", "TENDER", ANY_TOTAL, ROUNDING} and "TENDER" not in row.roles:
        detail = f"{text!r} is on a {'/'.join(sorted(row.roles))} line"
        return [ev("contacts.payment", q, R, detail, KEYWORD, strong=True)]
    names_payment = any(
        PAYMENT_WORD.match(w.text) or MASKED_CARD.match(w.text) or re.fullmatch(r"[X*•#]{4,}", w.text, re.IGNORECASE)
        for w in row.words
    )
    if names_payment and re.fullmatch(r"[X*•#]{3,}|\d{4}|[X*•#]+\d{1,4}", text, re.IGNORECASE):
        detail = f"{text!r} is part of the card number on {row.text!r}"
        return [ev("contacts.payment", q, S, detail, FORM, strong=True)]
    if names_payment:
        return [ev("contacts.payment", q, U, f"{text!r} on a payment line", POSITION)]
    near = [r for r in facts.rows[max(0, row.index - 1) : row.index + 2] if "TENDER" in r.roles]
    if near:
        return [ev("contacts.payment", q, U, f"{text!r} near a payment line", POSITION)]
    return [
        ev("contacts.payment", q, R, f"no payment line is near {text!r}", POSITION, strong=True),
        ev("contacts.payment_word", q, R, f"{text!r} is not a payment word or card number", FORM),
    ]
