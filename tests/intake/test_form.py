"""The public complaint form, end to end through the web layer: routing, clocks, receipt, bad input."""

from __future__ import annotations

import re
from datetime import date, datetime
from urllib.parse import urlencode

import pytest
from sqlalchemy import inspect, select, text

from grievance.domain import dates
from grievance.domain.calendar import TZ, WorkingCalendar
from grievance.extensions import db
from grievance.models import Case, ClosureDay
from grievance.models.timeutil import from_db
from tests.intake.helpers import (
    KHMER_DESCRIPTION,
    case_by_reference,
    complaint_data,
    field_error,
    form_token,
    frozen_datetime,
    input_value,
    receipt_of,
    row_counts,
    submit_complaint,
    text_of,
    textarea_value,
)

# Friday 10 April 2026, 15:00 in Phnom Penh: Khmer New Year (Tue 14 – Thu 16 April),
# Labour Day (Fri 1 May) and the Royal Ploughing Ceremony (Tue 5 May) fall inside the clocks.
FROZEN = datetime(2026, 4, 10, 15, 0, tzinfo=TZ)


@pytest.fixture()
def frozen(monkeypatch):
    monkeypatch.setattr("grievance.intake.service.datetime", frozen_datetime(FROZEN))
    return FROZEN


def _local_day(value) -> date:
    return from_db(value).astimezone(TZ).date()


def _use_english(client):
    client.set_cookie("lang", "en")


# --- routing and clocks ---------------------------------------------------------------------

ROUTES = [
    # category, fund, who sees it, (ack, resolve) working days from domain.md,
    # (ack due, resolve due) worked out by hand on the 2026 calendar
    ("NSAF-CT-MISSING", "NSAF", ("officer", "NSAF"), (2, 15), (date(2026, 4, 17), date(2026, 5, 8))),
    ("NSSF-CONTRIB", "NSSF", ("officer", "NSSF"), (2, 30), (date(2026, 4, 17), None)),
    ("HEALTH-FEE", "HEALTH", ("officer", "HEALTH"), (1, 5), (date(2026, 4, 13), date(2026, 4, 22))),
    ("IDPOOR", "NSPC", ("oversight", None), (2, 20), (date(2026, 4, 17), None)),
    ("OTHER", "NSPC", ("oversight", None), (2, 15), (date(2026, 4, 17), date(2026, 5, 8))),
]


@pytest.mark.parametrize(("category", "fund", "viewer", "days", "due"), ROUTES, ids=[r[0] for r in ROUTES])
def test_khmer_complaint_reaches_the_routed_funds_queue_with_working_day_deadlines(
    client, login_as, frozen, category, fund, viewer, days, due
):
    response = submit_complaint(client, category=category, description=KHMER_DESCRIPTION)
    assert response.status_code == 200
    page = text_of(response)
    assert "យើងបានទទួលបណ្ដឹងរបស់អ្នកហើយ" in page  # "your complaint has been received"
    reference, _code = receipt_of(response)

    case = case_by_reference(reference)
    assert case.fund.code == fund
    assert case.category.code == category
    assert case.description == KHMER_DESCRIPTION
    assert case.language == "km"
    assert from_db(case.received_at) == FROZEN

    # Deadlines: the end of the n-th working day after receipt, on the Cambodian calendar.
    ack_days, resolve_days = days
    calendar = WorkingCalendar(db.session.execute(select(ClosureDay.day)).scalars())
    assert _local_day(case.ack_due_at) == calendar.add_working_days(FROZEN.date(), ack_days)
    assert _local_day(case.resolve_due_at) == calendar.add_working_days(FROZEN.date(), resolve_days)
    assert from_db(case.ack_due_at).astimezone(TZ).time() == datetime.max.time().replace(microsecond=0)
    expected_ack, expected_resolve = due
    assert _local_day(case.ack_due_at) == expected_ack
    if expected_resolve:
        assert _local_day(case.resolve_due_at) == expected_resolve
    for holiday in (date(2026, 4, 14), date(2026, 4, 15), date(2026, 4, 16)):
        assert not calendar.is_working_day(holiday)

    # The receipt names the fund and the acknowledgement date the person can hold it to, with
    # the Khmer month name (17 April: «17 មេសា 2026»).
    assert f"{expected_ack.day} {dates.MONTHS_KM[expected_ack.month - 1]} {expected_ack.year}" in page
    assert dates.day(expected_ack, "km") in page
    assert case.fund.name("km") in page

    role, staff_fund = viewer
    login_as(role, fund=staff_fund)
    queue = client.get("/cases/?status=all")
    assert queue.status_code == 200
    link = rf'<td><a href="/cases/{case.id}">{reference}</a></td>'
    row = re.search(rf"<tr[^>]*>\s*{link}(.*?)</tr>", text_of(queue), re.S)
    assert row, f"{reference} is not in the {role} queue"
    cells = row.group(1)
    assert f"<td>{fund}</td>" in cells
    assert dates.day(_local_day(case.ack_due_at), "km") in cells  # the staff page is in Khmer too
    assert dates.day(_local_day(case.resolve_due_at), "km") in cells


