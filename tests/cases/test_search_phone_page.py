"""The queue's phone search: only the fund's staff get the form; each case shown is an identity
view with the reason given; no reason, no search; the council's reader is refused in the service."""

from __future__ import annotations

from sqlalchemy import func, select

from grievance.models import IdentityView
from grievance.models.audit import Event

PHONE = "012345678"


def _views() -> int:
    from grievance.extensions import db

    return db.session.execute(select(func.count()).select_from(IdentityView)).scalar()


def _named_case(make, category="NSAF-CT-MISSING"):
    case, _ = make.case(category, name="Sok", phone=PHONE, identity_mode="named", consent_given=True)
    return case


def test_an_officer_finds_a_case_by_phone_and_the_view_is_on_record(client, login_as, make, db):
    case = _named_case(make)
    other_fund = _named_case(make, "NSSF-CONTRIB")
    login_as("officer", fund="NSAF")
    queue = client.get("/cases/?lang=en").get_data(as_text=True)
    assert 'action="/cases/search/phone"' in queue and "recorded as a view" in queue
    response = client.post("/cases/search/phone?lang=en", data={"phone": PHONE, "reason": "contact"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert case.reference in page and other_fund.reference not in page
    assert _views() == 1
    kinds = db.session.execute(select(Event.kind).where(Event.case_id == case.id)).scalars().all()
    assert "identity_view" in kinds


def test_no_reason_no_search(client, login_as, make, db):
    _named_case(make)
    login_as("officer", fund="NSAF")
    response = client.post("/cases/search/phone?lang=en", data={"phone": PHONE, "reason": ""})
    assert response.status_code == 303
    assert _views() == 0
    page = client.get(response.headers["Location"] + "?lang=en").get_data(as_text=True)
    assert "Cases with this phone number" not in page
    assert "choose why you look it up" in page


def test_nothing_found_answers_404_with_nothing_recorded(client, login_as, make, db):
    _named_case(make, "NSSF-CONTRIB")
    login_as("officer", fund="NSAF")
    response = client.post("/cases/search/phone?lang=en", data={"phone": PHONE, "reason": "verify"})
    assert response.status_code == 404
    assert "No case you may open has this phone number." in response.get_data(as_text=True)
    assert _views() == 0


def test_the_councils_reader_gets_no_form_and_is_refused(client, login_as, make, db):
    case = _named_case(make)
    login_as("oversight", fund=None)
    assert 'action="/cases/search/phone"' not in client.get("/cases/?lang=en").get_data(as_text=True)
    response = client.post("/cases/search/phone", data={"phone": PHONE, "reason": "contact"})
    assert response.status_code == 403
    assert case.reference not in response.get_data(as_text=True)
    assert _views() == 0
