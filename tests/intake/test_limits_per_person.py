"""Limits per person, not per country: behind the proxy each client has its own filing limit.

The app runs with TRUSTED_PROXIES=1 as behind one nginx: every request comes from the proxy's
address (127.0.0.1) and names its client in X-Forwarded-For, as nginx does.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Case
from tests.intake.helpers import KHMER_DESCRIPTION, complaint_data, text_of, textarea_value
from tests.limited import limited_app

PROXY = "127.0.0.1"


@pytest.fixture()
def behind_proxy(tmp_path):
    with limited_app(tmp_path, TRUSTED_PROXIES=1) as app:
        yield app


def _client(app, person: str, lang: str = "km"):
    client = app.test_client()
    client.environ_base.update({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": person})
    if lang == "en":
        client.get("/lang/en")
    return client


def _file(client, **fields):
    page = text_of(client.get("/"))
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/", data=complaint_data(token, **fields))


def _cases(app) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Case.id))).scalar_one()


def test_two_people_behind_the_proxy_have_separate_limits(behind_proxy):
    first = _client(behind_proxy, "198.51.100.7")
    assert [_file(first).status_code for _ in range(5)] == [200] * 5
    assert _file(first).status_code == 429
    second = _client(behind_proxy, "198.51.100.8")
    assert _file(second).status_code == 200, "one person's limit stopped another's complaint"
    assert _cases(behind_proxy) == 6


def test_without_trusted_proxies_a_forged_header_buys_no_new_limit(tmp_path):
    with limited_app(tmp_path) as app:  # TRUSTED_PROXIES=0: X-Forwarded-For means nothing
        statuses = [_file(_client(app, f"198.51.100.{i}")).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


def test_only_the_configured_hops_are_trusted(behind_proxy):
    # A client that sends its own X-Forwarded-For gets it prefixed to nginx's value: the app
    # reads only the last (nginx's) entry, so rotating the forged part changes nothing.
    statuses = []
    for i in range(6):
        client = behind_proxy.test_client()
        client.environ_base.update({"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"10.9.9.{i}, 198.51.100.9"})
        statuses.append(_file(client).status_code)
    assert statuses == [200] * 5 + [429]


def test_forms_refused_for_a_mistake_do_not_count_towards_the_filing_limit(behind_proxy):
    person = _client(behind_proxy, "198.51.100.20")
    refused = [_file(person, description="").status_code for _ in range(8)]
    assert refused == [400] * 8
    assert [_file(person).status_code for _ in range(5)] == [200] * 5


@pytest.mark.parametrize(
    "lang,words",
    [
        # "try again after 14:05 (in about 3 minutes)", or "in 40 seconds" near the window's end
        ("en", ("so this one was not sent yet", "What you typed is kept below", "Please try again")),
        ("km", ("អ្វីដែលអ្នកបានវាយត្រូវបានរក្សាទុកខាងក្រោម", "សូមព្យាយាមម្តងទៀត")),
    ],
)
def test_the_429_page_keeps_what_was_typed_and_says_when_to_try_again(behind_proxy, lang, words):
    person = _client(behind_proxy, "198.51.100.30", lang)
    for _ in range(5):
        assert _file(person).status_code == 200
    typed = KHMER_DESCRIPTION + " ខ្ញុំបានសរសេរវែងណាស់ ហើយមិនចង់បាត់វាទេ។"
    refused = _file(person, description=typed, category="HEALTH-FEE", identity_mode="confidential", name="សុខ ស្រីមុំ")
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    page = text_of(refused)
    for word in words:
        assert word in page, f"{word!r} missing from the 429 page"
    assert textarea_value(page, "description") == typed
    assert 'value="HEALTH-FEE" checked' in page
    assert 'value="សុខ ស្រីមុំ"' in page
    assert _cases(behind_proxy) == 5


def test_the_tracking_429_says_when_to_try_again(behind_proxy):
    person = _client(behind_proxy, "198.51.100.40", "en")
    data = {"reference": "GRV-2026-000001", "code": "AAAA-BBBB-CCCC-DDDD"}
    assert [person.post("/track", data=data).status_code for _ in range(10)] == [404] * 10
    refused = person.post("/track", data=data)
    assert refused.status_code == 429 and "Please try again" in text_of(refused)
    assert 'value="GRV-2026-000001"' in text_of(refused)
    assert _client(behind_proxy, "198.51.100.41").post("/track", data=data).status_code == 404


def test_the_wait_is_said_in_seconds_minutes_or_a_time_and_day(app):
    from grievance.retry import try_again_message

    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert try_again_message(40) == "Please try again in 40 seconds."
        assert re.fullmatch(r"Please try again after \d\d:\d\d \(in about 12 minutes\)\.", try_again_message(700))
        assert re.fullmatch(r"Please try again after \d\d:\d\d on \d\d/\d\d/\d{4}\.", try_again_message(3 * 3600))
