"""Schemathesis fuzzes the Open311 API from its own OpenAPI document: no 5xx, every response as described."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from grievance.api.openapi import document

# Loaded from the same dict the app serves (checked below), so the module imports without an app.
schema = schemathesis.openapi.from_dict(document())


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
def test_the_api_never_fails_and_always_answers_as_documented(case, app, db):
    case.call_and_validate(app=app, checks=[not_a_server_error, response_schema_conformance])


def test_the_served_document_is_the_hand_written_one(client):
    served = client.get("/open311/v2/openapi.json").get_json()
    assert served == document()
    assert served["openapi"].startswith("3.")
    assert set(served["paths"]) >= {"/requests.json", "/requests/{service_request_id}.json", "/services.json"}
