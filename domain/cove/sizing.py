"""How big a context window each request needs, so that no prompt is ever cut by the server.

Ollama truncates a prompt that does not fit its context window from the start, silently: the instructions and the top
of the receipt would vanish. So every request carries `num_ctx`, sized from an estimate of its prompt's tokens plus
room for the answer, and batches are split until each fits under the configured maximum.

The estimate has no tokenizer (the model's own is on the server); it is deliberately high for receipt text, where BPE
tokenizers do badly: every digit and symbol counts as a token (several tokenizers split digits one by one), letters
count one token per two characters, and non-ASCII characters count their UTF-8 bytes. The real-model test tier
checks it against a real tokenizer.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

T = TypeVar("T")

_PIECES = re.compile(r"[A-Za-z]+|\d|\s+|[\x21-\x7e]|[^\x00-\x7f]")
MESSAGE_OVERHEAD = 16  # chat template markers around each message
MIN_NUM_CTX = 2048
PER_ANSWER_ITEM = 48  # one answer entry: ids, a label or word ids, a confidence, JSON punctuation


def estimate_tokens(text: str) -> int:
    """An upper estimate of `text`'s tokens for byte-level BPE tokenizers (see the module docstring)."""
    total = 0
    for piece in _PIECES.findall(text):
        first = piece[0]
        if first.isascii() and first.isalpha():
            total += math.ceil(len(piece) / 2)
        elif first.isspace():
            total += piece.count("\n") + (1 if len(piece) > 1 and "\n" not in piece else 0)
        elif first.isascii():
            total += 1
        else:
            total += len(piece.encode())
    return total


def tokens_needed(system: str, user: str, answer_items: int, answer_tokens: int) -> int:
    """The context a request needs: both messages, the template around them, and room for the answer."""
    prompt = estimate_tokens(system) + estimate_tokens(user) + 2 * MESSAGE_OVERHEAD
    return prompt + answer_tokens + PER_ANSWER_ITEM * max(1, answer_items)


def num_ctx_for(needed: int, maximum: int) -> int | None:
    """The window to ask for: the next power of two >= `needed` (few distinct sizes, so Ollama seldom reloads the
    model), at least MIN_NUM_CTX, at most `maximum`; None when even `maximum` is too small."""
    if needed > maximum:
        return None
    size = MIN_NUM_CTX
    while size < needed:
        size *= 2
    return min(size, maximum)


def split_to_fit(items: Sequence[T], needed: Callable[[Sequence[T]], int], maximum: int) -> list[list[T]]:
    """`items` as consecutive batches whose `needed` is <= `maximum`, halving a batch until it fits; a single item
    that does not fit stays a batch of its own (its request will be refused before it is sent)."""
    batch = list(items)
    if not batch:
        return []
    if len(batch) == 1 or needed(batch) <= maximum:
        return [batch]
    half = len(batch) // 2
    return split_to_fit(batch[:half], needed, maximum) + split_to_fit(batch[half:], needed, maximum)
