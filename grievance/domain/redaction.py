"""Redaction of free text shown to monitors and the public; safe spreadsheet cells.

Pure functions over strings: no Flask, no database.

`mask` hides what could identify a complainant in text they or an officer typed:
- runs of six or more digits, in any script (ASCII 0-9, Khmer ០-៩, ...), broken up by any
  separators people use (spaces, line breaks, zero-width spaces, dots, commas, dashes, slashes,
  brackets): phone numbers, ID-card and programme numbers. A money amount written with
  thousands commas (``100,000``) is kept, unless it holds the complainant's phone number;
- letter-and-digit codes holding six or more digits (e.g. ``IDP-2024-0001``);
- e-mail addresses;
- a name given after "my name is" / "ខ្ញុំឈ្មោះ" (so an anonymous complainant who signs is hidden);
- the values stored for this complainant (name, phone, e-mail, programme number), when the
  caller passes them as `known`, however they are written: both sides are normalised (Unicode
  NFC/NFKC, case, zero-width characters, spacing and punctuation removed, Khmer digits folded)
  before matching, a name's parts match in any order and with or without spaces between them
  (Khmer writes ``សុខស្រីមុំ`` for the stored ``សុខ ស្រីមុំ``), and each part alone matches too
  when it is long enough not to be an ordinary word (3 letters as a whole Latin word, 4 Khmer
  code points anywhere: ``សុខ`` alone is kept because it is also the start of ``សុខភាព``, health).
Over-masking (a date written 12.05.2024, a word that contains a long name part) is the accepted
price of never leaking a number or a name.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import permutations

MASK = "[•••]"
MIN_DIGITS = 6
MIN_LATIN_PART = 3
MIN_KHMER_PART = 4
MAX_PERMUTED_PARTS = 4

# Separators people put inside numbers: any whitespace (line breaks too), zero-width and other
# invisible format characters, dots, commas, dashes, slashes, brackets, middle dots.
_SEP = r"(?:\s+|[\u00ad\u200b-\u200f\u2060\ufeff.,\-\u2010-\u2015/\\()·•])"
# \d is Unicode-aware: it matches Khmer digits (U+17E0–U+17E9) as well as 0-9.
_DIGIT_RUN = re.compile(rf"\+?\d(?:{_SEP}{{0,3}}\d)*")
_AMOUNT = re.compile(r"\d{1,3}(?:,\d{3})+")
_CODE = re.compile(r"[A-Za-z\d][A-Za-z\d\-./_]*[A-Za-z\d]")
# An e-mail address: local part, "@", a dotted domain. Found from each "@" (see _email_spans): a
# pattern starting with the local part rescans a long run of letters once per letter when no "@"
# follows (200,000 Khmer letters took minutes to mask).
_EMAIL_LOCAL = re.compile(r"[\w.+\-]")
_EMAIL_DOMAIN = re.compile(r"@[\w\-]+(?:\.[\w\-]+)+")
# "my name is Sok Dara", "Name: Dara", "ខ្ញុំឈ្មោះសុខស្រីមុំ", "នាងខ្ញុំឈ្មោះ …", "ខ្ញុំបាទឈ្មោះ …".
_LATIN_INTRO = re.compile(r"(?i)\b(?:my\s+name\s+is|name\s*:|i\s+am\s+called|my\s+name'?s)\s*")
_KHMER_INTRO = re.compile(r"(?:ខ្ញុំ|បាទ)\s*ឈ្មោះ\s*|ឈ្មោះ\s*ខ្ញុំ\s*(?:គឺ|ជា)\s*|ឈ្មោះ\s*[:៖]\s*")
_STOP_WORDS = {"and", "from", "in", "at", "of", "the", "i", "my", "is", "was", "who", "with", "but", "live", "not"}
_WORD = re.compile(r"[^\W\d_][\w'’\-]*")
_WORD_GAP = re.compile(r"[ \t\u00a0\u200b-\u200d\u2060]{1,3}")


def _is_khmer(ch: str) -> bool:
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def _fold(ch: str) -> str:
    """One character as matching sees it: digits of any script as ASCII, compatibility forms and case folded."""
    if ch.isdecimal():
        return str(unicodedata.decimal(ch))
    return unicodedata.normalize("NFKC", ch).casefold()


def skeleton(text: str) -> tuple[str, list[int]]:
    """Letters, marks and digits only, folded; with each kept character's index in `text`."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        if unicodedata.category(ch)[0] not in "LMN":
            continue  # spaces, zero-width characters, punctuation, symbols
        for folded in _fold(ch):
            if unicodedata.category(folded)[0] in "LMN":
                out.append(folded)
                where.append(i)
    return "".join(out), where


