"""Dates and numbers as a Khmer or English reader expects them.

Khmer: day, Khmer month name, year ("14 មេសា 2026"), and Khmer digits ("១៤ មេសា ២០២៦") when an
administrator chooses them. English keeps the unambiguous ISO form the staff pages always used
("2026-04-14"). Codes and references are never passed through here: people copy them as printed.
"""

from __future__ import annotations

from datetime import date, datetime

MONTHS_KM = ("មករា", "កុម្ភៈ", "មីនា", "មេសា", "ឧសភា", "មិថុនា", "កក្កដា", "សីហា", "កញ្ញា", "តុលា", "វិច្ឆិកា", "ធ្នូ")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_TO_KHMER = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")


def khmer_digits(text: str) -> str:
    return text.translate(_TO_KHMER)


def digits(text: str, lang: str, khmer: bool) -> str:
    """`text` with Khmer digits when the reader is Khmer and the setting asks for them."""
    return khmer_digits(text) if khmer and lang == "km" else text


def month_name(month: int, lang: str) -> str:
    return (MONTHS_KM if lang == "km" else MONTHS_EN)[month - 1]


def day(value: date | datetime | None, lang: str, *, khmer: bool = False) -> str:
    """A calendar day: '14 មេសា 2026' in Khmer, '2026-04-14' in English."""
    if value is None:
        return ""
    if lang != "km":
        return value.strftime("%Y-%m-%d")
    return digits(f"{value.day} {month_name(value.month, 'km')} {value.year}", lang, khmer)


def moment(value: datetime | None, lang: str, *, khmer: bool = False) -> str:
    """A day and a time of day: '14 មេសា 2026 09:30' in Khmer, '2026-04-14 09:30' in English."""
    if value is None:
        return ""
    if lang != "km":
        return value.strftime("%Y-%m-%d %H:%M")
    return f"{day(value, lang, khmer=khmer)} {digits(value.strftime('%H:%M'), lang, khmer)}"


def number(value: int | float | str, lang: str, *, khmer: bool = False) -> str:
    return digits(str(value), lang, khmer)
