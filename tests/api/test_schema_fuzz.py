"""Schemathesis fuzzes the Open311 API from its own OpenAPI document, in both formats.

No answer is a 5xx, and every answer matches what the document says, JSON and XML alike. XML
answers are read the way XML clients read them (tests/api/fms_client.xml_simple, FixMyStreet's
XML::Simple settings, with every item element a list) and checked against the XML schemas.
"""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from grievance.api.formats import ITEM_TAGS
from grievance.api.openapi import document
from tests.api.fms_client import FORCE_ARRAY, GROUP_TAGS, xml_simple

# Loaded from the same dict the app serves (checked below), so the module imports without an app.
schema = schemathesis.openapi.from_dict(document())

EVERY_ITEM = FORCE_ARRAY | set(ITEM_TAGS.values())
EVERY_WRAPPER = {**GROUP_TAGS, **ITEM_TAGS}


@schemathesis.deserializer("text/xml")
def _read_xml(_ctx, response):
    parsed = xml_simple(response.content, EVERY_ITEM, EVERY_WRAPPER)
    if parsed is None and response.content.strip().startswith(b"<?xml"):
        return {}  # an empty list document: <service_requests></service_requests>
    if parsed is None:
        raise ValueError("the answer is not well-formed XML")
    return parsed


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
)
def test_the_api_never_fails_and_always_answers_as_documented(case, app, db):
    case.call_and_validate(app=app, checks=[not_a_server_error, response_schema_conformance])


def test_the_served_document_is_the_hand_written_one(client):
    served = client.get("/open311/v2/openapi.json").get_json()
    assert served == document()
    assert served["openapi"].startswith("3.")
    for fmt, media in (("xml", "text/xml"), ("json", "application/json")):
        for path in ("requests", "services", "servicerequestupdates", "discovery"):
            operation = served["paths"][f"/{path}.{fmt}"]["get"]
            assert set(operation["responses"]["200"]["content"]) == {media}, (path, fmt)
    assert "/tokens/{token}.xml" in served["paths"] and "/requests/{service_request_id}.json" in served["paths"]
    xml_feed = served["paths"]["/requests.xml"]["get"]["responses"]["200"]["content"]["text/xml"]["schema"]
    assert xml_feed["xml"]["name"] == "service_requests"
    assert xml_feed["properties"]["request"]["items"]["xml"]["name"] == "request"
