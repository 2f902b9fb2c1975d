"""Identities planted in a relay POST never reach the public feed, in XML or JSON.

The complainant's name, e-mail and phone go in the standard fields, and the name is written
into the description (and into the officers' public answers) in several spellings. Every
public read is searched for every spelling: the feed, the request, the token, the updates.
"""

from __future__ import annotations

import pytest

from grievance.cases import service as svc
from grievance.extensions import db
from tests.intake.helpers import case_by_reference

BASE = "/open311/v2"
FIRST, LAST = "Sophea", "Chenda"
EMAIL, PHONE = "sophea.chenda@example.org", "+855 97 765 4321"
SPELLINGS = [
    "Sophea Chenda",
    "SOPHEA CHENDA",
    "sophea chenda",
    "Chenda Sophea",
    "CHENDA, Sophea",
    "Sophea  Chenda",
    "Sophea-Chenda",
    "SopheaChenda",
]
DESCRIPTION = (
    "My name is Sophea Chenda (SOPHEA CHENDA on my IDPoor card, Chenda Sophea at the commune office, "
    "Sophea-Chenda on the bank slip, SopheaChenda in my e-mail sophea.chenda@example.org). "
    "Call me on 097 765 4321. The cash transfer for my baby has not come for three months."
)


def _secrets() -> list[str]:
    return [*SPELLINGS, FIRST, LAST, EMAIL, "sophea.chenda", "765 4321", "7654321", "765-4321", "House 12, Street 271"]


@pytest.fixture()
def planted(client, relay_key, make):
    key, _org = relay_key
    response = client.post(
        f"{BASE}/requests.xml",
        data={
            "api_key": key,
            "jurisdiction_id": "grievance.gov.kh",
            "service_code": "NSAF-CT-MISSING",
            "description": DESCRIPTION,
            "first_name": FIRST,
            "last_name": LAST,
            "email": EMAIL,
            "phone": PHONE,
            "address_string": "House 12, Street 271, Tuol Tumpung",
            "lat": "11.5449",
            "long": "104.9160",
        },
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    reference = response.get_data(as_text=True).split("<service_request_id>")[1].split("<")[0]
    token = response.get_data(as_text=True).split("<token>")[1].split("<")[0]
    case = case_by_reference(reference)
    officer = make.user("officer", fund="NSAF")
    svc.acknowledge(case, officer, "Dear CHENDA Sophea, we will phone you on +855 97 765 4321.")
    svc.public_update(case, officer, "Sophea-Chenda: your file at House 12, Street 271, Tuol Tumpung was found.")
    db.session.commit()
    return reference, token


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_no_spelling_of_the_planted_identity_reaches_any_public_read(client, planted, fmt):
    reference, token = planted
    reads = [
        f"{BASE}/requests.{fmt}",
        f"{BASE}/requests.{fmt}?lang=en",
        f"{BASE}/requests/{reference}.{fmt}",
        f"{BASE}/requests.{fmt}?service_request_id={reference}",
        f"{BASE}/tokens/{token}.{fmt}",
        f"{BASE}/servicerequestupdates.{fmt}",
    ]
    for path in reads:
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert reference in text, path
        folded = text.casefold()
        for secret in _secrets():
            assert secret.casefold() not in folded, (path, secret)
    feed = client.get(f"{BASE}/requests/{reference}.{fmt}").get_data(as_text=True)
    assert "three months" in feed  # the rest of the complaint stays readable
    updates = client.get(f"{BASE}/servicerequestupdates.{fmt}").get_data(as_text=True)
    assert "we will phone you" in updates and "your file at" in updates
    for point in ("11.5449", "104.916", "104.9160"):
        assert point not in feed


def test_the_handling_fund_sees_what_the_platform_sent(client, planted):
    reference, _token = planted
    case = case_by_reference(reference)
    assert case.identity_mode == "confidential"
    assert (case.complainant.name, case.complainant.email, case.complainant.phone) == (
        f"{FIRST} {LAST}",
        EMAIL,
        PHONE,
    )
    assert case.api_submission.address_string == "House 12, Street 271, Tuol Tumpung"
    assert (case.api_submission.latitude, case.api_submission.longitude) == (11.5449, 104.916)


def test_the_case_page_shows_the_handling_fund_what_was_sent_and_records_the_view(client, planted, login_as):
    reference, _token = planted
    case = case_by_reference(reference)
    login_as("officer", fund="NSSF")
    assert (
        client.post(f"/cases/{case.id}/identity", data={"reason": "contact"}).status_code == 404
    )  # another fund: not even there
    client.post("/auth/logout")
    officer = login_as("officer", fund="NSAF")
    closed = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "11.5449" not in closed and f"<dd>{EMAIL}</dd>" not in closed  # hidden until asked for
    page = client.post(f"/cases/{case.id}/identity", data={"reason": "contact"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for shown in (EMAIL, PHONE, "House 12, Street 271, Tuol Tumpung", "11.5449, 104.916"):
        assert shown in text, shown
    from grievance.models import IdentityView

    views = db.session.query(IdentityView).filter_by(case_id=case.id).all()
    assert [v.user_id for v in views] == [officer.id]
