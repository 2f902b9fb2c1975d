"""Every output that carries identity is an identity view on record, and too many in an hour raise a flag.

An officer downloads the case-file PDF (with the complainant) and an attachment through the pages,
as a browser would post them; the council finds both on its pages with who, which case, when and
why. Views past IDENTITY_VIEWS_PER_HOUR by one user raise one alert for the council, e-mailed to it,
shown on its dashboard and identity-access page, recorded in the chain, and handled once.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as cases
from grievance.extensions import db as _db
from grievance.intake import uploads
from grievance.models import Event, IdentityAlert, IdentityView, OutboxMessage
from grievance.services import audit
from tests.factories import PASSWORD
from tests.intake.helpers import FreshRequestClient
from tests.intake.sample_files import jpeg_with_gps
from tests.reports.scenario import pdf_text_pages

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


class _File:
    def __init__(self, name: str, data: bytes) -> None:
        self.filename = name
        self.stream = io.BytesIO(data)


@pytest.fixture()
def client(app, db):
    return FreshRequestClient(app, app.response_class, use_cookies=True)


def _login(client, user):
    assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_case_file_and_attachment_downloads_are_identity_views_on_the_councils_pages(app, make, client, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    case, _ = make.case("NSAF-CT-MISSING", identity_mode="confidential", name="Sok Dara", phone="012 345 678")
    uploads.save(case, uploads.prepare_all([_File("ការតវ៉ា.jpg", jpeg_with_gps())]), str(tmp_path))
    _db.session.commit()
    (attachment,) = case.attachments
    officer = make.user("officer", fund="NSAF")
    _login(client, officer)
    page = client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True)
    assert f'formaction="/reports/case/{case.id}.pdf"' in page and "ការតវ៉ា.jpg" in page
    pdf = client.post(f"/reports/case/{case.id}.pdf?lang=en", data={"reason": "contact"})
    assert pdf.mimetype == "application/pdf" and "Sok Dara" in "\n".join(pdf_text_pages(pdf.data))
    photo = client.post(f"/cases/{case.id}/attachments/{attachment.id}", data={"reason": "investigate"})
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"

    council = FreshRequestClient(app, app.response_class, use_cookies=True)
    _login(council, make.user("oversight"))
    per_case = council.get(f"/oversight/cases/{case.id}/identity-views?lang=en").get_data(as_text=True)
    assert per_case.count(officer.email) == 2
    assert "Case file (PDF)" in per_case and "Attached file" in per_case
    assert "To contact the complainant about this complaint" in per_case and "To investigate the complaint" in per_case
    overall = council.get("/oversight/identity-access?lang=en").get_data(as_text=True)
    assert case.reference in overall and overall.count(officer.name) >= 2
    # Each view is also an event of the audit chain, and the record verifies.
    kinds = [e.kind for e in audit.case_events(case.id)]
    assert kinds.count("identity_view") == 2
    assert audit.verify_record().ok


def test_nothing_carrying_identity_is_served_without_a_reason_or_to_another_fund(app, make, client, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path)
    case, _ = make.case("NSAF-CT-MISSING", identity_mode="named", name="Sok Dara")
    uploads.save(case, uploads.prepare_all([_File("a.jpg", jpeg_with_gps())]), str(tmp_path))
    _db.session.commit()
    (attachment,) = case.attachments
    _login(client, make.user("officer", fund="NSAF"))
    for url in (
        f"/cases/{case.id}/identity",
        f"/reports/case/{case.id}.pdf",
        f"/cases/{case.id}/attachments/{attachment.id}",
    ):
        for data in ({}, {"reason": ""}, {"reason": "curiosity"}):
            refused = client.post(url, data=data)
            assert refused.status_code in (303, 400), (url, data)
            assert b"Sok Dara" not in refused.data and not refused.data.startswith(b"\xff\xd8")
        plain = client.get(url)  # a plain GET never carries identity
        assert plain.status_code in (404, 405) or "Sok Dara" not in "".join(pdf_text_pages(plain.data)), url
    other = FreshRequestClient(app, app.response_class, use_cookies=True)
    _login(other, make.user("supervisor", fund="NSSF"))
    for url in (f"/cases/{case.id}/identity", f"/cases/{case.id}/attachments/{attachment.id}"):
        assert other.post(url, data={"reason": "contact"}).status_code == 404
    assert _db.session.execute(select(IdentityView)).first() is None


def test_too_many_identity_views_in_an_hour_raise_one_flag_for_the_council(app, make, client):
    app.config["IDENTITY_VIEWS_PER_HOUR"] = 5
    council_user = make.user("oversight")
    officer = make.user("officer", fund="NSAF")
    made = [make.case("NSAF-CT-MISSING", identity_mode="named", name=f"Person {i}", now=T0)[0] for i in range(9)]
    for i, case in enumerate(made[:5]):
        cases.record_identity_view(case, officer, reason="contact", now=T0 + timedelta(minutes=i))
    _db.session.commit()
    assert _db.session.execute(select(IdentityAlert)).first() is None  # at the limit: no flag
    for i, case in enumerate(made[5:]):
        cases.record_identity_view(case, officer, reason="verify", now=T0 + timedelta(minutes=10 + i))
    _db.session.commit()
    (alert,) = _db.session.execute(select(IdentityAlert)).scalars().all()  # one alert, not four
    assert (alert.user_id, alert.views, alert.view_limit, alert.status) == (officer.id, 6, 5, "open")
    mails = _db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == council_user.email)).scalars()
    assert any("Identity-access alert" in m.subject or "អត្តសញ្ញាណ" in m.subject for m in mails)
    event = _db.session.execute(select(Event).where(Event.kind == "identity_alert")).scalar_one()
    assert json.loads(event.payload)["alert_id"] == alert.id

    _login(client, council_user)
    dashboard = client.get("/oversight/?lang=en").get_data(as_text=True)
    assert "Identity-access alerts open: 1" in dashboard
    page = client.get("/oversight/identity-access?lang=en").get_data(as_text=True)
    assert f'data-alert="{alert.id}"' in page and officer.email in page and "limit 5" in page
    handled = client.post(f"/oversight/identity-access/alerts/{alert.id}/handle")
    assert handled.status_code == 303
    assert _db.session.get(IdentityAlert, alert.id).status == "handled"
    again = client.post(f"/oversight/identity-access/alerts/{alert.id}/handle?lang=en", follow_redirects=True)
    assert "already been handled" in again.get_data(as_text=True) or "ដោះស្រាយរួចហើយ" in again.get_data(as_text=True)
    assert f'data-alert="{alert.id}"' not in client.get("/oversight/identity-access").get_data(as_text=True)
    assert audit.verify_record().ok

    # An hour later the count starts again; a fresh burst raises a fresh alert.
    later = T0 + timedelta(hours=2)
    for i, case in enumerate(made[:6]):
        cases.record_identity_view(case, officer, reason="contact", now=later + timedelta(minutes=i))
    _db.session.commit()
    assert len(_db.session.execute(select(IdentityAlert)).scalars().all()) == 2


def test_only_the_council_handles_an_identity_alert(app, make, client):
    app.config["IDENTITY_VIEWS_PER_HOUR"] = 0
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", identity_mode="named", name="Sok Dara", now=T0)
    cases.record_identity_view(case, officer, reason="contact", now=T0)
    _db.session.commit()
    alert = _db.session.execute(select(IdentityAlert)).scalar_one()
    for role in ("officer", "supervisor", "monitor"):
        other = FreshRequestClient(app, app.response_class, use_cookies=True)
        _login(other, make.user(role, fund="NSAF"))
        assert other.post(f"/oversight/identity-access/alerts/{alert.id}/handle").status_code == 403
        assert other.get("/oversight/identity-access").status_code == 403
    assert _db.session.get(IdentityAlert, alert.id).status == "open"
