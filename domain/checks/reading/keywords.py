"""What a line's keywords say it is: `SUBTOTAL 12.40` -> {SUBTOTAL}; `TOTAL INCL. GST@6% RM 13.39` -> {GRAND_TOTAL}.

The one place that knows how receipts spell their totals. Real receipts write the total many ways (`NETT TOTAL`,
`TOTAL PAYABLE`, `TOTAL SALES (INCLUSIVE OF GST)`, `FINAL TOTAL`, `TOTAL ROUNDED`, OCR-glued `RECEIPTTOTAL:`), and
carry lines with `TOTAL` in them that are not the total (`TOTAL QTY`, `TOTAL 0% SUPPLIES`, `TOTAL SAVINGS`,
`TOTAL GST`). A keyword says what a line probably is, never what it certainly is: judging treats it as weak evidence.
"""

from __future__ import annotations

import re

# A total whose kind the keywords leave open (`FUEL TOTAL`, `TOTAL SALES`, `TOTAL INCLUDES 6% GST`).
ANY_TOTAL = "ANY_TOTAL"
# A rounding line: holds either the adjustment (`ROUNDING ADJ -0.02`) or the rounded total (`ROUNDING RM 12.30`).
ROUNDING = "ROUNDING"
# Roles that may legitimately appear among the item lines (an instant saving under an item).
INLINE_ROLES = frozenset({"DISCOUNT", "COUPON"})
# Roles of the summary block under the items.
SUMMARY_ROLES = frozenset(
    {"SUBTOTAL", "TAX", "GRAND_TOTAL", "TIP", "CHANGE", "CASH_BACK", "REFUND", "TENDER", ROUNDING, ANY_TOTAL}
)

_TOTAL = r"(?:TOTAL|TTL|TOT)"
# Lines that say `TOTAL` but are not the amount due.
_NOT_THE_TOTAL: list[tuple[str, re.Pattern[str]]] = [
    ("COUNT", re.compile(rf"\b{_TOTAL}\s*(?:QTY|QUANTITY|ITEMS?|PCS|UNITS?|NO\.?\s+OF\s+ITEMS?)\b")),
    ("DISCOUNT", re.compile(rf"\b{_TOTAL}\s*(?:SAVINGS?|SAVED|DISCOUNTS?|DISC)\b")),
    (
        "TAX",
        re.compile(rf"\b{_TOTAL}\s*(?:GST|VAT|TAX|SST)\b|\b(?:GST|VAT|TAX|SST)\s*{_TOTAL}\b|INCLUDED\s+IN\s+TOTAL"),
    ),
    # `TOTAL 6% SUPPLIES (EXCL. GST)`, `TOTAL SALES (EXCLUDING GST)`, `TOTAL 0% SUPPLIES`: a taxable base.
    ("TAXABLE", re.compile(r"\bSUPPLIES\b|\bEXCL(?:UDING|USIVE|UDES)?\b\.?|\bBEFORE\s+(?:GST|TAX|VAT)\b")),
]
# Lines that say unmistakably that they hold the amount due (checked before the tax keywords: `TOTAL INCL. GST`).
_THE_TOTAL = re.compile(
    r"\bGRAND\s*TOTAL\b|\b(?:AMOUNT|AMT|BALANCE|TOTAL)\s+DUE\b|\bTOTAL\s+(?:AMOUNT|AMT|PURCHASE|PAYABLE)\b"
    r"|\bTOTAL\s+AMT\s+PAYABLE\b|\bNETT?\s*TOTAL\b|\bFINAL\s+TOTAL\b|\bROUNDED\s+TOTAL\b|\bTOTAL\s+ROUNDED\b"
    r"|\bTOTAL\s+AFTER\s+(?:ADJ|ROUNDING|DISC)\w*|\b(?:ORDER|INVOICE|BILL)\s+TOTAL\b"
    rf"|\b{_TOTAL}\b[^\d%]{{0,12}}?\bINCL(?:UDING|USIVE|UDES|UDED|\.)?\s*(?:OF\s+)?(?:GST|VAT|TAX|SST)\b"
    r"|\bTOTAL\s*\(\s*(?:GST|VAT|TAX|SST)\s+INCL"
    r"|\bSUMME\b|\bGESAMT(?:BETRAG)?\b|\bTOTALE\b|\bJUMLAH\b|\bMONTANT\b|\bZU\s+ZAHLEN\b"
    # OCR glues a word onto TOTAL: `RECEIPTTOTAL:`, `TOTALRM`; not SUBTOTAL.
    r"|\b(?!SUB)[A-Z]{3,}TOTAL\b|\bTOTAL(?:RM|AMOUNT|DUE)\b"
)
_BARE_TOTAL = re.compile(rf"(?<!SUB)(?<!SUB\s)(?<!SUB-)\b{_TOTAL}\b|^\W*DUE\b")
# `FUEL TOTAL`, `FOOD TOTAL`, `TOTAL SALES`: a qualified total may be an item's, a subtotal or the total.
_QUALIFIED_TOTAL = re.compile(r"\b(?!GRAND\b|SUB\b)[A-Z]{2,}\s+(?:TOTAL|TTL)\b|\bTOTAL\s+SALES?\b")

