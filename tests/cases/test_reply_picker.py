"""Reply templates on the case page: offered per fund, inserted in the complainant's language without
JavaScript (?template=<id>), sent as an ordinary public update and shown (redacted) on the tracking page."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from grievance.admin import replies
from grievance.cases import reply_picker
from grievance.cases import service as svc
from grievance.extensions import db as _db
from grievance.models import Event, Fund
from grievance.services.permits import NotPermitted
from tests.factories import PASSWORD
from tests.intake.helpers import text_of

KM = "យើងបានទាក់ទងឃុំរបស់អ្នក ហើយនឹងប្រាប់អ្នកវិញក្នុងរយៈពេលប្រាំថ្ងៃ។"
EN = "We have contacted your commune and will tell you again within five days."


def _fund_id(code: str) -> int:
    return _db.session.execute(select(Fund.id).where(Fund.code == code)).scalar_one()


@pytest.fixture()
def templates(db):
    made = {
        "all": replies.create(None, title_km="ទាក់ទងឃុំ", title_en="Commune contacted", body_km=KM, body_en=EN),
        "nsaf": replies.create(
            None, title_km="ប្រាក់", title_en="Payment list", body_km="បញ្ជី", body_en="List", fund_id=_fund_id("NSAF")
        ),
        "nssf": replies.create(
            None, title_km="និយោជក", title_en="Employer", body_km="និយោជក", body_en="Employer", fund_id=_fund_id("NSSF")
        ),
        "off": replies.create(None, title_km="ចាស់", title_en="Old one", body_km="ចាស់", body_en="Old", active=False),
    }
    _db.session.commit()
    return made


def _login(client, user):
    assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_an_officer_is_offered_the_active_templates_of_the_cases_fund(templates, make):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING")
    offered = {t.id for t in replies.for_case(officer, case)}
    assert offered == {templates["all"].id, templates["nsaf"].id}


@pytest.mark.parametrize("role", ["oversight", "admin", "monitor"])
def test_those_who_do_not_act_on_the_case_are_not_offered_templates(templates, make, role):
    case, _ = make.case("NSAF-CT-MISSING")
    with pytest.raises(NotPermitted):
        replies.for_case(make.user(role), case)


def test_another_funds_officer_is_refused_as_if_the_case_did_not_exist(templates, make):
    case, _ = make.case("NSAF-CT-MISSING")
    with pytest.raises(NotPermitted) as refused:
        replies.text_for_case(make.user("officer", fund="NSSF"), case, templates["all"].id)
    assert refused.value.hidden


@pytest.mark.parametrize(("language", "text"), [("km", KM), ("en", EN)])
def test_without_javascript_the_template_fills_the_box_in_the_complainants_language(
    client, templates, make, language, text
):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", language=language)
    _login(client, officer)
    page = html.unescape(client.get(f"/cases/{case.id}?lang=en&template={templates['all'].id}").get_data(as_text=True))
    box = page.split(f'action="/cases/{case.id}/public_update"', 1)[1].split("</form>", 1)[0]
    assert text in box
    picker = page.split('id="reply-picker"', 1)[1].split("</form>", 1)[0]
    assert "Commune contacted" in picker
    # deactivated; another fund's (the page's other forms may name the category "Employer does not …")
    assert "Old one" not in page and "Employer" not in picker


def test_a_template_not_offered_on_the_case_fills_nothing(client, templates, make):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", language="en")
    _login(client, officer)
    for chosen in (templates["nssf"].id, templates["off"].id, "abc", "99999999999999999999999"):
        page = html.unescape(client.get(f"/cases/{case.id}?lang=en&template={chosen}").get_data(as_text=True))
        box = page.split(f'action="/cases/{case.id}/public_update"', 1)[1].split("</form>", 1)[0]
        assert "Employer" not in box and "Old" not in box
    assert reply_picker.parse_choice("12") == 12 and reply_picker.parse_choice("-1") is None


def test_the_council_reader_sees_no_picker(client, templates, make):
    case, _ = make.case("NSAF-CT-MISSING")
    _login(client, make.user("oversight"))
    page = client.get(f"/cases/{case.id}?lang=en&template={templates['all'].id}").get_data(as_text=True)
    assert 'id="reply-picker"' not in page


def test_the_sent_template_is_an_ordinary_public_update_on_the_tracking_page(client, templates, make):
    officer = make.user("officer", fund="NSAF")
    case, code = make.case("NSAF-CT-MISSING", language="en")
    svc.acknowledge(case, officer, "Received.")
    _db.session.commit()
    _login(client, officer)
    page = client.get(f"/cases/{case.id}?lang=en&template={templates['all'].id}").get_data(as_text=True)
    assert 'src="/static/js/reply-picker.js"' in page
    answer = client.post(f"/cases/{case.id}/public_update", data={"version": case.version, "message": EN})
    assert answer.status_code == 303
    kinds = _db.session.execute(select(Event.kind).where(Event.case_id == case.id)).scalars().all()
    assert "public_update" in kinds
    client.post("/auth/logout")
    client.set_cookie("lang", "en")
    tracking = html.unescape(text_of(client.post("/track", data={"reference": case.reference, "code": code})))
    assert EN in tracking
