"""MERCHANT_NAME and ADDRESS_LINE: the store's name and address words, where they sit and what the metadata says.

Merchant names carry words that also mean something on a receipt (`CASH & CARRY`, `... TRADING`, `... MART`): a
store-name line is judged by where it is and what the metadata says, never by a payment keyword on it.
"""

from __future__ import annotations

import re

from domain.checks.facts import ReceiptFacts
from domain.checks.judging.evidence import ev
from domain.checks.reading.names import address_token, word_token
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWord

S, R, U = Answer.SUPPORTS, Answer.REFUTES, Answer.UNKNOWN
FORM, POSITION, KEYWORD, METADATA = (
    EvidenceKind.FORM,
    EvidenceKind.POSITION,
    EvidenceKind.KEYWORD,
    EvidenceKind.METADATA,
)
# Words that business names are made of, whatever the store: legal forms and trade words.
_BUSINESS_WORD = re.compile(
    r"^(?:SDN|BHD|S/B|LTD|LLC|INC|CORP|CO|PLC|GMBH|ENTERPRISE|ENTERPRISES|TRADING|MART|MINIMART|SUPERMARKET|MARKET"
    r"|STORE|STORES|SHOP|RESTAURANT|RESTORAN|CAFE|BAKERY|BAKERIES|PHARMACY|HARDWARE|STATIONERY|PERNIAGAAN|SYARIKAT"
    r"|KEDAI|INTERNATIONAL|MARKETING|INDUSTRIES|HOLDINGS|GROUP|BHD\.|SDN\.|CASH|CARRY|&)[.,]?$",
    re.IGNORECASE,
)


def merchant_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """Is the word part of the store's name: against the metadata, and where it sits."""
    key = (word.line_id, word.word_id)
    row = facts.row_of(key)
    token = word_token(word.text)
    identity = facts.identity(word.text)
    q = "Is the word part of the merchant's name?"
    if identity and identity != "a web address":
        return [ev("metadata.merchant", q, R, f"{word.text!r} is {identity}", FORM, strong=True)]
    in_name_row = row is not None and row.index in facts.merchant_rows
    structures = facts.structures(key)
    own = structures & {"date", "time", "phone"}
    if own and not in_name_row:
        detail = f"{word.text!r} is part of a {'/'.join(sorted(own))}"
        return [ev("metadata.merchant", q, R, detail, FORM, strong=True)]
    lines = structures & {"hours", "date/time line"}
    if lines and not in_name_row:
        detail = f"{word.text!r} is on a {'/'.join(sorted(lines))}"
        return [ev("metadata.merchant", q, R, detail, POSITION, strong=True)]
    in_name = bool(facts.merchant_tokens) and token in facts.merchant_tokens
    out: list[Evidence] = []
    if row is not None and not in_name_row:
        if facts.in_items_block(row.index):
            out.append(ev("metadata.position", q, R, "among the item lines, not in the header", POSITION, strong=True))
        elif facts.is_item_row(row.index) or (facts.below_totals_start(row.index) and row.roles):
            out.append(
                ev("metadata.position", q, R, f"{word.text!r} is on an item or totals line", POSITION, strong=True)
            )
        if "payment line" in structures:
            out.append(ev("metadata.keyword", q, R, f"{word.text!r} is on a payment line", KEYWORD, strong=True))
    if facts.merchant_tokens:
        mq = "Does the word appear in the store's name from the metadata?"
        if token and (in_name or (len(token) > 3 and token in facts.merchant_joined)):
            # In the name, and where a name is: above the items (`Coffee` on an item line is a product).
            placed = row is None or in_name_row or row.index < facts.regions.header_end or not facts.has_summary
            detail = f"{word.text!r} in {facts.merchant_name!r}"
            out.append(ev("metadata.merchant", mq, S, detail, METADATA, strong=placed))
        elif in_name_row:
            out.append(ev("metadata.merchant", mq, S, f"on the line that carries {facts.merchant_name!r}", METADATA))
        elif token:
            printed = bool(facts.merchant_rows)
            strong = printed and row is not None and (row.index in facts.address_rows or key in facts.phones)
            detail = f"{word.text!r} is not in {facts.merchant_name!r}" + (", which is printed elsewhere" * printed)
            out.append(ev("metadata.merchant", mq, R, detail, METADATA, strong=strong))
    refuted = any(e.answer is R for e in out)
    if row is not None and row.index < facts.regions.header_end and not refuted:
        out.append(ev("metadata.position", "Is the word in the receipt's header?", S, f"row {row.index}", POSITION))
        if _BUSINESS_WORD.match(word.text.strip()):
            out.append(ev("metadata.name", "Is it a word business names use?", S, word.text, FORM))
    return out


def address_evidence(facts: ReceiptFacts, word: ReceiptWord) -> list[Evidence]:
    """Is the word part of the store's address: an address-shaped line, or the metadata address."""
    key = (word.line_id, word.word_id)
    row = facts.row_of(key)
    q = "Is the word part of the store's address?"
    identity = facts.identity(word.text)
    if identity and identity != "a money amount":
        return [ev("metadata.address", q, R, f"{word.text!r} is {identity}", FORM, strong=True)]
    if identity or key in facts.phones:
        return [ev("metadata.address", q, R, f"{word.text!r} is a money amount or a phone", FORM, strong=True)]
    in_address_row = row is not None and row.index in facts.address_rows
    placed: list[Evidence] = []
    if row is not None and not in_address_row:
        if facts.is_item_row(row.index) or (facts.below_totals_start(row.index) and row.roles):
            detail = f"{word.text!r} is on an item or totals line"
            placed.append(ev("metadata.position", q, R, detail, POSITION, strong=True))
        elif facts.in_items_block(row.index):
            detail = "among the item lines, not in the header"
            placed.append(ev("metadata.position", q, R, detail, POSITION, strong=True))
    structures = facts.structures(key)
    own = structures & {"date", "time", "hours", "web"}
    if own and not in_address_row:
        detail = f"{word.text!r} is part of a {'/'.join(sorted(own))}"
        return [ev("metadata.address", q, R, detail, FORM, strong=True)]
    out: list[Evidence] = placed
    if in_address_row:
        assert row is not None
        out.append(ev("metadata.address", q, S, f"{row.text!r} reads as an address", FORM, strong=True))
    token = address_token(word.text)
    if facts.address_meta_tokens and token:
        mq = "Does the word appear in the store's address from the metadata?"
        if token in facts.address_meta_tokens:
            out.append(ev("metadata.metadata", mq, S, f"{word.text!r} in the metadata address", METADATA))
        elif facts.merchant_tokens and word_token(word.text) in facts.merchant_tokens:
            detail = f"{word.text!r} belongs to the merchant name {facts.merchant_name!r}"
            strong = row is not None and row.index in facts.merchant_rows
            out.append(ev("metadata.metadata", mq, R, detail, METADATA, strong=strong))
        elif not in_address_row:
            out.append(ev("metadata.metadata", mq, R, f"{word.text!r} is not in the metadata address", METADATA))
    return out
