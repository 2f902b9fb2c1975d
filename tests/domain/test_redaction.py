"""Masking numbers, e-mail addresses and known personal values; neutralising spreadsheet cells."""

import pytest

from grievance.domain.redaction import MASK, mask, safe_cell


@pytest.mark.parametrize(
    "text",
    [
        "call 012 345 678 please",
        "call 012-345-678 please",
        "call 012.345.678 please",
        "call +855 12 345 678 please",
        "call (012) 345 678 please",
        "ទូរស័ព្ទ ០១២ ៣៤៥ ៦៧៨ ផង",
        "ទូរស័ព្ទ០១២៣៤៥៦៧៨ផង",
        "card IDP-2024-0001 was refused",
        "NSSF no. 1234567",
        "write to sok.dara@example.org today",
    ],
)
def test_numbers_and_addresses_are_hidden(text):
    masked = mask(text)
    assert MASK in masked
    digits = [ch for ch in masked if ch.isdecimal()]
    assert len(digits) < 6 and "@" not in masked


@pytest.mark.parametrize(
    "text",
    ["I waited 3 months for 40,000 riel", "ខ្ញុំរង់ចាំ ៣ ខែ", "Room 12, age 65", "year 2026"],
)
def test_short_numbers_and_khmer_text_stay(text):
    assert mask(text) == text


def test_known_values_are_hidden_wherever_they_appear():
    known = ["Sok Dara", "AB-77", "012 345 678"]
    assert mask("my name is sok dara, card AB-77", known) == f"my name is {MASK}, card {MASK}"
    assert mask("ខ្ញុំឈ្មោះ សុខ ដារ៉ា", ["សុខ ដារ៉ា"]) == f"ខ្ញុំឈ្មោះ {MASK}"
    assert mask("", known) == "" and mask(None) == ""


def test_a_masked_text_keeps_the_story():
    assert mask("Agent kept 10,000 riel; call 097 555 1234.") == f"Agent kept 10,000 riel; call {MASK}."


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("<5", "<5"),
        ("NSAF", "NSAF"),
        (12, 12),
        (-3, -3),
        (None, None),
    ],
)
def test_spreadsheet_cells_are_neutralised(cell, expected):
    assert safe_cell(cell) == expected


def test_the_stored_name_is_masked_in_every_order_and_joining_but_a_short_khmer_part_not_inside_other_words():
    from grievance.domain.redaction import mask

    masked = mask("KEO Dara, Dara-Keo, DaraKeo. Keo said so.", ["Dara Keo"])
    assert "Dara" not in masked and "Keo" not in masked and "KEO" not in masked
    assert mask("ខ្ញុំទៅមណ្ឌលសុខភាព។", ["សុខ ស្រីមុំ"]) == "ខ្ញុំទៅមណ្ឌលសុខភាព។"  # health, not the family name
    assert "ស្រីមុំ" not in mask("ខ្ញុំឈ្មោះសុខស្រីមុំ", ["សុខ ស្រីមុំ"])
