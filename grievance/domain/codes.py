"""Tracking codes and case references.

A tracking code is 80 random bits from `secrets`, written as 16 characters of Crockford
base32 in four groups (easy to read aloud, no I/L/O/U). Only its keyed hash is stored.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_CONFUSABLE = str.maketrans({"I": "1", "L": "1", "O": "0", "U": "V"})
CODE_LENGTH = 16


def _format_code(value: int) -> str:
    chars = [ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_LENGTH)]
    raw = "".join(chars)
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def new_tracking_code() -> str:
    return _format_code(secrets.randbits(80))


def derived_tracking_code(key: bytes, secret: str) -> str:
    """A tracking code computed from a random `secret` (>= 128 bits) under `key`: 80 bits of HMAC.

    The Open311 API keeps such a secret for 24 hours so that a platform retrying a request
    it thinks failed gets the same code back; without the key the secret reveals nothing.
    """
    digest = hmac.new(key, b"open311-replay:" + secret.encode("ascii"), hashlib.sha256).digest()
    return _format_code(int.from_bytes(digest[:10], "big"))


def normalise_code(code: str) -> str | None:
    """Upper-case, confusable letters mapped, separators removed; None if malformed."""
    cleaned = "".join(ch for ch in code.upper() if ch not in " -_").translate(_CONFUSABLE)
    if len(cleaned) != CODE_LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return None
    return cleaned


def tracking_hash(code: str, key: bytes) -> str | None:
    """HMAC-SHA-256 of the normalised code (None for a malformed code)."""
    normal = normalise_code(code)
    if normal is None:
        return None
    return hmac.new(key, normal.encode("ascii"), hashlib.sha256).hexdigest()


def format_reference(year: int, number: int) -> str:
    return f"GRV-{year}-{number:06d}"


def parse_reference(text: str) -> tuple[int, int] | None:
    parts = text.strip().upper().split("-")
    if len(parts) != 3 or parts[0] != "GRV" or not parts[1].isdecimal() or not parts[2].isdecimal():
        return None
    if len(parts[1]) != 4 or len(parts[2]) > 9:
        return None
    return int(parts[1]), int(parts[2])
