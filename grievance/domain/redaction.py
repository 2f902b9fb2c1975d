"""Redaction of free text shown to monitors and the public; safe spreadsheet cells.

Pure functions over strings: no Flask, no database.

`mask` hides what could identify a complainant in text they or an officer typed:
- runs of six or more digits, in any script (ASCII 0-9, Khmer ០-៩, ...), that may be broken
  up by spaces, dashes, dots or brackets: phone numbers, ID-card and programme numbers;
- letter-and-digit codes holding six or more digits (e.g. ``IDP-2024-0001``);
- e-mail addresses;
- the values stored for this complainant (name, phone, programme number), wherever they
  appear, when the caller passes them as `known`.
Over-masking (a date written 12.05.2024) is the accepted price of never leaking a number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

MASK = "[•••]"
MIN_DIGITS = 6

# \d is Unicode-aware: it matches Khmer digits (U+17E0–U+17E9) as well as 0-9.
_SEP = r"[ \t\u00a0.\-\u2010-\u2015()]"
_DIGIT_RUN = re.compile(rf"\+?\d(?:{_SEP}*\d){{{MIN_DIGITS - 1},}}")
_CODE = re.compile(r"[A-Za-z\d][A-Za-z\d\-./_]*[A-Za-z\d]")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")


def _digit_count(text: str) -> int:
    return sum(ch.isdecimal() for ch in text)


def _mask_codes(text: str) -> str:
    return _CODE.sub(lambda m: MASK if _digit_count(m.group()) >= MIN_DIGITS else m.group(), text)


def _mask_known(text: str, known: Iterable[str | None]) -> str:
    values = sorted(
        {unicodedata.normalize("NFC", v).strip() for v in known if v and len(v.strip()) >= 3},
        key=len,
        reverse=True,
    )
    for value in values:
        text = re.sub(re.escape(value), MASK, text, flags=re.IGNORECASE)
    return text


def mask(text: str | None, known: Iterable[str | None] = ()) -> str:
    """Free text with phone/ID-like numbers, e-mail addresses and the `known` values hidden."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    text = _mask_known(text, known)
    text = _EMAIL.sub(MASK, text)
    text = _mask_codes(text)
    return _DIGIT_RUN.sub(MASK, text)


# ---------------------------------------------------------------------------------------
# Spreadsheet exports

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """A CSV/XLSX cell that a spreadsheet will not run as a formula.

    Text starting with = + - @, a tab or a carriage return gets a leading single quote;
    numbers and None pass through unchanged (a negative number is data, not a formula).
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
