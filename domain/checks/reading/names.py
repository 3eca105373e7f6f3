"""Store names and addresses as text: normalized tokens that a receipt line and a places listing can share.

Names are compared after normalizing what varies between a receipt and a places listing: case, punctuation, `&` and
`and`, common abbreviations, legal forms and location suffixes (`#1234`, `STORE 12`, `- DOWNTOWN`).
"""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "MKT": "MARKET",
    "MKTS": "MARKETS",
    "CO": "COMPANY",
    "CTR": "CENTER",
    "CENTRE": "CENTER",
    "INTL": "INTERNATIONAL",
    "SUPERMKT": "SUPERMARKET",
    "PHARM": "PHARMACY",
    "RESTAURANT": "RESTAURANT",
    "REST": "RESTAURANT",
    "SVC": "SERVICE",
    "SVCS": "SERVICES",
    "BROS": "BROTHERS",
    "DEPT": "DEPARTMENT",
    "WHSE": "WAREHOUSE",
    "WHOLESALE": "WHOLESALE",
}
_LEGAL = {"INC", "LLC", "LTD", "CORP", "CORPORATION", "CO", "COMPANY", "THE", "PLC", "GMBH", "SDN", "BHD"}
_STREET = {
    "STREET": "ST",
    "AVENUE": "AVE",
    "AV": "AVE",
    "ROAD": "RD",
    "BOULEVARD": "BLVD",
    "DRIVE": "DR",
    "LANE": "LN",
    "HIGHWAY": "HWY",
    "PARKWAY": "PKWY",
    "COURT": "CT",
    "PLACE": "PL",
    "SQUARE": "SQ",
    "TERRACE": "TER",
    "CIRCLE": "CIR",
    "PLAZA": "PLZ",
    "SUITE": "STE",
    "NORTH": "N",
    "SOUTH": "S",
    "EAST": "E",
    "WEST": "W",
    "TRAIL": "TRL",
    "ROUTE": "RTE",
    "CENTER": "CTR",
}
STREET_SUFFIX = (
    r"(?:ST|STREET|AVE|AVENUE|AV|RD|ROAD|BLVD|BOULEVARD|DR|DRIVE|LN|LANE|WAY|HWY|HIGHWAY|PKWY|PARKWAY"
    r"|CT|COURT|PL|PLACE|SQ|SQUARE|TER|TERRACE|CIR|CIRCLE|PLZ|PLAZA|STE|SUITE|TRL|TRAIL|PIKE|RTE|ROUTE|ALLEY|ROW)"
)
_STATES = [
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "DC",
    "ON",
    "QC",
    "BC",
    "AB",
    "MB",
    "SK",
    "NS",
    "NB",
    "NL",
    "PE",
]
ADDRESS_PATTERN = re.compile(
    rf"\b\d{{1,6}}[A-Z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z0-9][A-Z0-9.'\-]*\s+){{0,4}}{STREET_SUFFIX}\b(?!#)\.?"
    rf"|\b(?:{'|'.join(_STATES)})\.?,?\s+\d{{5}}(?:-\d{{4}})?\b"
    r"|\b[A-Z]\d[A-Z]\s?\d[A-Z]\d\b"
    r"|\b[A-Z]{1,2}\d[A-Z\d]?\s\d[A-Z]{2}\b"
    r"|\bP\.?\s?O\.?\s+BOX\s+\d+"
    rf"|\b(?:STE|SUITE|UNIT|APT)\.?\s*#?\s*\d+\b|\b[A-Z][A-Za-z.\-]+,\s*(?:{'|'.join(_STATES)})\b"
    # Street words that come before the name (`LOT 84, JALAN TUN RAZAK`, `NO 3, JLN SS2/24`, `TAMAN MELAWATI`), and a
    # five-digit postcode before its town (`51405 KUALA LUMPUR`, `47300 PETALING JAYA`).
    r"|\b(?:JALAN|JLN|LORONG|LRG|PERSIARAN|LEBUH|TAMAN|TMN|KAMPUNG|KG)\.?\s+[A-Z0-9]"
    r"|(?<![\d.,])\b\d{5},?\s+[A-Z]{3,}(?:\s+[A-Z]{3,})?,?$"
    r"|^\s*(?:LOT|NO\.?)\s*\d+[A-Z]?(?:-\d+)?,\s*[A-Z]",
    re.IGNORECASE,
)
_LOCATION_SUFFIX = re.compile(r"\s*(?:#\s*\d+|\bSTORE\s*#?\s*\d+|\bNO\.?\s*\d+|\s-\s+.*)$", re.IGNORECASE)


def normalize_name(name: str) -> str:
    """`Trader Joe's #123 - Downtown` -> `TRADER JOES`; `Ben & Jerry's Inc.` -> `BEN AND JERRYS`."""
    s = _LOCATION_SUFFIX.sub("", name.strip())
    s = s.upper().replace("&", " AND ").replace("'", "").replace("’", "")
    words = re.sub(r"[^A-Z0-9]+", " ", s).split()
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    kept = [w for w in words if w not in _LEGAL]
    return " ".join(kept or words)


def name_tokens(name: str) -> set[str]:
    return set(normalize_name(name).split())


def word_token(text: str) -> str:
    """One OCR word as a comparable token."""
    w = re.sub(r"[^A-Z0-9&]+", "", text.upper().replace("'", "").replace("’", ""))
    return "AND" if w == "&" else _ABBREVIATIONS.get(w, w)


def address_token(text: str) -> str:
    w = re.sub(r"[^A-Z0-9]+", "", text.upper())
    return _STREET.get(w, w)


def address_tokens(address: str) -> set[str]:
    return {address_token(t) for t in re.split(r"[\s,]+", address) if address_token(t)}
