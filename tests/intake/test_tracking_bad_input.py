"""The bad-input catalogue (security.md) against the tracking page: lookups, added information, feedback."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from config import TestConfig
from grievance import create_app
from grievance.extensions import db
from grievance.models import Event
from tests.intake.helpers import case_by_reference, field_error, receipt_of, submit_complaint, text_of


@pytest.fixture()
def filed(client):
    return receipt_of(submit_complaint(client))


def events() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Event))


LOOKUP_JUNK = [
    "' OR '1'='1",
    "%",
    "_",
    "GRV-2026-%",
    "abc\x00def",
    "Bob\r\nSet-Cookie: x=1",
    "x\nINFO login ok",
    "\x1b[2J",
    "\u202eGRV",
    "{{7*7}}",
    "<script>alert(1)</script>",
    "GRV-2026-" + "9" * 5000,
    "0",
    "-1",
    str(2**63),
]


@pytest.mark.parametrize("junk", LOOKUP_JUNK)
@pytest.mark.parametrize("where", ["reference", "code"])
def test_junk_in_a_lookup_is_a_clear_4xx_and_reveals_nothing(client, filed, junk, where):
    reference, code = filed
    data = {"reference": reference, "code": code, where: junk}
    response = client.post("/track", data=data)
    assert response.status_code in (400, 404)
    page = text_of(response)
    assert 'class="status' not in page  # no case shown
    assert "<script>alert(1)</script>" not in page and "Set-Cookie: x=1\r" not in response.headers.get("Set-Cookie", "")


def test_a_reference_typed_in_khmer_digits_still_finds_the_complaint(client, filed):
    reference, code = filed
    khmer = reference.translate(str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩"))
    assert client.post("/track", data={"reference": khmer, "code": code}).status_code == 200


@pytest.mark.parametrize(
    "raw",
    ["%FF%FE", "%C0%AF", "%ED%A0%80"],
    ids=["raw-bytes", "overlong", "encoded-surrogate"],
)
def test_badly_encoded_information_and_lookups_are_refused(client, filed, raw):
    reference, code = filed
    before = events()
    form = "application/x-www-form-urlencoded"
    body = f"reference={reference}&code={quote(code)}&message=abc{raw}def"
    assert client.post("/track/information", data=body, content_type=form).status_code == 400
    lookup = f"reference={reference}{raw}&code={quote(code)}"
    assert client.post("/track", data=lookup, content_type=form).status_code in (400, 404)
    assert events() == before


@pytest.mark.parametrize(
    "message",
    [
        "abc\x00def",
        "\u200b" * 100_000,
        "ក" + "\u17d2" * 500,
        "ក" * 5001,
    ],
    ids=["nul", "100000-zero-width", "500-coeng", "max-plus-one-khmer"],
)
def test_bad_information_is_refused_next_to_the_field(client, filed, message):
    reference, code = filed
    before = events()
    response = client.post("/track/information", data={"reference": reference, "code": code, "message": message})
    assert response.status_code in (400, 413)
    if response.status_code == 400:
        assert field_error(text_of(response), "message")
    assert events() == before


def test_ten_megabytes_of_information_gets_the_too_large_page(client, filed):
    reference, code = filed
    before = events()
    response = client.post(
        "/track/information", data={"reference": reference, "code": code, "message": "ក" * (10 * 1024 * 1024 // 3)}
    )
    assert response.status_code == 413
    assert len(text_of(response)) < 20_000
    assert events() == before


@pytest.mark.parametrize(
    "message",
    [
        "សូមជួយ<script>alert(1)</script>ខ្ញុំ",
        "<img src=x onerror=alert(1)>",
        '"><svg/onload=alert(1)>',
        "{{7*7}} {{config}} {% raw %}",
        "' OR '1'='1 100% _",
        "Bob\r\nSet-Cookie: x=1",
        '<img src="file:///etc/passwd">',
    ],
)
def test_hostile_information_is_stored_literally_and_shown_escaped(client, filed, message):
    reference, code = filed
    response = client.post("/track/information", data={"reference": reference, "code": code, "message": message})
    assert response.status_code == 200
    page = text_of(response)
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page and "<svg/onload" not in page
    assert "test-secret-key" not in page and ">49<" not in page
    history = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
    assert "&lt;" in history or "{{7*7}}" in history or "OR" in history or "Set-Cookie" in history


@pytest.mark.parametrize("answer", ["maybe", "", "yes\x00", "<b>no</b>"])
def test_a_feedback_answer_other_than_yes_or_no_is_refused(client, filed, answer):
    reference, code = filed
    before = events()
    response = client.post("/track/feedback", data={"reference": reference, "code": code, "solved": answer})
    assert response.status_code == 400
    assert events() == before
    assert case_by_reference(reference).status == "received"


def test_a_missing_or_foreign_csrf_token_is_refused_on_the_public_forms(tmp_path):
    class WithCsrf(TestConfig):
        WTF_CSRF_ENABLED = True
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'csrf.sqlite'}"

    app = create_app(WithCsrf)
    with app.app_context():
        db.create_all()
        one, other = app.test_client(), app.test_client()
        foreign = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', text_of(other.get("/track"))).group(1)
        one.get("/track")
        data = {"reference": "GRV-2026-000001", "code": "ABCD-EFGH-JKMN-PQRS"}
        for path in ("/track", "/track/information", "/track/feedback", "/"):
            assert one.post(path, data=data).status_code == 400, path
            assert one.post(path, data={**data, "csrf_token": foreign}).status_code == 400, path
            assert one.post(path, data={**data, "csrf_token": "expired.x.y"}).status_code == 400, path
        db.session.remove()
        db.engine.dispose()
