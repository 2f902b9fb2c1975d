"""GeoReport v2 as the specification writes it: both formats everywhere, its example POST, its errors.

Every endpoint answers XML (`.xml`, text/xml; charset=utf-8) and JSON (`.json`,
application/json; charset=utf-8) with the same content in the spec's element names; the
specification's own example POST is accepted byte for byte (with one of our service codes and
a relay key); reads follow its rules (service_request_id overrides, 90 days, 1000 requests);
every error under /open311/v2 is its error list in the requested format.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.intake import service as intake
from grievance.models import ApiSubmission, Case
from grievance.security import tracking_key
from tests.api.fms_client import FORCE_ARRAY, GROUP_TAGS, xml_simple
from tests.intake.helpers import case_by_reference

BASE = "/open311/v2"
XML = "text/xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
EVERY_ITEM = FORCE_ARRAY | {"endpoint", "format"}
EVERY_WRAPPER = {**GROUP_TAGS, "endpoints": "endpoint", "formats": "format"}

# The specification's "Example Request" of POST Service Request, as printed on its page.
SPEC_EXAMPLE = (
    "api_key=xyz&jurisdiction_id=city.gov&service_code=001&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
    "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001"
)


def spec_example(key: str, service_code: str = "NSAF-CT-MISSING") -> bytes:
    body = SPEC_EXAMPLE.replace("api_key=xyz", f"api_key={key}").replace(
        "service_code=001", f"service_code={service_code}"
    )
    return body.encode("ascii")


def post_spec_example(client, key: str, fmt: str = "xml", **replace):
    return client.post(
        f"{BASE}/requests.{fmt}",
        data=spec_example(key, **replace),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
    )


def as_xml_client_reads(response):
    assert response.headers["Content-Type"] == XML
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return xml_simple(text, EVERY_ITEM, EVERY_WRAPPER) or {}


def xml_text(value):
    """A JSON value as XML element text reads back."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return {k: xml_text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [xml_text(v) for v in value]
    return str(value)


def test_the_specification_example_post_is_accepted_byte_for_byte(client, relay_key):
    key, platform = relay_key
    response = post_spec_example(client, key)
    assert response.status_code == 201, response.get_data(as_text=True)
    parsed = as_xml_client_reads(response)
    (created,) = parsed["request"]
    reference = created["service_request_id"]
    assert reference.startswith("GRV-") and created["token"] and created["tracking_code"]
    assert created["account_id"] is None  # <account_id/>, as in the spec's example answer

    case = case_by_reference(reference)
    assert case.identity_mode == "confidential" and case.filed_by_org_id == platform.id
    assert (case.complainant.name, case.complainant.email, case.complainant.phone) == (
        "john smith",
        "smit333@sfgov.edu",
        "111111111",
    )
    assert case.description == "A large sinkhole is destroying the street"
    sent = db.session.execute(select(ApiSubmission).where(ApiSubmission.case_id == case.id)).scalar_one()
    assert (sent.latitude, sent.longitude) == (37.76524078, -122.4212043)
    assert (sent.address_string, sent.device_id, sent.account_id) == ("1234 5th street", "tt222111", "123456")
    assert sent.media_urls == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"

    # The public sees none of it: not the name, the e-mail, the phone, the address or the point.
    for fmt in ("xml", "json"):
        feed = client.get(f"{BASE}/requests.{fmt}").get_data(as_text=True)
        one = client.get(f"{BASE}/requests/{reference}.{fmt}").get_data(as_text=True)
        for text in (feed, one):
            for secret in ("john", "smith", "smit333", "111111111", "5th street", "37.7652", "122.4212", "tt222111"):
                assert secret not in text, (fmt, secret)
    (public,) = client.get(f"{BASE}/requests/{reference}.json").get_json()
    assert (public["lat"], public["long"]) == (37.875, -122.375)  # the 0.25° cell's centre


def test_the_example_with_an_unknown_service_code_is_a_404_in_the_format_asked(client, relay_key):
    key, _org = relay_key
    for fmt in ("xml", "json"):
        response = post_spec_example(client, key, fmt, service_code="001")
        assert response.status_code == 404
        if fmt == "xml":
            (problem,) = as_xml_client_reads(response)["error"]
            assert problem["code"] == "404" and "service_code" in problem["description"]
        else:
            assert response.headers["Content-Type"] == JSON
            assert response.get_json()[0]["code"] == 404
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def _every_endpoint(client, key):
    """(path without extension, method, body) of every endpoint, with a case behind each id."""
    created = post_spec_example(client, key, "json").get_json()[0]
    reference, token = created["service_request_id"], created["token"]
    return [
        ("discovery", "GET", None),
        ("services", "GET", None),
        ("services/NSAF-CT-MISSING", "GET", None),
        ("requests", "GET", None),
        (f"requests/{reference}", "GET", None),
        (f"tokens/{token}", "GET", None),
        ("servicerequestupdates", "GET", None),
        ("requests", "POST", spec_example(key).replace(b"sinkhole", b"pothole")),
    ]


