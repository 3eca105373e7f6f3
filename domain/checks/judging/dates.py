"""DATE and TIME: is the word (part of) a plausible date or time printed on the receipt?"""

from __future__ import annotations

from domain.checks.facts import ReceiptFacts
from domain.checks.judging.evidence import ev
from domain.checks.reading.dates import DATE_FRAGMENT
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWord

S, R = Answer.SUPPORTS, Answer.REFUTES
FORM, POSITION = EvidenceKind.FORM, EvidenceKind.POSITION


def date_time_evidence(facts: ReceiptFacts, label: str, word: ReceiptWord) -> list[Evidence]:
    """Matches run over whole rows, so `29` `JUN` `2018` are each part of the date they spell together."""
    key = (word.line_id, word.word_id)
    kind = "date" if label == "DATE" else "time"
    check = f"dates_times.{kind}"
    covered = facts.dates | facts.partial_dates if kind == "date" else facts.times
    other = facts.times if kind == "date" else facts.dates
    q = f"Is the word part of a plausible {kind}?"
    if key in covered:
        return [ev(check, q, S, f"{word.text!r} reads as a {kind}", FORM, strong=True)]
    if key in other:
        detail = f"{word.text!r} is a {'time' if kind == 'date' else 'date'}"
        return [ev(check, q, R, detail, FORM, strong=True)]
    identity = facts.identity(word.text)
    if identity:
        return [ev(check, q, R, f"{word.text!r} is {identity}", FORM, strong=True)]
    if not DATE_FRAGMENT.match(word.text.strip()):
        return [ev(check, q, R, f"{word.text!r} cannot be read as a {kind}", FORM, strong=True)]
    # A loose number or month name: not the date when it belongs to something else, or when the receipt's date is
    # printed on another line and this line has none. That rests on the layout, not the word.
    row = facts.row_of(key)
    row_keys = set(row.keys) if row else set()
    here = bool(row_keys & covered)
    elsewhere = bool(covered - row_keys)
    other_kind = facts.structures(key) - {"date/time line"}
    detail = f"{word.text!r} is not part of a {kind}" + ("" if here else " on a line without one")
    if other_kind:
        detail += f"; it is on a {'/'.join(sorted(other_kind))}"
    out = [ev(check, q, R, detail, POSITION, strong=bool(other_kind) or (elsewhere and not here))]
    text = word.text.strip().rstrip(",.")
    if not here and text.isdigit() and not (kind == "date" and len(text) == 4 and 1990 <= int(text) <= 2100):
        # A bare number (not a year) on a line without any date or time: nothing to be part of.
        out.append(ev(f"{check}_word", q, R, f"{word.text!r} alone is no {kind}", FORM))
    return out
