"""Verification questions: templated per label type, open-ended, and compared to the claim by code.

No question carries its claim. A claim "word 19/5 is GRAND_TOTAL" gets two open questions:
- role:19/5        "What is the role of word [19/5] on this receipt?" (a choice among all labels, or OTHER)
- locate:GRAND_TOTAL  "Which words on this receipt are: final amount due, including tax?" (word ids)
The first names the word but not the label, the second the meaning of the label but no word. Code then compares each
answer with the claim. Keys are per receipt, so a question shared by several claims is asked once.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from domain.labels import LABEL_DESCRIPTIONS, UnknownLabelError, canonical_label
from domain.model import Answer, Evidence, EvidenceKind, ReceiptWordLabel

OTHER = "OTHER"
LLM = EvidenceKind.LLM
WordKey = tuple[int, int]


class Family(StrEnum):
    ROLE = "role"
    LOCATE = "locate"
    OPEN = "open"  # planned by the LLM for a claim no template fits


class Question(BaseModel):
    """One open question about the receipt; never holds the claim it serves."""

    model_config = ConfigDict(frozen=True)
    key: str
    family: Family
    word: WordKey | None = None
    meaning: str | None = Field(default=None, description="locate: the label's meaning, in words")
    target: str | None = Field(default=None, description="locate: the label type, kept for code, not shown")
    text: str | None = Field(default=None, description="open: the planned question as asked")
    expected: str | None = Field(default=None, description="open: the answer if the claim holds, not shown")


class Answered(BaseModel):
    """The LLM's answer to one question, as code reads it."""

    key: str
    role: str | None = None
    words: list[WordKey] | None = None
    text: str | None = None
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    source: str


def word_ref(key: WordKey) -> str:
    return f"{key[0]}/{key[1]}"


_REF = re.compile(r"^\s*\[?\s*(\d+)\s*/\s*(\d+)\s*\]?\s*$")


def parse_word_ref(text: str) -> WordKey | None:
    m = _REF.match(text)
    return (int(m.group(1)), int(m.group(2))) if m else None


def claim_label(label: ReceiptWordLabel) -> str | None:
    """The canonical label the claim asserts, or None for a name outside the taxonomy."""
    try:
        return canonical_label(label.label)
    except UnknownLabelError:
        return None


def normalize_role(role: str | None) -> str | None:
    """A role answer as a canonical label or OTHER; None when it is neither."""
    text = (role or "").strip().upper()
    if text == OTHER:
        return OTHER
    try:
        return canonical_label(text)
    except UnknownLabelError:
        return None


def role_question(word: WordKey) -> Question:
    return Question(key=f"role:{word_ref(word)}", family=Family.ROLE, word=word)


def locate_question(label: str) -> Question:
    meaning = LABEL_DESCRIPTIONS[label].rstrip(".")
    return Question(key=f"locate:{label}", family=Family.LOCATE, meaning=meaning, target=label)


def questions_for(label: ReceiptWordLabel) -> list[Question] | None:
    """The templated questions for a claim; None when no template fits (a label outside the taxonomy)."""
    name = claim_label(label)
    if name is None:
        return None
    return [role_question(label.word_key), locate_question(name)]


def _no_answer(asked: str, detail: str, source: str) -> Evidence:
    """An answer that says nothing: UNKNOWN at confidence 0, so the policy never counts it."""
    return Evidence(question=asked, answer=Answer.UNKNOWN, detail=detail, source=source, kind=LLM, confidence=0.0)


def compare(label: ReceiptWordLabel, question: Question, answer: Answered) -> Evidence:
    """Code's reading of an open answer against the claim: supports, refutes, or unknown."""
    name = claim_label(label)
    if question.family is Family.ROLE:
        asked = f"role of word [{word_ref(label.word_key)}]"
        role = normalize_role(answer.role)
        if role is None:
            detail = f"unreadable answer {answer.role!r}" if answer.role else "no answer"
            return Evidence(
                question=asked, answer=Answer.UNKNOWN, detail=detail, source=answer.source, kind=LLM, confidence=0.0
            )
        return Evidence(
            question=asked,
            answer=Answer.SUPPORTS if role == name else Answer.REFUTES,
            detail=f"answered {role}",
            source=answer.source,
            kind=LLM,
            confidence=answer.confidence,
        )
    if question.family is Family.OPEN:
        return _compare_open(question, answer)
    asked = f"which words are: {question.meaning}"
    if answer.words is None:
        return Evidence(
            question=asked, answer=Answer.UNKNOWN, detail="no answer", source=answer.source, kind=LLM, confidence=0.0
        )
    found = label.word_key in set(answer.words)
    shown = ", ".join(word_ref(w) for w in answer.words[:12]) or "none"
    return Evidence(
        question=asked,
        answer=Answer.SUPPORTS if found else Answer.REFUTES,
        detail=f"answered [{shown}]",
        source=answer.source,
        kind=LLM,
        confidence=answer.confidence,
    )


def _norm(text: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


def open_question(claim_id: str, index: int, text: str, expected: str) -> Question:
    return Question(key=f"open:{claim_id}:{index}", family=Family.OPEN, text=text, expected=expected)


def leaks_claim(text: str, label: ReceiptWordLabel) -> bool:
    """True when a planned question would show its claim's label to the answering call."""
    name = label.label.strip().lower()
    norm = text.lower()
    return name in norm or name.replace("_", " ") in norm


def _compare_open(question: Question, answer: Answered) -> Evidence:
    asked = f"planned: {question.text}"
    got, want = _norm(answer.text), _norm(question.expected)
    if not got or not want:
        return Evidence(
            question=asked, answer=Answer.UNKNOWN, detail="no answer", source=answer.source, kind=LLM, confidence=0.0
        )
    agree = got == want or f" {want} " in f" {got} " or f" {got} " in f" {want} "
    return Evidence(
        question=asked,
        answer=Answer.SUPPORTS if agree else Answer.REFUTES,
        detail=f"answered {answer.text!r}, expected {question.expected!r}",
        source=answer.source,
        kind=LLM,
        confidence=answer.confidence,
    )