def test_every_endpoint_answers_both_formats_with_the_same_content(client, relay_key):
    key, _org = relay_key
    for path, method, body in _every_endpoint(client, key):
        answers = {}
        for fmt in ("xml", "json"):
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
            if body:  # a new complaint each time (not a retry of the same content)
                body = body.replace(b"pothole", f"pothole {fmt}".encode())
            response = client.open(f"{BASE}/{path}.{fmt}?lang=en", method=method, data=body, headers=headers)
            assert response.status_code in (200, 201), (path, fmt, response.get_data(as_text=True))
            answers[fmt] = response
        assert answers["json"].headers["Content-Type"] == JSON, path
        as_json = answers["json"].get_json()
        as_xml = as_xml_client_reads(answers["xml"])
        if path in ("discovery",) or path.startswith("services/"):
            assert as_xml == xml_text(as_json), path
        elif method == "POST":
            (from_xml,), (from_json,) = as_xml["request"], as_json
            assert set(from_xml) == set(from_json) and from_xml["service_notice"] == from_json["service_notice"]
        else:
            item = {"services": "service", "servicerequestupdates": "request_update"}.get(path, "request")
            assert as_xml.get(item, []) == xml_text(as_json), path


def test_xml_and_json_follow_the_spec_element_names(client, relay_key):
    key, _org = relay_key
    reference = post_spec_example(client, key).get_data(as_text=True).split("<service_request_id>")[1][:15]
    expected = {
        "services.xml": ("<services><service><service_code>", "</service></services>"),
        "services/HEALTH-FEE.xml": (
            "<service_definition><service_code>HEALTH-FEE</service_code><attributes>"
            "<attribute><variable>true</variable>",
            "</attributes></service_definition>",
        ),
        "requests.xml": ("<service_requests><request><service_request_id>", "</request></service_requests>"),
        f"requests/{reference}.xml": (f"<service_requests><request><service_request_id>{reference}<", "<media_url/>"),
        "discovery.xml": ("<discovery><changeset>", "<formats><format>text/xml</format>"),
    }
    for path, fragments in expected.items():
        text = client.get(f"{BASE}/{path}").get_data(as_text=True)
        for fragment in fragments:
            assert fragment in text, (path, fragment)
    (discovery,) = client.get(f"{BASE}/discovery.json").get_json()["endpoints"]
    assert discovery["formats"] == ["text/xml", "application/json"] and discovery["url"].endswith("/open311/v2/")


def _error_list(response, fmt):
    if fmt == "json":
        assert response.headers["Content-Type"] == JSON
        problems = response.get_json()
        return [(p["code"], p["description"]) for p in problems]
    problems = as_xml_client_reads(response)["error"]
    return [(int(p["code"]), p["description"]) for p in problems]


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_every_error_is_the_spec_error_list_in_the_format_asked(client, relay_key, fmt):
    key, _org = relay_key
    cases = [
        ("GET", f"{BASE}/no-such-thing.{fmt}", None, None, 404),
        ("GET", f"{BASE}/requests/GRV-2026-999999.{fmt}", None, None, 404),
        ("GET", f"{BASE}/tokens/{'f' * 20}.{fmt}", None, None, 404),
        ("GET", f"{BASE}/services/NOPE.{fmt}", None, None, 404),
        ("DELETE", f"{BASE}/requests.{fmt}", None, None, 405),
        ("PUT", f"{BASE}/services.{fmt}", None, None, 405),
        ("POST", f"{BASE}/requests.{fmt}", b"{not json", "application/json", 400),
        ("POST", f"{BASE}/requests.{fmt}", b"[" * 20, "application/json", 400),
        ("POST", f"{BASE}/requests.{fmt}", b"service_code=x", "text/plain", 415),
        ("POST", f"{BASE}/requests.{fmt}", b"service_code=OTHER", "application/x-www-form-urlencoded", 422),
        ("POST", f"{BASE}/requests.{fmt}", b"d=" + b"x" * 70_000, "application/x-www-form-urlencoded", 413),
        ("GET", f"{BASE}/requests.{fmt}?page_size=0", None, None, 400),
        (
            "GET",
            f"{BASE}/requests.{fmt}?start_date=2020-01-01T00:00:00Z&end_date=2021-01-01T00:00:00Z",
            None,
            None,
            400,
        ),
        ("GET", f"{BASE}/servicerequestupdates.{fmt}?start_date=yesterday", None, None, 400),
        ("GET", f"{BASE}/services.{fmt}?api_key=grv_not-a-key", None, None, 403),
        (
            "POST",
            f"{BASE}/requests.{fmt}",
            b"api_key=grv_wrong&service_code=OTHER&description=x",
            "application/x-www-form-urlencoded",
            403,
        ),
    ]
    for method, url, body, content_type, status in cases:
        headers = {"Content-Type": content_type} if content_type else {}
        response = client.open(url, method=method, data=body, headers=headers)
        assert response.status_code == status, (method, url, response.get_data(as_text=True)[:300])
        ((code, description),) = _error_list(response, fmt)
        assert code == status and description, (method, url)
        assert "Traceback" not in description and "<html" not in response.get_data(as_text=True)
    assert "GET" in client.delete(f"{BASE}/requests.{fmt}").headers["Allow"]


