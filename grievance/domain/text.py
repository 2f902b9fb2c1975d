"""Validation of text people type: what we store must be clean, bounded Unicode.

Lengths are counted in code points after NFC normalisation. NUL and other C0 controls
(except tab and newline) are refused, as are lone surrogates. Khmer combining marks and
the zero-width space Khmer uses between words are allowed, but long runs of invisible
characters or of combining marks are refused: they serve only to break layouts.
"""

from __future__ import annotations

import re
import unicodedata

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff"
# Other characters that print as nothing: soft hyphen, Mongolian vowel separator, invisible
# operators, Hangul fillers. A run of them hides text as well as zero-width spaces do.
OTHER_INVISIBLE = "\u00ad\u180e\u2061\u2062\u2063\u2064\u115f\u1160\u3164\uffa0"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
MAX_INVISIBLE_RUN = 3
MAX_COMBINING_RUN = 8

_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_INVISIBLE_RUN = re.compile(f"[{ZERO_WIDTH}{OTHER_INVISIBLE}{BIDI_CONTROLS}]{{{MAX_INVISIBLE_RUN + 1},}}")
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Everything that starts a new line or column somewhere (str.splitlines, mail and SMS gateways).
_LINE_BREAKS = re.compile("[\n\t\x85\u2028\u2029]")


class TextRejected(ValueError):
    """The text cannot be stored; `code` names the rule, `message` explains it in English."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _combining_run_too_long(text: str) -> bool:
    if text.isascii():
        return False  # no combining marks in ASCII: skip the per-character scan
    run = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Mc", "Me"):
            run += 1
            if run > MAX_COMBINING_RUN:
                return True
        else:
            run = 0
    return False


def clean_text(value: str | None, *, max_length: int, multiline: bool = True) -> str:
    """Return the NFC-normalised, trimmed text or raise TextRejected."""
    if value is None:
        return ""
    if _SURROGATE.search(value):
        raise TextRejected("invalid", "The text contains invalid characters.")
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    if _C0.search(value):
        raise TextRejected("control", "The text contains control characters that are not allowed.")
    if not multiline and _LINE_BREAKS.search(value):
        raise TextRejected("control", "This field must be a single line.")
    value = unicodedata.normalize("NFC", value).strip()
    # Checked before the per-character scans below so a huge input costs little time.
    if len(value) > max_length:
        raise TextRejected("too_long", f"The text is longer than {max_length} characters.")
    if _INVISIBLE_RUN.search(value):
        raise TextRejected("invisible", "The text contains a long run of invisible characters.")
    if not multiline and _BIDI.search(value):
        raise TextRejected(
            "bidi",
            "The text contains direction-control characters that are not allowed.",
        )
    if _combining_run_too_long(value):
        raise TextRejected("marks", "The text contains a long run of combining marks.")
    return value
