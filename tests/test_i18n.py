"""The Khmer catalogue: complete, faithful to the placeholders, compiled, and in step with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "grievance" / "translations"
PO = TRANSLATIONS / "km" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "km" / "LC_MESSAGES" / "messages.mo"

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|%[sd]")
KHMER = re.compile(r"[\u1780-\u17ff]")


def _read_po(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="km")


@pytest.fixture(scope="module")
def catalog():
    return _read_po(PO)


def _messages(catalog):
    return [m for m in catalog if m.id]


def test_every_message_has_a_khmer_translation(catalog):
    messages = _messages(catalog)
    assert len(messages) > 150, "the catalogue looks truncated"
    empty = [m.id for m in messages if not m.string or not str(m.string).strip()]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"untranslated: {empty}"
    assert not fuzzy, f"fuzzy (needs review): {fuzzy}"


def test_translations_are_written_in_khmer(catalog):
    # A msgstr copied from the English would pass the non-empty check but help nobody.
    not_khmer = [m.id for m in _messages(catalog) if not KHMER.search(str(m.string))]
    assert not not_khmer, f"msgstr has no Khmer letters: {not_khmer}"


def test_placeholders_match(catalog):
    wrong = []
    for m in _messages(catalog):
        english = sorted(PLACEHOLDER.findall(m.id))
        khmer = sorted(PLACEHOLDER.findall(str(m.string)))
        if english != khmer:
            wrong.append((m.id, m.string))
    assert not wrong, f"placeholders differ: {wrong}"


def test_no_plural_or_positional_placeholders_hide_in_the_catalogue(catalog):
    # Khmer word order differs from English: only named placeholders can be moved safely.
    positional = [m.id for m in _messages(catalog) if re.search(r"%[sd]", m.id)]
    assert not positional, f"use %(name)s instead of %s: {positional}"


def test_compiled_catalogue_matches_the_po(catalog, tmp_path):
    assert MO.exists(), "messages.mo is missing: run scripts/i18n.sh compile"
    fresh = tmp_path / "messages.mo"
    with fresh.open("wb") as f:
        write_mo(f, catalog)
    with fresh.open("rb") as f:
        expected = {m.id: m.string for m in read_mo(f) if m.id}
    with MO.open("rb") as f:
        committed = {m.id: m.string for m in read_mo(f) if m.id}
    stale = sorted(k for k in expected if committed.get(k) != expected[k])
    extra = sorted(set(committed) - set(expected))
    assert not stale, f"messages.mo is out of date with messages.po (run scripts/i18n.sh compile): {stale[:10]}"
    assert not extra, f"messages.mo has strings no longer in messages.po: {extra[:10]}"


def test_freshly_extracted_strings_are_all_in_the_po(catalog, tmp_path):
    pot = tmp_path / "messages.pot"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    extracted = {m.id for m in _read_po(pot) if m.id}
    assert len(extracted) > 150
    known = {m.id for m in _messages(catalog)}
    missing = sorted(extracted - known)
    assert not missing, f"strings in the code but not in messages.po (run scripts/i18n.sh, then translate): {missing}"


@pytest.fixture()
def client(app, db):
    from tests.intake.helpers import FreshRequestClient

    return FreshRequestClient(app, app.response_class, use_cookies=True)


def test_the_form_is_in_khmer_by_default_and_english_on_request(client):
    khmer = client.get("/")
    assert khmer.status_code == 200
    page = khmer.get_data(as_text=True)
    assert '<html lang="km">' in page
    assert "<h1>ដាក់បណ្ដឹង</h1>" in page
    assert ">បន្ទាប់</button>" in page  # the first step's button ("Next"); the summary's sends
    assert "Make a complaint" not in page

    english = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in english
    assert "<h1>Make a complaint</h1>" in english
    assert "ដាក់បណ្ដឹង" not in english


def test_the_language_switch_sets_a_cookie_that_later_pages_follow(client):
    switched = client.get("/lang/en?next=/track")
    assert switched.status_code == 302
    assert switched.headers["Location"].endswith("/track")
    page = client.get("/track").get_data(as_text=True)
    assert "<h1>Follow my complaint</h1>" in page
    back = client.get("/lang/km?next=/track")
    assert back.status_code == 302
    assert "<h1>តាមដានបណ្ដឹងរបស់ខ្ញុំ</h1>" in client.get("/track").get_data(as_text=True)
