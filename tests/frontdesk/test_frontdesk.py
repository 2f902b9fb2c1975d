"""The single window: filing for a person present, the printed receipt, scope, visits, counts."""

from __future__ import annotations

import io
import re
from datetime import datetime, timezone

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from grievance.domain import sla
from grievance.extensions import db
from grievance.frontdesk import service
from grievance.models import Case, Event
from grievance.models.timeutil import from_db
from grievance.services import reference
from tests.intake.helpers import KHMER_DESCRIPTION, case_by_reference, receipt_of, row_counts, text_of


def _token(client) -> str:
    page = text_of(client.get("/frontdesk/file"))
    return re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)


def _file(client, **fields):
    data = {
        "category": "NSSF-HEALTH",
        "description": KHMER_DESCRIPTION,
        "language": "km",
        "identity_mode": "confidential",
        "name": "សុខ ស្រីមុំ",
        "phone": "012 345 678",
        "sms_opt_in": "y",
        "consent": "y",
        "form_token": _token(client),
    }
    data.update(fields)
    return client.post("/frontdesk/file", data={k: v for k, v in data.items() if v is not None})


@pytest.fixture()
def filed_in_siem_reap(client, desk, offices):
    officer = desk("siem_reap")
    response = _file(client)
    assert response.status_code == 200, text_of(response)
    ref, code = receipt_of(response)
    return officer, case_by_reference(ref), code


def test_siem_reap_desk_files_a_routed_case_with_running_clocks(filed_in_siem_reap, offices):
    officer, case, _code = filed_in_siem_reap
    office = offices["siem_reap"]
    assert case.channel == "in_person" and case.intake_office_id == office.id
    assert (case.province_code, case.district_code, case.commune_code) == ("17", "1710", None)
    assert case.fund.code == "NSSF", "routed like any NSSF-HEALTH complaint"
    assert case.filed_by_user_id == officer.id and case.language == "km"
    expected = sla.initial_deadlines(
        from_db(case.received_at), reference.policy_for(case.category), reference.working_calendar()
    )
    assert from_db(case.ack_due_at) == expected.ack_due and from_db(case.resolve_due_at) == expected.resolve_due
    assert case.complainant.consent_given and case.complainant.sms_opt_in
    assert service.desk_timeline(case)[0]["kind"] == "received"


def test_consent_is_recorded_in_the_audit_chain_even_for_an_anonymous_person(client, desk):
    desk("siem_reap")
    response = _file(client, identity_mode="anonymous", name="", phone="", sms_opt_in=None)
    ref, _ = receipt_of(response)
    case = case_by_reference(ref)
    person = case.complainant
    assert person is None or (person.name is None and person.phone is None), "anonymous: no name, no phone"
    event = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "in_person")).scalars().one()
    assert '"consent":true' in event.payload and event.public is False


def test_without_consent_nothing_is_filed(client, desk):
    desk("siem_reap")
    before = row_counts()
    response = _file(client, consent=None)
    assert response.status_code == 400
    assert "ត្រូវតែយល់ព្រម" in text_of(response) or "must agree" in text_of(response)
    assert row_counts() == before


def test_sms_opt_in_without_a_phone_is_refused(client, desk):
    desk("siem_reap")
    response = _file(client, identity_mode="named", phone="", sms_opt_in="y")
    assert response.status_code == 400


def test_the_receipt_prints_in_khmer_with_the_reference_and_a_khmer_font(client, filed_in_siem_reap):
    _officer, case, code = filed_in_siem_reap
    response = client.post("/frontdesk/receipt.pdf", data={"reference": case.reference, "code": code, "language": "km"})
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    text = "".join(page.extract_text() for page in reader.pages)
    assert case.reference in text and code in text
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/BaseFont" in font.get_object()
    }
    assert any("Khmer" in name for name in fonts), fonts
    assert "Sok" not in text and "សុខ ស្រីមុំ" not in text, "no personal data on the paper receipt"


def test_the_receipt_needs_the_right_code(client, filed_in_siem_reap):
    _officer, case, _code = filed_in_siem_reap
    response = client.post(
        "/frontdesk/receipt.pdf", data={"reference": case.reference, "code": "AAAA-BBBB-CCCC-DDDD", "language": "km"}
    )
    assert response.status_code == 404


