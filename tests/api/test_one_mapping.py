"""Open311 files through the one mapping every channel uses (intake.mapping.to_submission)."""

from __future__ import annotations

from grievance.intake import mapping
from tests.api.test_open311 import new_request, post
from tests.intake.helpers import case_by_reference


def test_an_open311_post_builds_its_submission_through_the_shared_mapping(client, monkeypatch):
    seen = []
    real = mapping.to_submission

    def spy(values, *, channel, language):
        seen.append((channel, dict(values)))
        return real(values, channel=channel, language=language)

    monkeypatch.setattr(mapping, "to_submission", spy)
    response = post(client, new_request())
    assert response.status_code == 201, response.get_data(as_text=True)
    ((channel, values),) = seen
    assert channel == "api" and values["category"] == "NSAF-CT-MISSING" and values["province"] == "12"
    case = case_by_reference(response.get_json()[0]["service_request_id"])
    assert case.channel == "api" and case.province_code == "12"


def test_a_rule_of_the_mapping_holds_for_open311_too(client):
    """An anonymous request leaves no name, phone or e-mail, whatever else it sent (the mapping's rule)."""
    body = new_request(first_name="Sok", phone="012345678", email="sok@example.org")
    body["attribute"]["identity_mode"] = "anonymous"
    response = post(client, body)
    assert response.status_code == 201, response.get_data(as_text=True)
    case = case_by_reference(response.get_json()[0]["service_request_id"])
    assert case.identity_mode == "anonymous"
    complainant = case.complainant
    assert complainant is None or (complainant.name, complainant.phone, complainant.email) == (None, None, None)