def _parts(name: str) -> list[str]:
    pieces = re.split(r"[\s\u00ad\u200b-\u200f\u2060\ufeff.,\-\u2010-\u2015/]+", unicodedata.normalize("NFC", name))
    return [part for part in (skeleton(p)[0] for p in pieces) if part]


def _name_needles(name: str) -> list[tuple[str, bool]]:
    """(folded needle, whole-word only) for a stored name: its parts in any order, and long parts alone."""
    parts = _parts(name)
    if not parts:
        return []
    orders = permutations(parts) if len(parts) <= MAX_PERMUTED_PARTS else [tuple(parts), tuple(reversed(parts))]
    needles = {("".join(order), False) for order in orders}
    for part in parts:
        if any(_is_khmer(ch) for ch in part):
            if len(part) >= MIN_KHMER_PART:
                needles.add((part, False))
        elif len(part) >= MIN_LATIN_PART and not part.isdecimal():
            needles.add((part, True))
    return [(n, word) for n, word in needles if len(n) >= 3]


def _digits(value: str) -> str:
    return "".join(str(unicodedata.decimal(ch)) for ch in value if ch.isdecimal())


def _phone_core(value: str) -> str | None:
    """The digits that identify a phone however it is written: without +855/855 or the trunk 0."""
    digits = _digits(value)
    for prefix in ("855", "0"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= MIN_DIGITS:
            digits = digits[len(prefix) :]
    return digits if len(digits) >= MIN_DIGITS else None


def _known_needles(known: Iterable[str | None]) -> tuple[list[tuple[str, bool]], set[str]]:
    """Needles for the stored values, and the phone cores a money-looking number must not hold."""
    needles: set[tuple[str, bool]] = set()
    cores: set[str] = set()
    for value in known:
        if not value or not value.strip():
            continue
        value = unicodedata.normalize("NFC", value).strip()
        folded = skeleton(value)[0]
        if "@" in value:
            local = skeleton(value.split("@", 1)[0])[0]
            needles.add((folded, False))
            if len(local) >= 4:
                needles.add((local, True))
        elif folded.isdecimal() or (_digits(value) and len(_digits(value)) >= len(folded) - 1):
            core = _phone_core(value)
            if core:
                needles.add((core, False))
                cores.add(core)
            elif len(folded) >= 3:
                needles.add((folded, False))
        elif any(ch.isdecimal() for ch in folded):
            if len(folded) >= 4:
                needles.add((folded, False))  # a programme number, any separators
        else:
            needles.update(_name_needles(value))
    return sorted(needles, key=lambda n: -len(n[0])), cores


def _word_edge(text: str, i: int) -> bool:
    return i < 0 or i >= len(text) or unicodedata.category(text[i])[0] not in "LMN"


_NUMBER_SEPARATORS = set(" \t\u00a0\u200b\u200c\u200d\u2060.,-/()")


def _widen_number(text: str, first: int, last: int) -> tuple[int, int]:
    """A phone found by its core digits, widened over the rest of its number (+855, the trunk 0)."""

    def part_of_number(i: int, step: int) -> bool:
        ch = text[i]
        if ch.isdecimal() or ch == "+":
            return True
        j = i + step
        return ch in _NUMBER_SEPARATORS and 0 <= j < len(text) and (text[j].isdecimal() or text[j] == "+")

    while first > 0 and part_of_number(first - 1, -1):
        first -= 1
    while last + 1 < len(text) and part_of_number(last + 1, 1):
        last += 1
    return first, last


def _known_spans(text: str, needles: list[tuple[str, bool]]) -> list[tuple[int, int]]:
    folded, where = skeleton(text)
    spans = []
    for needle, whole_word in needles:
        start = folded.find(needle)
        while start != -1:
            first, last = where[start], where[start + len(needle) - 1]
            if needle.isdecimal():
                first, last = _widen_number(text, first, last)
            if not whole_word or (
                _word_edge(text, first - 1)
                and _word_edge(text, last + 1)
                and not any(ch.isspace() for ch in text[first : last + 1])
            ):
                spans.append((first, last + 1))
            start = folded.find(needle, start + 1)
    return spans


def _introduced_name_spans(text: str) -> list[tuple[int, int]]:
    """The words after "my name is" (Latin) or "ខ្ញុំឈ្មោះ" (Khmer): a name, stored or not."""
    spans = []
    for match in _LATIN_INTRO.finditer(text):
        pos, taken = match.end(), None
        for n in range(3):  # at most three words; the next ones capitalised, as names are
            word = _WORD.match(text, pos)
            if word is None or word.group().lower() in _STOP_WORDS or (n and word.group()[0].islower()):
                break
            taken = word.end()
            gap = _WORD_GAP.match(text, taken)
            if gap is None:
                break
            pos = gap.end()
        if taken is not None:
            spans.append((match.end(), taken))
    for match in _KHMER_INTRO.finditer(text):
        i, end, letters, gaps = match.end(), match.end(), 0, 0
        while i < len(text) and letters < 24:  # Khmer letters, across invisible marks and one space
            ch = text[i]
            if _is_khmer(ch) and unicodedata.category(ch)[0] in "LM":
                letters += 1
                end = i + 1
            elif ch in "\u200b\u200c\u200d\u2060":
                pass
            elif ch.isspace() and 0 < letters <= 4 and not gaps and i + 1 < len(text) and _is_khmer(text[i + 1]):
                gaps += 1  # a short family name, then a space, then the given name
            else:
                break
            i += 1
        if letters:
            spans.append((match.end(), end))
    return spans


def _email_spans(text: str) -> list[tuple[int, int]]:
    """Where `[\\w.+-]+@[\\w-]+(?:\\.[\\w-]+)+` matches, left to right, in linear time."""
    spans: list[tuple[int, int]] = []
    taken = 0  # a match never starts inside the previous one
    for domain in _EMAIL_DOMAIN.finditer(text):
        at = start = domain.start()
        while start > taken and _EMAIL_LOCAL.match(text, start - 1):
            start -= 1
        if start < at:
            spans.append((start, domain.end()))
            taken = domain.end()
    return spans


def _apply(text: str, spans: list[tuple[int, int]]) -> str:
    if not spans:
        return text
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, at = [], 0
    for start, end in merged:
        out.append(text[at:start])
        out.append(MASK)
        at = end
    out.append(text[at:])
    return "".join(out)


def _mask_numbers(text: str, phone_cores: set[str]) -> str:
    def replace(match: re.Match) -> str:
        run = match.group()
        digits = _digits(run)
        if len(digits) < MIN_DIGITS:
            return run
        ascii_run = "".join(str(unicodedata.decimal(ch)) if ch.isdecimal() else ch for ch in run)
        if _AMOUNT.fullmatch(ascii_run) and ascii_run[0] != "0" and not any(c in digits for c in phone_cores):
            return run  # 100,000 riel: an amount, part of the story
        return MASK

    return _DIGIT_RUN.sub(replace, text)


def _digit_count(text: str) -> int:
    return sum(ch.isdecimal() for ch in text)


def _mask_codes(text: str) -> str:
    return _CODE.sub(lambda m: MASK if _digit_count(m.group()) >= MIN_DIGITS else m.group(), text)


def mask(text: str | None, known: Iterable[str | None] = ()) -> str:
    """Free text with phone/ID-like numbers, e-mail addresses, introduced names and the `known` values hidden."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", text)
    needles, cores = _known_needles(known)
    spans = _introduced_name_spans(text)
    if needles:
        spans += _known_spans(text, needles)
    text = _apply(text, spans)
    text = _apply(text, _email_spans(text))
    text = _mask_codes(text)
    return _mask_numbers(text, cores)


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
