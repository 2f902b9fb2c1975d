"""Rate limits on the public surfaces: anonymous API filing, the form, tracking lookups."""

from __future__ import annotations

import re

import pytest

from grievance.api import keys
from grievance.extensions import db as _db
from grievance.models import Organisation
from tests.limited import limited_app

BODY = {"service_code": "OTHER", "description": "ខ្ញុំមានបញ្ហា"}


@pytest.fixture()
def limited(tmp_path):
    """An app with limits on (its own file database) and an API key for an organisation."""
    issued = {}

    def organisation_with_key(_app):
        organisation = Organisation(name="Limits CSO")
        _db.session.add(organisation)
        _db.session.flush()
        issued["key"], _row = keys.issue(organisation)

    with limited_app(tmp_path, setup=organisation_with_key) as app:
        yield app, issued["key"]


def test_anonymous_api_filing_is_tightly_limited_but_key_holders_are_not(limited):
    app, key = limited
    client = app.test_client()
    statuses = [client.post("/open311/v2/requests.json", json=BODY).status_code for _ in range(3)]
    assert statuses == [201, 201, 429]
    refused = client.post("/open311/v2/requests.json", json=BODY)
    assert refused.get_json()[0]["code"] == 429  # a JSON error, like every other API error
    with_key = {**BODY, "api_key": key, "attribute": {"consent_given": True}}
    assert [client.post("/open311/v2/requests.json", json=with_key).status_code for _ in range(4)] == [201] * 4


def test_a_malformed_body_does_not_escape_the_limit(limited):
    app, _key = limited
    client = app.test_client()
    statuses = [
        client.post("/open311/v2/requests.json", data=b"[" * 50, content_type="application/json").status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 429]


def test_tracking_lookups_are_limited(limited):
    app, _key = limited
    client = app.test_client()
    statuses = [
        client.post("/track", data={"reference": "GRV-2026-000001", "code": "AAAA-BBBB-CCCC-DDDD"}).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [404] * 10 and statuses[10] == 429


def test_the_public_form_is_limited(limited):
    app, _key = limited
    client = app.test_client()
    statuses = []
    for _ in range(6):
        page = client.get("/").get_data(as_text=True)
        token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        data = {**BODY, "category": "OTHER", "identity_mode": "anonymous", "form_token": token}
        if csrf:
            data["csrf_token"] = csrf.group(1)
        statuses.append(client.post("/", data=data).status_code)
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
