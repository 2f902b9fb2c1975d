"""clean_text: the pure-text items of the bad-input catalogue, and normal Khmer that must pass."""

from __future__ import annotations

import time

import pytest

from grievance.domain.text import TextRejected, clean_text

KHMER_SENTENCE = "ខ្ញុំ\u200bមិន\u200bទាន់\u200bបាន\u200bទទួល\u200bប្រាក់\u200bឧបត្ថម្ភ\u200bទេ។"
DESCRIPTION_MAX = 5000
NAME_MAX = 200


def rejected(value: str, **kwargs) -> str:
    """The rule code the text is rejected under (fails the test if it is accepted)."""
    kwargs.setdefault("max_length", DESCRIPTION_MAX)
    with pytest.raises(TextRejected) as exc:
        clean_text(value, **kwargs)
    assert exc.value.message and str(exc.value) == exc.value.message
    return exc.value.code


# --- Accepted -------------------------------------------------------------------------------


def test_normal_khmer_with_zero_width_spaces_between_words_is_kept_as_typed():
    assert clean_text(KHMER_SENTENCE, max_length=DESCRIPTION_MAX) == KHMER_SENTENCE
    assert clean_text(KHMER_SENTENCE, max_length=NAME_MAX, multiline=False) == KHMER_SENTENCE


def test_khmer_consonant_clusters_with_coeng_and_vowel_signs_are_accepted():
    # ស្ត្រី (woman): two coeng clusters and a vowel sign; ព្រះរាជាណាចក្រកម្ពុជា (Kingdom of Cambodia).
    for word in ("ស្ត្រី", "ព្រះរាជាណាចក្រកម្ពុជា", "សង្គ្រោះ", "ក្សត្រ"):
        assert clean_text(word, max_length=50, multiline=False) == word


def test_multiline_text_keeps_newlines_and_normalises_crlf():
    assert clean_text("line one\r\nline two\rline three\n", max_length=100) == "line one\nline two\nline three"
    assert clean_text("a\tb", max_length=10) == "a\tb"


def test_text_is_nfc_normalised_and_length_counted_after_normalising():
    assert clean_text("Cafe\u0301", max_length=4, multiline=False) == "Café"
    assert len(clean_text("Cafe\u0301", max_length=4)) == 4


def test_surrounding_whitespace_is_trimmed_and_none_is_empty():
    assert clean_text("  Sokha  ", max_length=10, multiline=False) == "Sokha"
    assert clean_text(None, max_length=10) == ""


def test_a_few_joiners_are_allowed():
    text = "ក\u200c\u200dខ"
    assert clean_text(text, max_length=10) == text


# --- Length ---------------------------------------------------------------------------------


def test_exactly_max_khmer_code_points_is_accepted():
    # ក + ា is two code points (a consonant and a vowel sign, NFC leaves them apart).
    text = "កា" * (NAME_MAX // 2)
    assert len(text) == NAME_MAX
    assert clean_text(text, max_length=NAME_MAX, multiline=False) == text


def test_max_plus_one_khmer_code_points_is_rejected():
    text = "កា" * (NAME_MAX // 2) + "ក"
    assert len(text) == NAME_MAX + 1
    assert rejected(text, max_length=NAME_MAX, multiline=False) == "too_long"


def test_message_states_the_limit():
    with pytest.raises(TextRejected, match="longer than 200 characters"):
        clean_text("ក" * 201, max_length=200)


def test_ten_megabytes_of_text_is_rejected_quickly():
    for text in ("a" * 10 * 1024 * 1024, "ក" * (10 * 1024 * 1024 // 3)):  # 10 MB of UTF-8 each
        started = time.perf_counter()
        assert rejected(text) == "too_long"
        # A request body must not buy seconds of CPU; the rule is a length check.
        assert time.perf_counter() - started < 0.5


# --- Controls, surrogates -------------------------------------------------------------------


def test_nul_byte_is_rejected():
    assert rejected("abc\x00def") == "control"
    assert rejected("abc\x00def", multiline=False) == "control"


@pytest.mark.parametrize("char", ["\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f"])
def test_other_c0_controls_are_rejected(char):
    assert rejected(f"abc{char}def") == "control"


def test_lone_surrogate_is_rejected():
    assert rejected("abc\ud800def") == "invalid"
    assert rejected("\udfff") == "invalid"


# --- Invisible, direction and combining runs ------------------------------------------------


def test_hundred_thousand_zero_width_spaces_are_rejected():
    flood = "\u200b" * 100_000
    assert rejected(flood, max_length=200_000) == "invisible"
    assert rejected("ក" + flood + "ខ", max_length=200_000) == "invisible"
    rejected(flood)  # and in a normal-size field too, under whichever rule


def test_four_invisible_characters_in_a_row_are_rejected_three_are_not():
    assert clean_text("ក\u200b\u200b\u200bខ", max_length=10) == "ក\u200b\u200b\u200bខ"
    assert rejected("ក\u200b\u200b\u200b\u200bខ", max_length=10) == "invisible"
    assert rejected("a\u2060\ufeff\u200d\u200cb", max_length=10) == "invisible"


@pytest.mark.parametrize("char", ["\u00ad", "\u180e", "\u2063", "\u3164", "\uffa0"])
def test_floods_of_other_blank_characters_are_rejected(char):
    assert rejected("Sokha" + char * 100_000, max_length=200_000) == "invisible"


def test_a_soft_hyphen_inside_a_word_is_fine():
    assert clean_text("co\u00adoperative", max_length=50, multiline=False) == "co\u00adoperative"


def test_emoji_are_accepted():
    text = "អរគុណ 🙏🇰🇭 👨‍👩‍👧"
    assert clean_text(text, max_length=50) == text


def test_consonant_with_five_hundred_coeng_signs_is_rejected():
    assert rejected("ក" + "\u17d2" * 500) == "marks"


def test_zalgo_combining_marks_are_rejected():
    assert rejected("a" + "\u0301\u0302\u0303" * 10) == "marks"


def test_enclosing_marks_count_as_combining_marks():
    assert rejected("a" + "\u20dd" * 500) == "marks"


def test_right_to_left_override_in_a_single_line_field_is_rejected():
    assert rejected("invoice\u202efdp.exe", max_length=NAME_MAX, multiline=False) == "bidi"
    assert rejected("\u2067Sokha", max_length=NAME_MAX, multiline=False) == "bidi"


# --- Single-line fields ---------------------------------------------------------------------


def test_header_injection_in_a_single_line_field_is_rejected():
    assert rejected("Bob\r\nSet-Cookie: x=1", max_length=NAME_MAX, multiline=False) == "control"
    assert rejected("Bob\nSet-Cookie: x=1", max_length=NAME_MAX, multiline=False) == "control"
    assert rejected("Bob\rSet-Cookie: x=1", max_length=NAME_MAX, multiline=False) == "control"


@pytest.mark.parametrize("separator", ["\t", "\x85", "\u2028", "\u2029"])
def test_any_line_or_tab_separator_is_rejected_in_a_single_line_field(separator):
    assert rejected(f"Bob{separator}Set-Cookie: x=1", max_length=NAME_MAX, multiline=False) == "control"


def test_the_same_text_is_fine_in_a_multiline_field():
    assert clean_text("Bob\r\nSet-Cookie: x=1", max_length=100) == "Bob\nSet-Cookie: x=1"