def test_a_desk_in_another_province_cannot_see_it(client, desk, filed_in_siem_reap):
    _officer, case, code = filed_in_siem_reap
    desk("battambang")
    assert client.get(f"/frontdesk/cases/{case.id}").status_code == 404
    assert client.get(f"/frontdesk/lookup?reference={case.reference}").status_code == 404
    assert client.post(f"/frontdesk/cases/{case.id}/visit", data={"note": "x"}).status_code == 404
    printed = client.post("/frontdesk/receipt.pdf", data={"reference": case.reference, "code": code, "language": "km"})
    assert printed.status_code == 404
    assert client.get(f"/cases/{case.id}").status_code == 404, "the fund pages are not for the desk"


def test_the_desk_finds_cases_filed_at_it_or_in_its_province(client, desk, make):
    pp_web, _ = make.case("NSAF-CT-MISSING", province_code="12")
    sr_web, _ = make.case("NSAF-CT-MISSING", province_code="17")
    desk("phnom_penh")
    found = client.get(f"/frontdesk/lookup?reference={pp_web.reference.lower()}")
    assert found.status_code == 302 and found.headers["Location"].endswith(f"/frontdesk/cases/{pp_web.id}")
    assert client.get(f"/frontdesk/lookup?reference={sr_web.reference}").status_code == 404
    assert client.get("/frontdesk/lookup?reference=nonsense").status_code == 404


def test_a_follow_up_visit_is_an_internal_audit_event(client, filed_in_siem_reap):
    officer, case, code = filed_in_siem_reap
    response = client.post(f"/frontdesk/cases/{case.id}/visit", data={"note": "បានមកសួរអំពីវឌ្ឍនភាព"})
    assert response.status_code == 302
    visit = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "visit")).scalars().one()
    assert visit.public is False and visit.actor_id == officer.id
    page = text_of(client.get(f"/frontdesk/cases/{case.id}"))
    assert "បានមកសួរអំពីវឌ្ឍនភាព" in page
    assert KHMER_DESCRIPTION not in page, "the desk does not repeat what the person wrote"


def test_only_front_desk_staff_use_the_desk(client, login_as):
    assert client.get("/frontdesk/").status_code == 302  # anonymous: to the login page
    login_as("officer", fund="NSAF")
    assert client.get("/frontdesk/").status_code == 403
    assert client.get("/frontdesk/file").status_code == 403


def test_a_double_submitted_form_files_one_complaint(client, desk):
    desk("siem_reap")
    token = _token(client)
    first = _file(client, form_token=token)
    second = _file(client, form_token=token)
    assert first.status_code == 200 and second.status_code == 302
    assert row_counts()[0] == 1


def test_intake_counts_by_channel_and_office(make, offices):
    officer = make.user("frontdesk", office_id=offices["siem_reap"].id)
    now = datetime(2026, 3, 10, 3, 0, tzinfo=timezone.utc)
    for _ in range(2):
        service.file_in_person(
            service.intake.Submission(category_code="HEALTH-FEE", description="ខ្ញុំត្រូវបង់ថ្លៃ", consent_given=True),
            offices["siem_reap"],
            officer,
            key=make.key,
            now=now,
        )
    make.case("OTHER", now=now)
    make.case("OTHER", now=datetime(2026, 4, 1, 3, 0, tzinfo=timezone.utc))  # next month
    db.session.commit()
    rows = service.intake_by_channel_and_office(2026, 3)
    assert {(r["channel"], r["office_en"], r["count"]) for r in rows} == {
        ("in_person", offices["siem_reap"].name_en, 2),
        ("web", None, 1),
    }
    health = db.session.execute(select(Case.fund_id).where(Case.channel == "in_person")).scalars().first()
    assert service.intake_by_channel_and_office(2026, 3, fund_id=health)[0]["count"] == 2


def test_offices_are_seeded_once_with_official_codes(offices):
    from grievance.models import Office
    from grievance.seed import seed_reference

    assert seed_reference()["offices"] == 0
    offices = db.session.execute(select(Office)).scalars().all()
    assert {(o.province_code, o.level) for o in offices} == {("17", "district"), ("12", "commune"), ("02", "district")}


def test_users_create_frontdesk_needs_an_office(runner, offices):
    ok = runner.invoke(
        args=["users", "create", "desk@example.org", "--role", "frontdesk", "--office", str(offices["battambang"].id)],
        input="a long enough password\n",
    )
    assert ok.exit_code == 0, ok.output
    missing = runner.invoke(
        args=["users", "create", "desk2@example.org", "--role", "frontdesk"], input="a long enough password\n"
    )
    assert missing.exit_code != 0 and "office" in missing.output
