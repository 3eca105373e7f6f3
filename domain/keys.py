"""The table's key formats (CONTRACT §1), both ways: build keys from ids, parse ids from keys."""

from __future__ import annotations

import re
from dataclasses import dataclass

ID_WIDTH = 5
LABEL_GSI1_WIDTH = 40

TYPE_RECEIPT = "RECEIPT"
TYPE_LINE = "RECEIPT_LINE"
TYPE_WORD = "RECEIPT_WORD"
TYPE_LABEL = "RECEIPT_WORD_LABEL"
TYPE_METADATA = "RECEIPT_METADATA"

# Earlier versions set this on every metadata write; the validator now removes it (domain/fingerprint.py replaced it).
LEGACY_MARKER_ATTRIBUTE = "validator_marker"


def pad(n: int) -> str:
    if not 0 <= n < 10**ID_WIDTH:
        raise ValueError(f"id {n} does not fit in {ID_WIDTH} digits")
    return f"{n:0{ID_WIDTH}d}"


def image_pk(image_id: str) -> str:
    return f"IMAGE#{image_id}"


def receipt_sk(receipt_id: int) -> str:
    return f"RECEIPT#{pad(receipt_id)}"


def line_sk(receipt_id: int, line_id: int) -> str:
    return f"{receipt_sk(receipt_id)}#LINE#{pad(line_id)}"


def word_sk(receipt_id: int, line_id: int, word_id: int) -> str:
    return f"{line_sk(receipt_id, line_id)}#WORD#{pad(word_id)}"


def label_sk(receipt_id: int, line_id: int, word_id: int, label: str) -> str:
    return f"{word_sk(receipt_id, line_id, word_id)}#LABEL#{label}"


def metadata_sk(receipt_id: int) -> str:
    return f"{receipt_sk(receipt_id)}#METADATA"


def receipt_prefix(receipt_id: int) -> str:
    """SK prefix covering one receipt and everything under it (one Query loads a receipt)."""
    return receipt_sk(receipt_id)


def receipt_keys(image_id: str, receipt_id: int) -> dict[str, str]:
    return {
        "PK": image_pk(image_id),
        "SK": receipt_sk(receipt_id),
        "GSI2PK": "RECEIPT",
        "GSI2SK": f"{image_pk(image_id)}#{receipt_sk(receipt_id)}",
        "TYPE": TYPE_RECEIPT,
    }


def line_keys(image_id: str, receipt_id: int, line_id: int) -> dict[str, str]:
    return {"PK": image_pk(image_id), "SK": line_sk(receipt_id, line_id), "TYPE": TYPE_LINE}


def word_keys(image_id: str, receipt_id: int, line_id: int, word_id: int) -> dict[str, str]:
    return {"PK": image_pk(image_id), "SK": word_sk(receipt_id, line_id, word_id), "TYPE": TYPE_WORD}


def label_gsi1pk(label: str) -> str:
    return f"LABEL#{label}".ljust(LABEL_GSI1_WIDTH, "_")


def label_gsi3(image_id: str, receipt_id: int, line_id: int, word_id: int, label: str, status: str) -> dict[str, str]:
    return {
        "GSI3PK": status_gsi3pk(status),
        "GSI3SK": f"{image_pk(image_id)}#{label_sk(receipt_id, line_id, word_id, label)}",
    }


def status_gsi3pk(status: str) -> str:
    return f"VALIDATION_STATUS#{status}"


def label_keys(image_id: str, receipt_id: int, line_id: int, word_id: int, label: str, status: str) -> dict[str, str]:
    word_path = f"{image_pk(image_id)}#{word_sk(receipt_id, line_id, word_id)}"
    return {
        "PK": image_pk(image_id),
        "SK": label_sk(receipt_id, line_id, word_id, label),
        "GSI1PK": label_gsi1pk(label),
        "GSI1SK": word_path,
        "GSI2PK": "RECEIPT",
        "GSI2SK": word_path,
        **label_gsi3(image_id, receipt_id, line_id, word_id, label, status),
        "TYPE": TYPE_LABEL,
    }


def merchant_gsi1pk(merchant_name: str) -> str:
    return f"MERCHANT#{merchant_name.upper().replace(' ', '_')}"


def metadata_keys(image_id: str, receipt_id: int, merchant_name: str | None, place_id: str | None) -> dict[str, str]:
    keys = {"PK": image_pk(image_id), "SK": metadata_sk(receipt_id), "TYPE": TYPE_METADATA}
    sk_path = f"{image_pk(image_id)}#{metadata_sk(receipt_id)}"
    if merchant_name:
        keys["GSI1PK"] = merchant_gsi1pk(merchant_name)
        keys["GSI1SK"] = sk_path
    if place_id:
        keys["GSI2PK"] = f"PLACE#{place_id}"
        keys["GSI2SK"] = sk_path
    return keys