def test_a_case_is_not_in_another_funds_queue(client, login_as):
    reference, _code = receipt_of(submit_complaint(client, category="NSSF-CONTRIB"))
    login_as("officer", fund="NSAF")
    queue = text_of(client.get("/cases/?status=all"))
    assert reference not in queue


def test_anonymous_complaint_stores_no_complainant(client):
    reference, _code = receipt_of(submit_complaint(client))
    case = case_by_reference(reference)
    assert case.identity_mode == "anonymous"
    assert case.complainant is None


def test_confidential_complaint_keeps_name_and_phone_apart_from_the_case(client):
    response = submit_complaint(client, identity_mode="confidential", name="សុខ ចាន់ថា", phone="012 345 678")
    reference, _code = receipt_of(response)
    case = case_by_reference(reference)
    assert case.complainant.name == "សុខ ចាន់ថា"
    assert case.complainant.phone == "012 345 678"
    assert "សុខ ចាន់ថា" not in case.description


# --- receipt and tracking code --------------------------------------------------------------


def test_receipt_shows_reference_and_code_once_and_the_code_is_not_stored(client, app):
    response = submit_complaint(client)
    page = text_of(response)
    reference, code = receipt_of(response)
    assert re.fullmatch(r"GRV-\d{4}-\d{6}", reference)
    assert page.count(code) == 1
    assert "លេខកូដបង្ហាញតែម្ដងគត់" in page  # "the code is shown only once"
    assert "Cache-Control" in response.headers and "no-store" in response.headers["Cache-Control"]
    # Not in a URL or cookie the browser keeps.
    assert code not in response.headers.get("Location", "")
    assert all(code not in c for c in response.headers.getlist("Set-Cookie"))

    # The code lives nowhere in the database, in any form people would type it.
    variants = {code, code.replace("-", ""), code.lower(), code.replace("-", "").lower()}
    found = []
    with db.engine.connect() as conn:
        for table in inspect(db.engine).get_table_names():
            for row in conn.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608 - names from the schema
                for value in row:
                    if isinstance(value, str) and any(v in value for v in variants):
                        found.append(table)
    assert not found, f"the tracking code is stored in plain text in {found}"
    case = case_by_reference(reference)
    assert re.fullmatch(r"[0-9a-f]{64}", case.tracking_hash)

    # Shown once: a fresh form and the tracking page never show it again.
    assert code not in text_of(client.get("/"))
    assert code not in text_of(client.get("/track"))


def test_double_submitting_the_same_form_creates_one_case(client):
    token = form_token(client)
    data = complaint_data(token)
    first = client.post("/", data=data)
    reference, _code = receipt_of(first)
    assert row_counts()[0] == 1
    second = client.post("/", data=data)
    assert second.status_code == 200
    page = text_of(second)
    assert "បណ្ដឹងនេះបានផ្ញើរួចហើយ" in page  # "this complaint was already sent"
    assert reference in page
    assert 'class="big code"' not in page  # no second tracking code
    assert row_counts()[0] == 1
    assert db.session.scalar(select(Case.reference)) == reference


def test_each_form_load_gets_its_own_token(client):
    assert form_token(client) != form_token(client)
    receipt_of(submit_complaint(client))
    receipt_of(submit_complaint(client))
    assert row_counts()[0] == 2


def test_honeypot_stores_nothing(client):
    response = submit_complaint(client, website="http://cheap-pills.example")
    assert response.status_code == 200
    assert "សូមអរគុណ" in text_of(response)  # looks like success to the bot
    assert "GRV-" not in text_of(response)
    assert row_counts() == (0, 0, 0)


# --- bad input: refused with a message next to the field, in the person's language ----------

