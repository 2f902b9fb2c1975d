"""The Open311 GeoReport v2 API: round trip, redaction, filters, keys, and the bad-input catalogue."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy import func, select

from grievance.cases import service as svc
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models import ApiKey, Case, Complainant
from grievance.models.timeutil import from_db
from grievance.services.reference import working_calendar
from tests.intake.helpers import case_by_reference, row_counts

BASE = "/open311/v2"
DESCRIPTION = "ខ្ញុំមិនទាន់បានទទួលប្រាក់។ ទូរស័ព្ទ 012 345 678 ឬ ០១២៣៤៥៦៧៨ ប័ណ្ណ IDP-2024-000123"


def post(client, body, **kwargs):
    return client.post(f"{BASE}/requests.json", json=body, **kwargs)


def new_request(**extra):
    body = {"service_code": "NSAF-CT-MISSING", "description": DESCRIPTION, "attribute": {"province_code": "12"}}
    body.update(extra)
    return body


def test_a_complaint_round_trips_with_the_fund_and_a_working_day_due_date(client, relay_key):
    key, platform = relay_key
    response = post(client, new_request(api_key=key))
    assert response.status_code == 201
    (created,) = response.get_json()
    reference, code = created["service_request_id"], created["tracking_code"]
    assert len(code) == 19 and created["token"] != code

    (shown,) = client.get(f"{BASE}/requests/{reference}.json?lang=en").get_json()
    assert shown["service_request_id"] == reference
    assert shown["agency_responsible"] == "National Social Assistance Fund"
    assert shown["status"] == "open" and shown["extended_attributes"]["detailed_status"] == "received"
    expected = datetime.fromisoformat(shown["expected_datetime"])
    assert expected.utcoffset().total_seconds() == 7 * 3600  # +07:00
    case = case_by_reference(reference)
    assert case.channel == "api" and case.filed_by_org_id == platform.id  # relayed by that platform
    # 15 working days (NSAF-CT-MISSING) on the Cambodian calendar: the due day is a working day
    assert working_calendar().is_working_day(expected.date())
    assert expected == from_db(case.resolve_due_at).astimezone(TZ)
    assert expected == working_calendar().deadline(from_db(case.received_at), 15).astimezone(TZ)
    assert shown["expected_datetime"] == created["expected_datetime"]
    # the tracking code works on the tracking page
    page = client.post("/track", data={"reference": reference, "code": code})
    assert page.status_code == 200


def test_the_public_view_never_shows_personal_data_and_masks_numbers(client):
    body = new_request(first_name="Srey", last_name="Pov", phone="012345678", email="pov@example.org")
    body["attribute"].update({"identity_mode": "confidential", "programme_number": "IDP-99-7654321"})
    reference = post(client, body).get_json()[0]["service_request_id"]
    case = case_by_reference(reference)
    assert case.complainant.name == "Srey Pov" and case.complainant.programme_number == "IDP-99-7654321"

    for path in (f"{BASE}/requests/{reference}.json", f"{BASE}/requests.json"):
        text = client.get(path).get_data(as_text=True)
        for secret in ("Srey", "Pov", "012345678", "012 345 678", "០១២៣៤៥៦៧៨", "7654321", "000123", "pov@"):
            assert secret not in text, (path, secret)
    (shown,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert "ខ្ញុំមិនទាន់បានទទួលប្រាក់" in shown["description"]  # the rest of the text stays readable


def test_sensitive_complaints_are_listed_without_their_text(client):
    reference = post(client, new_request(service_code="MISCONDUCT")).get_json()[0]["service_request_id"]
    (shown,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert shown["description"] is None and shown["service_code"] == "MISCONDUCT"


def test_filters_status_service_and_dates_and_pagination(client, make):
    officer = make.user("officer", fund="NSAF")
    for _ in range(3):
        post(client, new_request())
    post(client, new_request(service_code="HEALTH-FEE"))
    closed = db.session.execute(select(Case).where(Case.category.has(code="NSAF-CT-MISSING"))).scalars().first()
    svc.reject(closed, officer, "ករណីនេះមិនស្ថិតក្នុងកម្មវិធីទេ។")
    db.session.commit()

    def ids(query):
        response = client.get(f"{BASE}/requests.json?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return [r["service_request_id"] for r in response.get_json()]

    assert len(ids("")) == 4
    assert len(ids("service_code=HEALTH-FEE")) == 1
    assert len(ids("service_code=HEALTH-FEE,NSAF-CT-MISSING")) == 4
    assert ids("status=closed") == [closed.reference]
    assert len(ids("status=open")) == 3
    today = datetime.now(TZ).date()
    assert len(ids(f"start_date={today}&end_date={today}T23:59:59%2B07:00")) == 4
    assert ids("start_date=2999-01-01") == []
    first, second = ids("page_size=3"), ids("page_size=3&page=2")
    assert len(first) == 3 and len(second) == 1 and not set(first) & set(second)
    response = client.get(f"{BASE}/requests.json?page_size=3")
    assert 'rel="next"' in response.headers["Link"]


@pytest.mark.parametrize(
    "query",
    [
        "page_size=1001",
        "page_size=0",
        "page=-1",
        "page=1e309",
        "page_size=" + "9" * 5000,
        "status=pending",
        "start_date=yesterday",
        "end_date=0001-01-01T00:00:00%2B14:00",
        "start_date=2000-01-01&end_date=2999-01-01",
        "service_code=" + "A" * 100,
        "start_date=%00",
    ],
)
def test_bad_query_parameters_get_a_clear_400(client, query):
    response = client.get(f"{BASE}/requests.json?{query}")
    assert response.status_code == 400
    (problem,) = response.get_json()
    assert problem["code"] == 400 and problem["description"]


def test_unknown_requests_are_404_in_json(client):
    for rid in ("GRV-2026-999999", "0", "-1", str(2**63), "true", "%00", "GRV-2026-" + "9" * 50):
        response = client.get(f"{BASE}/requests/{rid}.json")
        assert response.status_code == 404, rid
        assert response.get_json()[0]["code"] == 404


def test_services_are_listed_in_khmer_and_english_with_typed_attributes(client):
    km = client.get(f"{BASE}/services.json").get_json()
    en = client.get(f"{BASE}/services.json?lang=en").get_json()
    assert len(km) == len(en) == 16
    assert {s["service_code"] for s in en} >= {"NSAF-CT-MISSING", "HEALTH-FEE", "MISCONDUCT"}
    assert any("\u1780" <= ch <= "\u17ff" for ch in km[0]["service_name"])
    definition = client.get(f"{BASE}/services/NSSF-INFORMAL.json").get_json()
    codes = {a["code"]: a for a in definition["attributes"]}
    assert codes["identity_mode"]["datatype"] == "singlevaluelist"
    assert codes["people_affected"]["datatype"] == "number"
    assert {"province_code", "district_code", "commune_code", "programme_number"} <= set(codes)
    assert client.get(f"{BASE}/services/NOPE.json").status_code == 404
    discovery = client.get(f"{BASE}/discovery.json").get_json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_an_organisation_key_files_as_that_organisation_for_a_group(client, api_key):
    key, organisation = api_key
    body = new_request(api_key=key, first_name="Sok", last_name="Chan")
    body["attribute"].update({"identity_mode": "confidential", "people_affected": 40, "consent_given": True})
    response = post(client, body)
    assert response.status_code == 201
    case = case_by_reference(response.get_json()[0]["service_request_id"])
    assert case.channel == "api" and case.filed_by_org_id == organisation.id and case.people_affected == 40
    assert case.complainant.consent_given is True
    assert db.session.execute(select(ApiKey)).scalar_one().last_used_at is not None


def test_a_key_filing_needs_consent_and_a_wrong_key_is_refused(client, api_key):
    key, _org = api_key
    assert post(client, new_request(api_key=key)).status_code == 422
    assert post(client, new_request(api_key="grv_" + "x" * 43)).status_code == 403
    assert post(client, new_request(api_key=True)).status_code == 403
    assert row_counts() == (0, 0, 0)


def test_the_form_encoding_of_open311_is_accepted(client):
    response = client.post(
        f"{BASE}/requests.json",
        data={
            "service_code": "HEALTH-FEE",
            "description": "គេយកលុយខ្ញុំនៅមណ្ឌលសុខភាព",
            "attribute[province_code]": "12",
            "attribute[district_code]": "1201",
            "attribute[people_affected]": "3",
        },
    )
    assert response.status_code == 201
    case = case_by_reference(response.get_json()[0]["service_request_id"])
    assert (case.district_code, case.people_affected, case.fund.code) == ("1201", 3, "HEALTH")


def test_extra_status_fund_and_assignee_fields_are_ignored_and_never_written(client):
    body = new_request(status="closed", fund="NSSF", fund_id=2, assignee="1", assignee_id=1, channel="web")
    body["attribute"]["detailed_status"] = "resolved"
    response = post(client, body)
    assert response.status_code == 201
    case = case_by_reference(response.get_json()[0]["service_request_id"])
    assert (case.status, case.fund.code, case.assignee_id, case.channel) == ("received", "NSAF", None, "api")


BAD_BODIES = [
    ("deep-nesting", b"[" * 100_000, "application/json", (400, 413)),
    ("deep-nesting-small", b"[" * 5_000 + b"]" * 5_000, "application/json", (400,)),
    ("nested-object", b'{"a":' * 50 + b"1" + b"}" * 50, "application/json", (400,)),
    (
        "5000-digit-number",
        b'{"service_code":"OTHER","description":"x","attribute":{"people_affected":' + b"9" * 5000 + b"}}",
        "application/json",
        (400,),
    ),
    (
        "1e309",
        b'{"service_code":"OTHER","description":"x","attribute":{"people_affected":1e309}}',
        "application/json",
        (400,),
    ),
    (
        "NaN",
        b'{"service_code":"OTHER","description":"x","attribute":{"people_affected":NaN}}',
        "application/json",
        (400,),
    ),
    ("true-as-id", b'{"service_code":true,"description":"x"}', "application/json", (400,)),
    (
        "true-as-number",
        b'{"service_code":"OTHER","description":"x","attribute":{"people_affected":true}}',
        "application/json",
        (400,),
    ),
    (
        "duplicate-keys",
        b'{"service_code":"OTHER","service_code":"NSAF-CT-MISSING","description":"x"}',
        "application/json",
        (400,),
    ),
    ("text-plain", b'{"service_code":"OTHER","description":"x"}', "text/plain", (415,)),
    ("no-content-type", b'{"service_code":"OTHER","description":"x"}', "", (415,)),
    ("not-json", b"{'service_code': 'OTHER'}", "application/json", (400,)),
    ("array", b'[{"service_code":"OTHER","description":"x"}]', "application/json", (400,)),
    ("raw-bytes", b'{"service_code":"OTHER","description":"abc\xff\xfedef"}', "application/json", (400,)),
    ("lone-surrogate", b'{"service_code":"OTHER","description":"abc\\ud800def"}', "application/json", (400, 422)),
    ("nul", b'{"service_code":"OTHER","description":"abc\\u0000def"}', "application/json", (400, 422)),
    ("empty", b"", "application/json", (400,)),
    ("huge", b'{"service_code":"OTHER","description":"' + b"a" * 100_000 + b'"}', "application/json", (413,)),
    (
        "too-long-khmer",
        json.dumps({"service_code": "OTHER", "description": "ក" * 5001}).encode(),
        "application/json",
        (422,),
    ),
    (
        "bidi-in-name",
        json.dumps(
            {
                "service_code": "OTHER",
                "description": "x",
                "first_name": "Bob\u202e",
                "attribute": {"identity_mode": "named"},
            }
        ).encode(),
        "application/json",
        (422,),
    ),
    (
        "crlf-in-name",
        json.dumps(
            {
                "service_code": "OTHER",
                "description": "x",
                "first_name": "Bob\r\nSet-Cookie: x=1",
                "attribute": {"identity_mode": "named"},
            }
        ).encode(),
        "application/json",
        (422,),
    ),
    (
        "escape-in-name",
        json.dumps(
            {
                "service_code": "OTHER",
                "description": "x",
                "first_name": "\x1b[2J",
                "attribute": {"identity_mode": "named"},
            }
        ).encode(),
        "application/json",
        (422,),
    ),
    (
        "zero-width-flood",
        json.dumps({"service_code": "OTHER", "description": "\u200b" * 3000}).encode(),
        "application/json",
        (422,),
    ),
    (
        "coeng-flood",
        json.dumps({"service_code": "OTHER", "description": "ក" + "\u17d2" * 500}).encode(),
        "application/json",
        (422,),
    ),
    (
        "named-without-a-name",
        json.dumps(
            {"service_code": "OTHER", "description": "x", "phone": "012345678", "attribute": {"identity_mode": "named"}}
        ).encode(),
        "application/json",
        (422,),
    ),
    (
        "lat-without-long",
        json.dumps({"service_code": "OTHER", "description": "x", "lat": 11.5}).encode(),
        "application/json",
        (422,),
    ),
    (
        "lat-out-of-range",
        json.dumps({"service_code": "OTHER", "description": "x", "lat": 91, "long": 104}).encode(),
        "application/json",
        (422,),
    ),
    (
        "media-url-javascript",
        json.dumps({"service_code": "OTHER", "description": "x", "media_url": "javascript:alert(1)"}).encode(),
        "application/json",
        (422,),
    ),
    (
        "district-outside-province",
        json.dumps(
            {"service_code": "OTHER", "description": "x", "attribute": {"province_code": "12", "district_code": "0102"}}
        ).encode(),
        "application/json",
        (422,),
    ),
    (
        "unknown-service",
        json.dumps({"service_code": "' OR '1'='1", "description": "x"}).encode(),
        "application/json",
        (404,),
    ),
    (
        "attribute-not-object",
        json.dumps({"service_code": "OTHER", "description": "x", "attribute": [1]}).encode(),
        "application/json",
        (400,),
    ),
    ("form-raw-bytes", b"service_code=OTHER&description=abc%FF%FEdef", "application/x-www-form-urlencoded", (422,)),
    ("form-overlong", b"service_code=OTHER&description=abc%C0%AFdef", "application/x-www-form-urlencoded", (422,)),
    (
        "form-repeated",
        b"service_code=OTHER&service_code=IDPOOR&description=x",
        "application/x-www-form-urlencoded",
        (400,),
    ),
]


@pytest.mark.parametrize(
    ("body", "content_type", "statuses"), [b[1:] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES]
)
def test_bad_bodies_get_a_clear_json_error_and_store_nothing(client, body, content_type, statuses):
    response = client.post(f"{BASE}/requests.json", data=body, content_type=content_type)
    assert response.status_code in statuses, response.get_data(as_text=True)[:200]
    (problem,) = response.get_json()
    assert problem["code"] == response.status_code and problem["description"]
    assert row_counts() == (0, 0, 0)
    assert db.session.scalar(select(func.count()).select_from(Complainant)) == 0


@pytest.mark.parametrize(
    "text",
    [
        "សូមជួយ<script>alert(1)</script>ខ្ញុំ",
        "<img src=x onerror=alert(1)>",
        '"><svg/onload=alert(1)>',
        "{{7*7}}",
        "{{config}}",
        "{% raw %}",
        "' OR '1'='1",
        "100% of _all_",
    ],
)
def test_hostile_text_is_stored_literally_and_returned_as_json_text(client, text):
    response = post(client, new_request(description=text))
    assert response.status_code == 201
    reference = response.get_json()[0]["service_request_id"]
    assert case_by_reference(reference).description == text
    shown = client.get(f"{BASE}/requests/{reference}.json")
    assert shown.mimetype == "application/json"
    assert shown.get_json()[0]["description"] == text


def test_api_responses_carry_the_security_headers_and_need_no_csrf(app, client):
    response = post(client, new_request())
    assert response.status_code == 201
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