def test_an_unknown_path_without_an_extension_answers_xml(client):
    response = client.get(f"{BASE}/nothing/here")
    assert response.status_code == 404 and _error_list(response, "xml")[0][0] == 404


def test_an_invalid_key_is_refused_before_anything_else_is_checked(client, relay_key):
    key, _org = relay_key
    revoked_prefix = key[len("grv_") : len("grv_") + 8]
    from grievance.api import keys

    keys.revoke(revoked_prefix)
    db.session.commit()
    bodies = [
        b"api_key=" + key.encode() + b"&service_code=NOT-A-SERVICE&lat=999",  # revoked, and everything else wrong
        b"api_key=grv_guess&description=" + b"\x00",
        b"api_key=grv_guess&attribute[people_affected]=-5&attribute[identity_mode]=nobody",
    ]
    for body in bodies:
        response = client.post(f"{BASE}/requests.xml", data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 403, response.get_data(as_text=True)
        assert _error_list(response, "xml") == [(403, "api_key is not valid")]
    json_body = json.dumps({"api_key": "grv_x", "service_code": True, "attribute": [1]}).encode()
    assert client.post(f"{BASE}/requests.json", data=json_body, content_type="application/json").status_code == 403
    assert client.get(f"{BASE}/servicerequestupdates.xml?api_key=grv_x&start_date=nonsense").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0
    # An empty api_key is no key (FixMyStreet sends api_key= when it has none).
    assert client.get(f"{BASE}/servicerequestupdates.xml?api_key=").status_code == 200


def _filed(description: str, *, days_ago: float = 0, code: str = "NSAF-CT-MISSING"):
    now = datetime.now(timezone.utc) - timedelta(days=days_ago)
    sub = intake.Submission(category_code=code, description=description, channel="api")
    return intake.submit(sub, key=tracking_key(), now=now).case


def test_service_request_id_overrides_every_other_filter(client):
    old = _filed("old and closed", days_ago=200, code="HEALTH-FEE")
    new = _filed("new and open")
    db.session.commit()
    query = (
        f"service_request_id={old.reference},{new.reference}&service_code=OTHER&status=closed"
        "&start_date=2001-01-01T00:00:00Z&end_date=2001-02-01T00:00:00Z"
    )
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}?{query}")
        assert response.status_code == 200
        if fmt == "json":
            found = {r["service_request_id"] for r in response.get_json()}
        else:
            found = {r["service_request_id"] for r in as_xml_client_reads(response)["request"]}
        assert found == {old.reference, new.reference}


def test_without_dates_the_feed_is_the_last_90_days(client):
    inside, outside = _filed("eighty-nine days ago", days_ago=89), _filed("ninety-one days ago", days_ago=91)
    db.session.commit()
    listed = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json").get_json()}
    assert inside.reference in listed and outside.reference not in listed
    start = (datetime.now(timezone.utc) - timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    older = {r["service_request_id"] for r in client.get(f"{BASE}/requests.json?start_date={start}").get_json()}
    assert outside.reference in older  # start_date alone: the 90 days from it


def test_the_feed_gives_at_most_1000_requests_and_pages_past_them(client):
    for n in range(1003):
        _filed(f"complaint {n}")
    db.session.commit()
    response = client.get(f"{BASE}/requests.xml")
    assert len(as_xml_client_reads(response)["request"]) == 1000
    assert 'rel="next"' in response.headers["Link"] and "page=2" in response.headers["Link"]
    assert len(client.get(f"{BASE}/requests.json?page=2").get_json()) == 3
    assert client.get(f"{BASE}/requests.json?page_size=1001").status_code == 400
