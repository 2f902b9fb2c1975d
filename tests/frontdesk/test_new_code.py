"""At a front desk: a new tracking code after checking the person's identity (an identity view and an event)."""

from __future__ import annotations

import re

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Event, IdentityView, OutboxMessage
from grievance.notifications import messages
from tests.intake.helpers import text_of

CODE = re.compile(r'<strong class="big code">([0-9A-Z-]{19})</strong>')


def _phnom_penh_case(make, **fields):
    fields.setdefault("identity_mode", "confidential")
    fields.setdefault("name", "Srey Pov")
    fields.setdefault("phone", "012 345 678")
    return make.case("NSAF-CT-MISSING", province_code="12", **fields)


def test_a_desk_issues_a_new_code_after_checking_identity_and_the_old_code_stops(client, desk, make):
    case, old_code = _phnom_penh_case(make)
    officer = desk("phnom_penh")
    page = text_of(client.get(f"/frontdesk/cases/{case.id}"))
    assert "Srey Pov" not in page  # the desk never sees personal data by itself

    shown = client.post(f"/frontdesk/cases/{case.id}/identity")
    assert shown.status_code == 200 and "Srey Pov" in text_of(shown)
    (view,) = db.session.execute(select(IdentityView).where(IdentityView.case_id == case.id)).scalars()
    assert view.user_id == officer.id

    refused = client.post(f"/frontdesk/cases/{case.id}/new-code", data={"document": "id_card"})
    assert refused.status_code == 400  # the identity check must be confirmed
    issued = client.post(f"/frontdesk/cases/{case.id}/new-code", data={"document": "id_card", "checked": "y"})
    assert issued.status_code == 200
    new_code = CODE.search(text_of(issued)).group(1)
    assert new_code != old_code

    client.post("/auth/logout")
    assert client.post("/track", data={"reference": case.reference, "code": old_code}).status_code == 404
    assert client.post("/track", data={"reference": case.reference, "code": new_code}).status_code == 200
    kinds = [
        e.kind for e in db.session.execute(select(Event).where(Event.case_id == case.id).order_by(Event.seq)).scalars()
    ]
    assert kinds[-2:] == ["code_reissued", "identity_checked"]
    checked = db.session.execute(select(Event).where(Event.kind == "identity_checked")).scalar_one()
    assert '"id_card"' in checked.payload and not checked.public
    # The phone on record hears of it, so a code issued to someone else does not go unnoticed.
    (warning,) = db.session.execute(select(OutboxMessage)).scalars()
    assert warning.recipient == "012 345 678"
    assert warning.body == messages.complainant_sms("code_reissued", case.reference, "km")


def test_an_anonymous_complaint_gets_no_new_code_at_the_desk(client, desk, make):
    case, code = make.case("NSAF-CT-MISSING", province_code="12", identity_mode="anonymous")
    desk("phnom_penh")
    page = text_of(client.get(f"/frontdesk/cases/{case.id}"))
    assert "a lost code cannot be recovered" in page or "មិនអាចរកវិញបានទេ" in page
    assert (
        client.post(f"/frontdesk/cases/{case.id}/new-code", data={"document": "id_card", "checked": "y"}).status_code
        == 409
    )
    assert db.session.execute(select(IdentityView)).first() is None
    client.post("/auth/logout")
    assert client.post("/track", data={"reference": case.reference, "code": code}).status_code == 200


def test_a_desk_of_another_province_cannot_issue_a_code(client, desk, make):
    case, code = _phnom_penh_case(make)
    desk("siem_reap")
    assert client.post(f"/frontdesk/cases/{case.id}/identity").status_code == 404
    assert (
        client.post(f"/frontdesk/cases/{case.id}/new-code", data={"document": "id_card", "checked": "y"}).status_code
        == 404
    )
    assert db.session.execute(select(IdentityView)).first() is None
