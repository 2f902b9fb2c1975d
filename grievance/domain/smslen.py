"""How many SMS parts a text takes, so every reply stays within what a gateway sends.

A text in the GSM 03.38 alphabet fits 160 characters in one part, 153 in each part of a longer
(concatenated) message; the extension characters (^ { } [ ] ~ \\ | €) count twice. Anything else —
Khmer, for one — is sent as UCS-2: 70 UTF-16 code units in one part, 67 in each concatenated part.

Our choice: every reply fits in MAX_PARTS = 3 parts (201 Khmer characters, 459 plain English
characters), what every gateway we know of joins into one message on the phone.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_PARTS = 3

GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Size:
    encoding: str  # "gsm7" or "ucs2"
    units: int  # septets (gsm7) or UTF-16 code units (ucs2)
    parts: int


def size(text: str) -> Size:
    """The encoding a gateway will use for `text` and the number of parts it takes."""
    if all(ch in GSM_BASIC or ch in GSM_EXTENDED for ch in text):
        units = sum(2 if ch in GSM_EXTENDED else 1 for ch in text)
        single, multi, encoding = 160, 153, "gsm7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, multi, encoding = 70, 67, "ucs2"
    parts = 1 if units <= single else -(-units // multi)
    return Size(encoding, units, parts)


def fits(text: str, max_parts: int = MAX_PARTS) -> bool:
    return size(text).parts <= max_parts


def budget(text: str, max_parts: int = MAX_PARTS) -> int:
    """How many more UTF-16 units (UCS-2) could follow `text` within `max_parts` parts."""
    return max(0, max_parts * 67 - size(text).units) if max_parts > 1 else max(0, 70 - size(text).units)
