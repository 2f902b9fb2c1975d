"""Receipts: where to follow the complaint (web address, SMS number), both languages with the code
shown once, Khmer month names, and Khmer digits when an administrator chooses them."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from grievance.domain import dates
from tests.intake.helpers import receipt_of, submit_complaint, text_of

MONTHS = "|".join(dates.MONTHS_KM)


@pytest.fixture()
def public(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_PUBLIC_NUMBER", "1280")
    monkeypatch.setitem(app.config, "PUBLIC_BASE_URL", "https://grievance.example.gov.kh")
    monkeypatch.setitem(app.config, "TELEGRAM_BOT_NAME", "@SocialProtectionKHBot")


def test_the_receipt_prints_the_web_address_and_the_sms_number(client, public):
    response = submit_complaint(client)
    page = text_of(response)
    assert "https://grievance.example.gov.kh/track" in page and "1280" in page and "@SocialProtectionKHBot" in page


def test_the_receipt_has_both_languages_and_the_code_once(client, public):
    response = submit_complaint(client)
    page = text_of(response)
    _reference, code = receipt_of(response)
    assert page.count(code) == 1
    assert "យើងបានទទួលបណ្ដឹងរបស់អ្នកហើយ" in page and "Your complaint has been received" in page
    assert re.search(r'<span class="other" lang="en">Your complaint has been received</span>', page)
    assert 'href="#other-language"' in page and "/lang/" not in page.split("<main>")[0]  # no request to switch


def test_the_printed_receipt_says_where_to_follow_it(client, public):
    reference, code = receipt_of(submit_complaint(client))
    pdf = client.post("/reports/receipt.pdf", data={"reference": reference, "code": code})
    assert pdf.status_code == 200
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "https://grievance.example.gov.kh/track" in text and "1280" in text
    assert code not in text  # the paper receipt never carries the code


def test_khmer_digits_when_an_administrator_chooses_them(client, public, monkeypatch, app):
    monkeypatch.setitem(app.config, "KHMER_DIGITS", True)
    response = submit_complaint(client)
    page = text_of(response)
    reference, code = receipt_of(response)
    assert re.search(rf"[០-៩]{{1,2}} ({MONTHS}) [០-៩]{{4}}", page)  # ៧ ធ្នូ ២០២៦
    assert re.fullmatch(r"GRV-\d{4}-\d{6}", reference)  # references and codes stay as people copy them
    client.set_cookie("lang", "en")
    english = text_of(submit_complaint(client))
    assert re.search(r"\d{4}-\d{2}-\d{2}", english) and not re.search("[០-៩]", english.split('lang="km"')[0])


def test_dates_read_in_khmer_use_khmer_month_names(client):
    response = submit_complaint(client)
    assert re.search(rf"\d{{1,2}} ({MONTHS}) \d{{4}}", text_of(response))