KM_TOO_LONG = "សូមសរសេរកុំឲ្យលើសពី {n} តួអក្សរ។"
MSG = {
    "control": ("អត្ថបទនេះមានតួអក្សរពិសេសដែលមិនអនុញ្ញាត", "This text contains control characters that are not allowed."),
    "invalid": (
        "អត្ថបទនេះមានតួអក្សរដែលយើងមិនអាចរក្សាទុកបាន",
        "This text contains characters that cannot be stored. Please retype it.",
    ),
    "invisible": ("តួអក្សរមើលមិនឃើញ", "This text contains a long run of invisible characters."),
    "marks": ("ជើងអក្សរ ឬសញ្ញា ច្រើនពេក", "This text contains a long run of combining marks."),
    "bidi": ("តួអក្សរប្ដូរទិសសរសេរ", "This field cannot contain direction-control characters."),
    "desc_long": ("សូមសរសេរកុំឲ្យលើសពី 5000 តួអក្សរ។", "Please keep this under 5000 characters."),
    "name_long": ("សូមសរសេរកុំឲ្យលើសពី 200 តួអក្សរ។", "Please keep this under 200 characters."),
}

KHMER_5001 = ("សូមជួយខ្ញុំផង " * 1000)[:5001]
CONFIDENTIAL = {"identity_mode": "confidential"}

BAD_TEXT = [
    # id, field, value, other fields, message
    ("khmer-max-plus-one", "description", KHMER_5001, {}, "desc_long"),
    ("nul", "description", "abc\x00def", {}, "control"),
    ("escape-sequence", "description", "សូមជួយ \x1b[2J", {}, "control"),
    ("zero-width-run", "description", "ខ្ញុំ" + "\u200b" * 1000 + "ជួយ", {}, "invisible"),
    ("coeng-run", "description", "ក" + "\u17d2" * 500, {}, "marks"),
    ("rtl-override-in-name", "name", "Bob\u202egnp.exe", CONFIDENTIAL, "bidi"),
    ("crlf-in-name", "name", "Bob\r\nSet-Cookie: x=1", CONFIDENTIAL, "control"),
    ("log-line-in-name", "name", "x\nINFO login ok", CONFIDENTIAL, "control"),
    ("name-max-plus-one", "name", "ស" * 201, CONFIDENTIAL, "name_long"),
]


@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize(
    ("field", "value", "extra", "message"),
    [b[1:] for b in BAD_TEXT],
    ids=[b[0] for b in BAD_TEXT],
)
def test_bad_text_is_refused_next_to_the_field_and_nothing_is_stored(client, lang, field, value, extra, message):
    if lang == "en":
        _use_english(client)
    response = submit_complaint(client, **{field: value, **extra})
    assert response.status_code == 400
    page = text_of(response)
    km, en = MSG[message]
    error = field_error(page, field)
    assert error is not None, f"no message next to {field}"
    assert (km if lang == "km" else en) in error
    if lang == "en":
        assert "Please check the fields marked below. Nothing has been sent yet." in page
    else:
        assert "មិនទាន់មានអ្វីត្រូវបានផ្ញើទេ" in page  # "nothing has been sent yet"
    # What they typed is still there (the browser shows the text back as typed).
    if field == "description" and "\x00" not in value:
        assert textarea_value(page, "description") == value.replace("\r\n", "\n")
    if field == "name":
        assert input_value(page, "name") == value
    assert row_counts() == (0, 0, 0)


RAW_BYTES = [
    ("lone-surrogate", "%ED%A0%80"),
    ("raw-bytes-encoded", "%FF%FE"),
    ("overlong-slash", "%C0%AF"),
]


