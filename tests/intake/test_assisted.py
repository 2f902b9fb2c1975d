"""Assisted and collective filing by a CSO or union monitor, and the organisation's own list."""

from __future__ import annotations

import re

import pytest

from grievance.extensions import db
from grievance.models import Case
from tests.intake.helpers import case_by_reference, field_error, row_counts, text_of

PERSON = "ស្រី ពៅ"


def assisted_token(client) -> str:
    page = client.get("/assisted/new")
    assert page.status_code == 200
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', text_of(page)).group(1)


def file_for(client, **fields):
    data = {
        "filed_for": "person",
        "people_affected": "1",
        "category": "NSAF-CT-MISSING",
        "description": "គាត់មិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភជនពិការ អស់បីខែហើយ។",
        "province": "12",
        "district": "",
        "commune": "",
        "occurred_on": "",
        "identity_mode": "confidential",
        "name": PERSON,
        "phone": "012 345 678",
        "programme_number": "",
        "consent": "y",
        "form_token": assisted_token(client),
    }
    data.update(fields)
    return client.post("/assisted/new", data=data)


def reference_of(response) -> str:
    return re.search(r'<strong class="big">(GRV-\d{4}-\d{6})</strong>', text_of(response)).group(1)


def test_a_monitor_files_for_a_person_with_consent(client, login_as):
    monitor = login_as("monitor", org="Village Network")
    response = file_for(client)
    assert response.status_code == 200
    page = text_of(response)
    assert re.search(r'<strong class="big code">[0-9A-Z]{4}(-[0-9A-Z]{4}){3}</strong>', page)  # code shown once
    case = case_by_reference(reference_of(response))
    assert case.channel == "assisted"
    assert case.filed_by_org_id == monitor.organisation_id and case.filed_by_user_id == monitor.id
    assert case.people_affected == 1
    assert case.complainant.consent_given is True and case.complainant.name == PERSON


def test_a_monitor_files_for_a_group_of_40(client, login_as):
    login_as("monitor", org="Market Vendors Union")
    response = file_for(client, filed_for="group", people_affected="40", category="NSSF-INFORMAL", name="Sok Chan")
    assert response.status_code == 200
    case = case_by_reference(reference_of(response))
    assert case.people_affected == 40 and case.fund.code == "NSSF"


def test_filing_without_consent_is_refused_and_nothing_is_stored(client, login_as):
    login_as("monitor")
    response = file_for(client, consent="")
    assert response.status_code == 400
    assert field_error(text_of(response), "consent")
    assert row_counts() == (0, 0, 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"filed_for": "group", "people_affected": "1"}, "people_affected"),
        ({"filed_for": "person", "people_affected": "40"}, "people_affected"),
        ({"filed_for": "group", "people_affected": "-1"}, "people_affected"),
        ({"filed_for": "group", "people_affected": "9" * 5000}, "people_affected"),
        ({"filed_for": "group", "people_affected": "1e309"}, "people_affected"),
        ({"district": "0102"}, "district"),
        ({"category": ""}, "category"),
    ],
)
def test_bad_assisted_input_is_refused_next_to_the_field(client, login_as, fields, field):
    login_as("monitor")
    response = file_for(client, **fields)
    assert response.status_code == 400
    assert field_error(text_of(response), field)
    assert row_counts() == (0, 0, 0)


def test_each_organisation_sees_only_the_complaints_it_filed(client, login_as):
    login_as("monitor", org="Village Network")
    person = reference_of(file_for(client))
    group = reference_of(file_for(client, filed_for="group", people_affected="40", name="Sok Chan"))
    page = text_of(client.get("/assisted/"))
    assert person in page and group in page
    assert ">40<" in page
    assert PERSON not in page and "012 345 678" not in page  # the organisation's list shows no personal data

    login_as("monitor", org="Other Union")
    other = text_of(client.get("/assisted/"))
    assert person not in other and group not in other
    # and it cannot open them on the staff side either
    case = case_by_reference(person)
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/identity").status_code in (403, 404)


def test_a_double_submitted_assisted_form_files_once(client, login_as):
    login_as("monitor")
    token = assisted_token(client)
    first = file_for(client, form_token=token)
    second = file_for(client, form_token=token)
    assert first.status_code == 200 and second.status_code == 200
    assert db.session.query(Case).count() == 1


@pytest.mark.parametrize("role", ["officer", "supervisor", "oversight", "admin"])
def test_only_monitors_may_use_assisted_filing(client, login_as, role):
    login_as(role)
    assert client.get("/assisted/").status_code == 403
    assert client.get("/assisted/new").status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/assisted/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.post("/assisted/new", data={}).status_code in (401, 302)


def test_the_place_step_works_for_monitors_without_javascript(client, login_as):
    login_as("monitor")
    page = text_of(client.post("/assisted/place", data={"province": "12", "description": "x", "form_token": "t" * 20}))
    assert 'name="district"' in page and "ចំការមន" in page
