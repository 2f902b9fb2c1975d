"""Relay and assisted keys: what each may do, what the definitions say, where the tracking code goes."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Case
from tests.intake.helpers import case_by_reference

BASE = "/open311/v2"
STANDARD = {
    "service_code": "NSSF-INFORMAL",
    "description": "I paid for six months and still lost my membership.",
    "first_name": "Dara",
    "last_name": "Keo",
    "email": "dara.keo@example.org",
    "phone": "012 999 888",
}


def post(client, fmt="json", **fields):
    return client.post(f"{BASE}/requests.{fmt}", data={**STANDARD, **fields})


def required_for(client, key=None) -> set[str]:
    query = f"?api_key={key}" if key else ""
    definition = client.get(f"{BASE}/services/NSSF-INFORMAL.json{query}").get_json()
    return {a["code"] for a in definition["attributes"] if a["required"]}


def test_a_standard_request_is_confidential_and_never_refused(client, relay_key):
    key, _org = relay_key
    for fields in ({}, {"first_name": "", "last_name": "", "phone": ""}, {"first_name": "", "last_name": ""}):
        response = post(client, api_key=key, **fields, description=f"standard {len(fields)}")
        assert response.status_code == 201, response.get_data(as_text=True)
        case = case_by_reference(response.get_json()[0]["service_request_id"])
        assert case.identity_mode == "confidential"
    anonymous = client.post(f"{BASE}/requests.json", data={"service_code": "OTHER", "description": "no contact"})
    assert case_by_reference(anonymous.get_json()[0]["service_request_id"]).identity_mode == "anonymous"


def test_asking_for_anonymity_keeps_no_contact_even_if_the_platform_sends_it(client, relay_key):
    key, _org = relay_key
    response = post(client, api_key=key, **{"attribute[identity_mode]": "anonymous"})
    case = case_by_reference(response.get_json()[0]["service_request_id"])
    assert case.identity_mode == "anonymous" and case.complainant is None


def test_a_relay_needs_no_extension_and_an_assisted_key_needs_consent(client, relay_key, api_key):
    relay, _ = relay_key
    assisted, _ = api_key
    assert required_for(client) == set() and required_for(client, relay) == set()
    assert required_for(client, assisted) == {"consent_given"}
    assert post(client, api_key=relay).status_code == 201
    refused = post(client, api_key=assisted, description="for my neighbour")
    assert refused.status_code == 422 and "consent" in refused.get_json()[0]["description"]
    assert post(client, api_key=assisted, **{"attribute[consent_given]": "false"}).status_code == 422
    accepted = post(client, api_key=assisted, **{"attribute[consent_given]": "true"}, description="with consent")
    assert accepted.status_code == 201
    assert case_by_reference(accepted.get_json()[0]["service_request_id"]).complainant.consent_given is True


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_the_tracking_code_goes_only_to_keys_and_is_not_the_token(client, relay_key, api_key, fmt):
    relay, _ = relay_key
    assisted, _ = api_key
    keyless = post(client, fmt, description=f"keyless {fmt}")
    relayed = post(client, fmt, api_key=relay, description=f"relayed {fmt}")
    helped = post(client, fmt, api_key=assisted, **{"attribute[consent_given]": "true"}, description=f"helped {fmt}")
    assert {keyless.status_code, relayed.status_code, helped.status_code} == {201}
    if fmt == "json":
        answers = [r.get_json()[0] for r in (keyless, relayed, helped)]
    else:
        from tests.api.fms_client import xml_simple

        answers = [xml_simple(r.get_data())["request"][0] for r in (keyless, relayed, helped)]
    assert "tracking_code" not in answers[0]
    for answer in answers:
        token = answer["token"]
        reference = answer["service_request_id"]
        # The token is public (tokens/{token}); it never opens the complaint on the tracking page.
        assert client.post("/track", data={"reference": reference, "code": token}).status_code == 404
        (by_token,) = client.get(f"{BASE}/tokens/{token}.json").get_json()
        assert by_token == {"service_request_id": reference, "token": token}
    for answer in answers[1:]:
        code = answer["tracking_code"]
        assert code != answer["token"]
        page = client.post("/track", data={"reference": answer["service_request_id"], "code": code})
        assert page.status_code == 200


def test_a_revoked_key_or_a_deactivated_organisation_is_refused(client, relay_key):
    key, organisation = relay_key
    assert post(client, api_key=key).status_code == 201
    organisation.active = False
    db.session.commit()
    assert post(client, api_key=key, description="after").status_code == 403
    assert client.get(f"{BASE}/services.xml?api_key={key}").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1