@dataclass(frozen=True)
class ParsedKey:
    """What a PK/SK pair names. `kind` is one of the TYPE_* constants."""

    kind: str
    image_id: str
    receipt_id: int
    line_id: int | None = None
    word_id: int | None = None
    label: str | None = None


_SK = re.compile(
    r"^RECEIPT#(?P<r>\d{5})"
    r"(?:(?P<meta>#METADATA)|#LINE#(?P<l>\d{5})(?:#WORD#(?P<w>\d{5})(?:#LABEL#(?P<label>[A-Z0-9_]+))?)?)?$"
)


class KeyFormatError(ValueError):
    """A key that does not follow CONTRACT §1."""


def parse_keys(pk: str, sk: str) -> ParsedKey:
    if not pk.startswith("IMAGE#") or len(pk) <= len("IMAGE#"):
        raise KeyFormatError(f"PK {pk!r} is not IMAGE#<id>")
    image_id = pk[len("IMAGE#") :]
    m = _SK.match(sk)
    if not m:
        raise KeyFormatError(f"SK {sk!r} is not a receipt key")
    rid = int(m["r"])
    if m["meta"]:
        return ParsedKey(TYPE_METADATA, image_id, rid)
    if m["l"] is None:
        return ParsedKey(TYPE_RECEIPT, image_id, rid)
    lid = int(m["l"])
    if m["w"] is None:
        return ParsedKey(TYPE_LINE, image_id, rid, lid)
    wid = int(m["w"])
    if m["label"] is None:
        return ParsedKey(TYPE_WORD, image_id, rid, lid, wid)
    return ParsedKey(TYPE_LABEL, image_id, rid, lid, wid, m["label"])


def parse_gsi3sk(gsi3sk: str) -> ParsedKey:
    """GSI3SK is `IMAGE#<img>#RECEIPT#...#LABEL#<LABEL>`; the image id is a UUID without `#`."""
    if not gsi3sk.startswith("IMAGE#"):
        raise KeyFormatError(f"GSI3SK {gsi3sk!r} does not start with IMAGE#")
    image_id, sep, rest = gsi3sk[len("IMAGE#") :].partition("#")
    if not sep:
        raise KeyFormatError(f"GSI3SK {gsi3sk!r} has no receipt part")
    return parse_keys(f"IMAGE#{image_id}", rest)


# ---- GSI3 positions and key-range segments ---------------------------------------------------------------------
#
# A full sweep over a GSI3 status partition is split into independent key ranges of GSI3SK, so a Step Functions Map
# can run them in parallel. A segment is named by its lower bound's hex digits after `IMAGE#` ("0".."f" for 16
# segments). The ranges cover every possible key exactly once, whatever the image ids look like: the first segment
# also takes everything below `IMAGE#1`, the last everything from `IMAGE#f` up, and upper-case or non-hex ids fall
# into the segment whose range holds them (for example `IMAGE#A...` sorts between `IMAGE#9` and `IMAGE#a`).

SEGMENT_DIGITS = 1  # hex digits of the image id per segment name: 1 -> 16 segments
HEX = "0123456789abcdef"


class UnknownSegment(ValueError):
    """A segment name that is not one of `segments()`."""


def gsi3_after_receipt(image_id: str, receipt_id: int) -> str:
    """A GSI3SK position that sorts after every label of the receipt and before the next receipt's."""
    return f"{image_pk(image_id)}#{receipt_sk(receipt_id)}#~"


def is_gsi3_position(position: str) -> bool:
    """Whether `position` has the shape of a GSI3SK (every label's GSI3SK starts with its image's PK)."""
    return position.startswith("IMAGE#")


def segments(digits: int = SEGMENT_DIGITS) -> list[str]:
    """The segment names, in key order: every hex string of `digits` characters."""
    names = [""]
    for _ in range(digits):
        names = [name + h for name in names for h in HEX]
    return names


def segment_range(segment: str) -> tuple[str | None, str | None]:
    """[lower, upper) GSI3SK bounds of a segment; None means unbounded on that side."""
    names = segments(len(segment)) if segment else []
    if segment not in names:
        raise UnknownSegment(f"segment {segment!r} is not one of {names[0]}..{names[-1]}" if names else "empty segment")
    index = names.index(segment)
    lower = None if index == 0 else image_pk(segment)
    upper = None if index == len(names) - 1 else image_pk(names[index + 1])
    return lower, upper


def segment_of(gsi3sk: str, digits: int = SEGMENT_DIGITS) -> str:
    """The segment whose range holds this GSI3SK (or GSI3 position)."""
    found = segments(digits)[0]
    for name in segments(digits)[1:]:
        if gsi3sk >= image_pk(name):
            found = name
        else:
            break
    return found