_ROLE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "SUBTOTAL",
        re.compile(
            r"\bSUB\s*[-.]?\s*(?:TOTAL|TTL|TOT)\b|\bNET\s+SALES?\b|\bMERCHANDISE\s+TOTAL\b|\bZWISCHENSUMME\b"
            r"|\bSOUS[\s-]TOTAL\b|\bSUBTOTALE?\b|\bTOTAL\s+PARCIAL\b"
        ),
    ),
    (
        "TAX",
        re.compile(
            r"(?:\b|\d%?)(?:SALES\s*)?TAX(?:ES)?\d?\b|\bSALESTAX|\bTX\b|\bVAT\b|(?:\b|\d%)GST\b|\bHST\b|\bPST\b"
            r"|\bSST\b|\bIVA\b|\bMWST\b|\bUST\b|\bTVA\b|\bBTW\b|\bMOMS\b|\bIMPUESTOS?\b"
        ),
    ),
    ("TIP", re.compile(r"\bTIPS?\b|\bGRATUITY\b")),
    ("CASH_BACK", re.compile(r"\bCASH\s*-?\s*BACK\b")),
    ("CHANGE", re.compile(r"\bCHANGE(?:\s+DUE)?\b|\bCHG\b|\bR(?:Ü|UE|U)CKGELD\b|\bWECHSELGELD\b|\bMONNAIE\b|\bBAKI\b")),
    ("REFUND", re.compile(r"\bREFUND(?:ED)?\b|\bRETURN(?:ED)?\b")),
    ("COUPON", re.compile(r"\bCOUPONS?\b|\bVOUCHER\b|\bCPN\b")),
    (
        "DISCOUNT",
        re.compile(
            r"\bDISCOUNTS?\b|\bDISC\b|\bSAVINGS?\b|\bYOU\s+SAVED\b|\bMARKDOWN\b|\bPROMO\b|\bRABATT\b|\bREMISE\b"
            r"|\bDESCUENTO\b|\bSCONTO\b|\bKORTING\b"
        ),
    ),
    (ROUNDING, re.compile(r"\bROUND(?:ING)?(?:\s*ADJ\w*)?\b|\bADJ(?:USTMENT)?\b")),
    (
        "TENDER",
        re.compile(
            r"\bVISA\b|\bMASTER\s*CARD\b|\bMC\b|\bAMEX\b|\bAMERICAN\s+EXPRESS\b|\bDISCOVER\b|\bDEBIT\b|\bCREDIT\b"
            r"|\bCASH\b(?!\s*-?\s*BACK)|\bTEND(?:ER|ERED)?\b|\bEBT\b|\bGIFT\s*CARD\b|\b(?:APPLE|GOOGLE)\s*PAY\b"
            r"|\bAMOUNT\s+PAID\b|\bPAID\b|\bPAYMENT\b|\bCARD\b|\bMAESTRO\b|\bINTERAC\b|\bEFTPOS\b|\bJCB\b|\bUNIONPAY\b"
            r"|\bRECEIVED\b|\bMYDEBIT\b|\bE-?WALLET\b|\bGRAB\s*PAY\b|\bTOUCH\s*[N'&]\s*GO\b"
        ),
    ),
    ("COUNT", re.compile(r"\b(?:#\s*)?(?:OF\s+)?ITEMS?\b(?:\s+SOLD|\s+COUNT)?|\bQTY\b")),
]


def row_roles(text: str) -> frozenset[str]:
    """What a row's keywords say it is, e.g. `SUBTOTAL 12.40` -> {SUBTOTAL}; `TOTAL TAX 0.99` -> {TAX}."""
    up = text.upper()
    subtotal = _ROLE_PATTERNS[0][1].search(up)
    if not subtotal and _THE_TOTAL.search(up) and not any(p.search(up) for _, p in _NOT_THE_TOTAL[2:]):
        # `TOTAL INCL. GST@6%`, `NETT TOTAL`, `TOTAL ROUNDED`: the amount due, whatever tax or rounding it names.
        others = {role for role, pattern in _ROLE_PATTERNS if pattern.search(up)} & {"TENDER", "COUNT"}
        return frozenset({"GRAND_TOTAL", *(others - {"COUNT"})})
    roles = {role for role, pattern in _ROLE_PATTERNS if pattern.search(up)}
    for role, pattern in _NOT_THE_TOTAL:
        if pattern.search(up):
            return frozenset({role} | (roles & {"TAX", "DISCOUNT", "COUNT"} if role != "TAXABLE" else set()))
    if _BARE_TOTAL.search(up) and not roles - {"TENDER", ROUNDING}:
        roles.discard(ROUNDING)
        roles.add(ANY_TOTAL if _QUALIFIED_TOTAL.search(up) else "GRAND_TOTAL")
    if "GRAND_TOTAL" in roles and "COUNT" in roles:
        roles.discard("COUNT")  # `TOTAL 3 ITEMS 13.39`
    return frozenset(roles)


def names_a_total(text: str) -> bool:
    """True when a line's keywords say it holds the amount due (possibly among other things)."""
    return "GRAND_TOTAL" in row_roles(text)