@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize("raw", [r[1] for r in RAW_BYTES], ids=[r[0] for r in RAW_BYTES])
def test_invalid_utf8_is_refused_next_to_the_field(client, lang, raw):
    if lang == "en":
        _use_english(client)
    data = complaint_data(form_token(client))
    del data["description"]
    body = urlencode(data) + "&description=" + "%E1%9E%81%E1%9F%92%E1%9E%89%E1%9E%BB%E1%9F%86" + raw + "def"
    response = client.post("/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    km, en = MSG["invalid"]
    assert (km if lang == "km" else en) in field_error(text_of(response), "description")
    # The rest of the form is kept: the category they chose is still chosen.
    assert 'value="NSAF-CT-MISSING" checked' in text_of(response)
    assert row_counts() == (0, 0, 0)


def test_unencoded_raw_bytes_in_the_body_are_refused(client):
    data = complaint_data(form_token(client))
    del data["description"]
    body = urlencode(data).encode() + b"&description=abc\xff\xfedef"
    response = client.post("/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert MSG["invalid"][0] in field_error(text_of(response), "description")
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize("lang", ["km", "en"])
@pytest.mark.parametrize(
    "description",
    ["ក" * (10 * 1024 * 1024 // 3), "\u200b" * 100_000],
    ids=["10MB-description", "100000-zero-width-spaces"],
)
def test_oversized_body_gets_a_clear_too_large_page(client, lang, description):
    if lang == "en":
        _use_english(client)
    response = submit_complaint(client, description=description)
    assert response.status_code == 413
    page = text_of(response)
    assert ("អ្វីដែលអ្នកបានផ្ញើ ធំពេក។" if lang == "km" else "What you sent is too large.") in page
    assert len(page) < 20_000  # the text is not echoed back to a phone on a slow connection
    assert row_counts() == (0, 0, 0)


def test_exactly_the_maximum_of_khmer_is_accepted(client):
    text_5000 = KHMER_5001[:5000]
    response = submit_complaint(client, description=text_5000)
    assert response.status_code == 200
    reference, _code = receipt_of(response)
    assert case_by_reference(reference).description == text_5000


def test_khmer_word_spacing_with_zero_width_spaces_is_accepted(client):
    # Khmer separates words with U+200B; short runs are ordinary text and must be kept.
    description = "ខ្ញុំ\u200bមិន\u200bទាន់\u200bបាន\u200bទទួល\u200bប្រាក់\u200bឧបត្ថម្ភ។"
    reference, _code = receipt_of(submit_complaint(client, description=description))
    assert case_by_reference(reference).description == description


HOSTILE_BUT_STORABLE = [
    ("script-in-khmer", "សូមជួយ<script>alert(1)</script>ខ្ញុំ", "<script>alert(1)</script>"),
    ("img-onerror", "<img src=x onerror=alert(1)>", "<img src=x onerror=alert(1)>"),
    ("svg-onload", '"><svg/onload=alert(1)>', "<svg/onload=alert(1)>"),
    ("template-expression", "{{7*7}}", None),
    ("template-config", "{{config}}", None),
    ("template-raw", "{% raw %}", None),
    ("sql-quote", "' OR '1'='1", None),
    ("sql-wildcards", "100% of _everything_", None),
]


@pytest.mark.parametrize(
    ("description", "dangerous"),
    [h[1:] for h in HOSTILE_BUT_STORABLE],
    ids=[h[0] for h in HOSTILE_BUT_STORABLE],
)
def test_markup_and_template_text_is_stored_literally_and_shown_escaped(client, login_as, description, dangerous):
    response = submit_complaint(client, description=description)
    assert response.status_code == 200
    reference, _code = receipt_of(response)
    case = case_by_reference(reference)
    assert case.description == description  # stored exactly as typed
    assert row_counts()[0] == 1  # the SQL-ish text did not touch anything else

    login_as("officer", fund="NSAF")
    page = text_of(client.get(f"/cases/{case.id}"))
    shown = re.search(r'<h2>[^<]*</h2>\s*<p class="message">(.*?)</p>', page, re.S)
    assert shown, "the case page does not show the complaint text"
    escaped = (
        description.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace('"', "&#34;")
        .replace("'", "&#39;")
    )
    assert escaped in page
    if dangerous:
        assert dangerous not in page
    assert "49" not in shown.group(1)  # {{7*7}} was not evaluated
    assert "SECRET_KEY" not in page and "test-secret-key" not in page  # {{config}} was not evaluated


def test_bad_input_never_causes_a_server_error(client):
    payloads = [value for _id, _f, value, _e, _m in BAD_TEXT] + [h[1] for h in HOSTILE_BUT_STORABLE]
    for value in payloads:
        for field in ("description", "name", "programme_number", "phone", "occurred_on", "province", "category"):
            response = submit_complaint(client, identity_mode="named", **{field: value})
            assert response.status_code < 500, (field, value[:40])


def test_receipt_in_english_with_the_language_cookie(client, frozen):
    _use_english(client)
    response = submit_complaint(client, category="HEALTH-FEE", description="The health centre charged me 20,000 riel.")
    page = text_of(response)
    reference, code = receipt_of(response)
    assert "Your complaint has been received" in page
    assert "The code is shown only once" in page
    assert "Health Equity Fund" in page
    assert "2026-04-13" in page  # acknowledge by: 1 working day after Friday 10 April
    assert case_by_reference(reference).language == "en"
    assert page.count(code) == 1
