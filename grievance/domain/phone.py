"""Cambodian phone numbers compared safely: one canonical form for every way people write them."""

from __future__ import annotations

import hmac

KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def normalise(number: str | None) -> str | None:
    """'+855 12 345 678', '00855-12-345-678', '012 345 678' and '១២៣...' all become '012345678'.

    None when what is left is not a plausible number (6 to 15 digits), so a garbled sender never
    matches anyone.
    """
    if not number:
        return None
    digits = "".join(ch for ch in number.translate(KHMER_DIGITS) if ch.isdigit() and ch.isascii())
    if digits.startswith("00855"):
        digits = "0" + digits[5:]
    elif digits.startswith("855") and len(digits) > 9:
        digits = "0" + digits[3:]
    elif not digits.startswith("0") and 8 <= len(digits) <= 9:
        digits = "0" + digits  # the trunk 0 left out
    return digits if 6 <= len(digits) <= 15 else None


def same_number(given: str | None, on_record: str | None) -> bool:
    """True if both are the same phone number; compared in constant time on the canonical forms."""
    a, b = normalise(given), normalise(on_record)
    if a is None or b is None:
        return False
    return hmac.compare_digest(a.encode("ascii"), b.encode("ascii"))
