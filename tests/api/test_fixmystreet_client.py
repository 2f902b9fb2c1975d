"""A FixMyStreet installation talks to us unchanged: its Open311.pm calls, sent and read its way.

tests/api/fms_client.py reproduces what perllib/Open311.pm sends (form posts of a Perl hash,
jurisdiction_id, api_key in the body, attribute[...] fields, no Accept header) and how it reads
the XML (XML::Simple with its ForceArray and GroupTags): the service list and definitions
(PopulateServiceList), sending a report (`request[0].service_request_id`), the token route,
looking reports up, and the updates it polls (GetServiceRequestUpdates).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from grievance.cases import service as svc
from tests.api.fms_client import Open311, Problem, flask_transport
from tests.intake.helpers import case_by_reference

ENDPOINT = "http://localhost/open311/v2/"


def fms(client, key: str) -> Open311:
    return Open311(flask_transport(client), ENDPOINT, jurisdiction="grievance.gov.kh", api_key=key)


def report(**extra) -> Problem:
    return Problem(
        title="ខ្ញុំមិនទាន់បានទទួលប្រាក់",
        detail="My cash transfer for the baby has not come for three months.",
        name="Sok Chan",
        email="sok.chan@example.org",
        phone="+855 12 345 678",
        **extra,
    )


def w3c(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_fixmystreet_reads_the_service_list_and_definitions(client, relay_key):
    key, _org = relay_key
    open311 = fms(client, key)
    listed = open311.get_service_list()
    assert open311.sent[0][0] == "GET" and "jurisdiction_id=grievance.gov.kh" in open311.sent[0][1]
    services = listed["service"]  # $list->{service}: an array (ForceArray)
    assert len(services) == 16
    for service in services:
        assert service["service_code"] and service["service_name"].strip() == service["service_name"]
        assert service["metadata"].lower() == "true"  # lc($metadata) eq 'true': the definition is fetched
    meta = open311.get_service_meta_info("NSSF-INFORMAL")
    attributes = meta["attributes"]  # ref $meta_data->{attributes} eq 'ARRAY'
    assert isinstance(attributes, list)
    orders = [int(a["order"]) for a in attributes]  # sort { $a->{order} <=> $b->{order} }
    assert sorted(orders) == orders and len(set(orders)) == len(orders)
    by_code = {a["code"]: a for a in attributes}
    assert all(a["description"] and a["variable"] == "true" for a in attributes)
    provinces = by_code["province_code"]["values"]  # GroupTags values => value: a list of {key, name}
    assert len(provinces) == 25 and {"key", "name"} <= set(provinces[0])
    # A relay passes on people's own reports: nothing beyond the standard fields is required.
    assert {a["code"] for a in attributes if a["required"] == "true"} == set()


def test_fixmystreet_sends_a_report_and_stores_the_request_id(client, relay_key):
    key, platform = relay_key
    open311 = fms(client, key)
    problem = report(extra_fields=[{"name": "fms_extra_province_code", "value": "12"}])
    extra = {"url": "https://fixmystreet.example.kh/report/42", "image_url": "https://fixmystreet.example.kh/p/42.jpeg"}
    external_id = open311.send_service_request(problem, extra, "NSAF-CT-MISSING")
    assert isinstance(external_id, str) and external_id.startswith("GRV-")

    method, target, body = open311.sent[-1]
    assert method == "POST" and target == "/open311/v2/requests.xml"
    assert b"api_key=" in body and b"jurisdiction_id=" in body and b"attribute%5Bprovince_code%5D=12" in body
    case = case_by_reference(external_id)
    assert case.identity_mode == "confidential" and case.filed_by_org_id == platform.id
    assert case.province_code == "12" and case.fund.code == "NSAF"
    assert case.complainant.name == "Sok Chan" and case.complainant.phone == "+855 12 345 678"
    assert case.api_submission.media_urls == extra["image_url"]
    assert case.api_submission.latitude == 11.5564

    # get_service_requests([id]): FixMyStreet reads the status back.
    looked_up = open311.get_service_requests([external_id])
    (request,) = looked_up["request"]
    assert request["service_request_id"] == external_id and request["status"] == "open"


def test_several_photos_go_as_repeated_media_url(client, relay_key):
    key, _org = relay_key
    open311 = fms(client, key)
    photos = [f"https://fixmystreet.example.kh/p/7.{n}.jpeg" for n in range(3)]
    extra = {"url": "https://x/report/7", "image_url": photos[0], "all_image_urls": photos}
    external_id = open311.send_service_request(report(), extra, "HEALTH-FEE")
    assert external_id
    assert case_by_reference(external_id).api_submission.media_urls.split("\n") == photos


def test_the_token_route_gives_the_same_request_id(client, relay_key):
    key, _org = relay_key
    open311 = fms(client, key)
    params = open311.populate_service_request_params(report(), {"url": "https://x/r/1"}, "OTHER")
    answer = open311._post("requests.xml", params)
    from tests.api.fms_client import xml_simple

    created = xml_simple(answer)["request"][0]
    assert created["token"] != created["tracking_code"]
    assert open311.get_service_request_id_from_token(created["token"]) == created["service_request_id"]
    assert open311.get_service_request_id_from_token("0" * 20) == 0  # unknown token: 404, FixMyStreet gets 0


def test_a_refused_report_is_explained_the_way_fixmystreet_logs_it(client, relay_key):
    key, _org = relay_key
    open311 = fms(client, key)
    assert open311.send_service_request(report(), {"url": "https://x"}, "NO-SUCH-CATEGORY") == 0
    assert "404: service_code not found" in open311.error
    wrong = fms(client, "grv_not-our-key")
    assert wrong.send_service_request(report(), {"url": "https://x"}, "OTHER") == 0
    assert "403: api_key is not valid" in wrong.error


def test_fixmystreet_polls_the_updates_and_maps_their_states(client, relay_key, make):
    key, _org = relay_key
    officer = make.user("officer", fund="NSAF")
    open311 = fms(client, key)
    before = datetime.now(timezone.utc) - timedelta(minutes=1)
    external_id = open311.send_service_request(report(), {"url": "https://x/r/9"}, "NSAF-CT-MISSING")
    case = case_by_reference(external_id)
    svc.acknowledge(case, officer, "Dear Sok Chan, we have your complaint and will call +855 12 345 678.")
    svc.add_note(case, officer, "Internal: Sok Chan's neighbour is the commune chief.")
    svc.start(case, officer)
    svc.resolve(case, officer, "remedied", "The payment was sent on 2 May.")
    from grievance.extensions import db

    db.session.commit()
    after = datetime.now(timezone.utc) + timedelta(minutes=1)

    updates = open311.get_service_request_updates(w3c(before), w3c(after))
    assert "api_key=" in open311.sent[-1][1] and "start_date=" in open311.sent[-1][1]
    assert [u["service_request_id"] for u in updates] == [external_id] * 3
    ids = [u["update_id"] for u in updates]
    assert len(set(ids)) == 3  # FixMyStreet stores each as a comment's external_id
    states = [open311.map_state(u["status"]) for u in updates]
    assert states == ["investigating", "in progress", "fixed - council"]
    texts = [u["description"] or "" for u in updates]
    assert "we have your complaint" in texts[0]
    assert "Sok Chan" not in " ".join(texts) and "345 678" not in " ".join(texts)
    assert "Internal" not in " ".join(texts) and "commune chief" not in " ".join(texts)
    assert texts[2] == "The payment was sent on 2 May."
    for update in updates:  # FixMyStreet compares W3C times in UTC with its window
        stamp = datetime.fromisoformat(update["updated_datetime"])
        assert before <= stamp <= after and stamp.utcoffset() == timedelta(hours=7)
    assert open311.get_service_request_updates(w3c(after), w3c(after + timedelta(hours=2))) == []
