"""Intake in a real Chromium on a 360 px phone: Khmer anonymous with a photo, English confidential.

Each flow files, reads the receipt, tracks with the code, adds information, waits for the fund's
answer, says "no" and sees the complaint reopened. axe-core runs on every public page on the way.
The live server and the browser come from the spine browser test (tests/e2e/test_spine_browser.py).
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from grievance.domain.dates import MONTHS_KM
from tests.e2e.live import file_in_steps
from tests.e2e.test_spine_browser import _phone, browser, live_server  # noqa: F401 - fixtures
from tests.intake import sample_files

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "a long browser password"
KM_DESCRIPTION = "ភ្នាក់ងារបើកប្រាក់កាត់លុយខ្ញុំ ២០០០០ រៀល រាល់ពេលបើកប្រាក់ឧបត្ថម្ភ។ នេះជារូបថតបង្កាន់ដៃ។"
KM_MORE = "ខ្ញុំបើកប្រាក់នៅសាលាឃុំ ថ្ងៃទី៥ រៀងរាល់ខែ។"
EN_DESCRIPTION = "The health centre asked me for 40,000 riel although I have an IDPoor card."
EN_MORE = "It happened again last week, at the same health centre."
SERIOUS = ("serious", "critical")


def publish(page, name: str) -> None:
    """Screenshots for docs/screenshots: written when missing, refreshed with UPDATE_SCREENSHOTS=1."""
    target = SCREENSHOTS / f"{name}.png"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not target.exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


def assert_accessible(page, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]
    assert not bad, f"axe-core found serious problems on {where}: {bad}"


def assert_fits_360(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def receipt_values(page) -> tuple[str, str]:
    text = page.locator(".receipt").inner_text()
    return (
        re.search(r"GRV-\d{4}-\d{6}", text).group(0),
        re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", text).group(0),
    )


def track(page, base: str, reference: str, code: str) -> None:
    page.goto(base + "/track")
    page.fill("#reference", reference)
    page.fill("#code", code)
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_selector("p.status")


def add_information(page, text: str) -> None:
    form = page.locator('form[action$="/track/information"]')
    form.locator("textarea").fill(text)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.status")


def answer_no(page) -> None:
    form = page.locator('form[action$="/track/feedback"]')
    form.locator('input[name="solved"][value="no"]').check()
    form.locator("button[type=submit]").click()
    page.wait_for_selector("p.status")


def fund_answers(app, reference: str) -> None:
    """The NSAF officer of the live server acknowledges and resolves, through the services."""
    from grievance.cases import service as svc
    from grievance.extensions import db
    from grievance.models import Case, User

    with app.app_context():
        case = db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        officer = db.session.execute(select(User).where(User.email == "officer@nsaf.example.org")).scalar_one()
        if case.status == "received":
            svc.acknowledge(case, officer, "យើងបានទទួលបណ្ដឹងរបស់អ្នក។")
        svc.resolve(case, officer, "explained", "ភ្នាក់ងារត្រូវបានព្រមាន ហើយប្រាក់ត្រូវបានសងវិញ។")
        db.session.commit()
        db.session.remove()


def _signed_in(chromium, base: str, email: str):
    """A new browser context with a staff member signed in through the login page: (context, page)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(base + "/auth/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("#submit")
    return context, page


def stored_case(app, reference: str):
    from grievance.extensions import db
    from grievance.models import Case

    with app.app_context():
        case = db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        facts = {
            "id": case.id,
            "status": case.status,
            "fund": case.fund.code,
            "channel": case.channel,
            "identity_mode": case.identity_mode,
            "place": (case.province_code, case.district_code, case.commune_code),
            "attachments": [(a.original_name, a.stored_name, a.content_type) for a in case.attachments],
            "complainant": None
            if case.complainant is None
            else (case.complainant.name, case.complainant.phone, case.complainant.sms_opt_in),
        }
        db.session.remove()
        return facts


@pytest.fixture()
def served(live_server, tmp_path):  # noqa: F811 - the imported fixture
    base, app = live_server
    uploads = tmp_path / "uploads"
    app.config["UPLOAD_DIR"] = str(uploads)
    from grievance.auth.service import create_user
    from grievance.extensions import db

    with app.app_context():
        create_user("officer@nssf.example.org", PASSWORD, "officer", name="Chan Sophea", fund_code="NSSF")
        create_user("officer@health.example.org", PASSWORD, "officer", name="Keo Dany", fund_code="HEALTH")
        create_user("monitor@cso.example.org", PASSWORD, "monitor", name="Lim Bopha", org_name="Village Network")
        db.session.commit()
        db.session.remove()
    return base, app, uploads


def test_anonymous_complaint_in_khmer_with_a_photo_on_a_360px_phone(served, browser, tmp_path):  # noqa: F811
    base, app, uploads = served
    photo = sample_files.jpeg_with_gps(size=(640, 480))
    context = _phone(browser)
    page = context.new_page()

    # The form, in Khmer, one question per screen: choose the place step by step.
    def each_step(step: str) -> None:
        assert page.locator("html").get_attribute("lang") == "km"
        assert_fits_360(page)
        assert_accessible(page, f"the form's {step} step (km)")
        if step == "check":
            assert KM_DESCRIPTION in page.locator("main").inner_text()  # nothing typed was lost
            publish(page, "intake-form-km-360")

    file_in_steps(
        page,
        base,
        category="NSAF-CT-AMOUNT",
        description=KM_DESCRIPTION,
        files=[{"name": "ការតវ៉ា.jpg", "mimeType": "image/jpeg", "buffer": photo}],
        province="12",
        district="1201",
        commune="120101",
        about=("idpoor",),
        on_step=each_step,
    )

    # The receipt: reference and code once, the due date, advice to write it down.
    page.wait_for_selector(".receipt")
    reference, code = receipt_values(page)
    assert "កត់ទុក" in page.locator("p.flash.warning").inner_text()  # "write it down"
    assert any(month in page.locator("ul.dates").inner_text() for month in MONTHS_KM)  # Khmer month names
    assert_fits_360(page)
    assert_accessible(page, "the receipt (km)")
    publish(page, "intake-receipt-km-360")

    case = stored_case(app, reference)
    assert case["fund"] == "NSAF" and case["identity_mode"] == "anonymous" and case["complainant"] is None
    assert case["place"] == ("12", "1201", "120101")
    ((name, stored, content_type),) = case["attachments"]
    assert (name, content_type) == ("ការតវ៉ា.jpg", "image/jpeg")
    data = (uploads / stored).read_bytes()
    assert not sample_files.has_exif(data) and not sample_files.has_gps(data)  # the GPS is gone
    assert os.listdir(uploads) == [stored]

    # The evidence of an anonymous complaint reaches the handling fund, with a reason on record.
    staff, officer = _signed_in(browser, base, "officer@nsaf.example.org")
    officer.goto(f"{base}/cases/{case['id']}")
    officer.select_option("#reason", "investigate")
    with officer.expect_download() as download:
        officer.click("ul.attachments button")
    assert download.value.suggested_filename == "ការតវ៉ា.jpg"
    assert Path(download.value.path()).read_bytes() == data
    staff.close()

    # Tracking with the code, adding information.
    track(page, base, reference, code)
    assert page.locator("h1").inner_text() == reference
    assert_accessible(page, "the tracking page (km)")
    add_information(page, KM_MORE)
    assert KM_MORE in page.locator("ol.timeline").inner_text()
    assert_fits_360(page)

    # The fund answers; the citizen says it did not solve the problem: opened again as an appeal.
    fund_answers(app, reference)
    track(page, base, reference, code)
    assert page.locator('form[action$="/track/feedback"]').count() == 1
    publish(page, "intake-tracking-km-360")
    answer_no(page)
    assert "បើកឡើងវិញ" in page.locator("p.status").inner_text()
    assert stored_case(app, reference)["status"] == "reopened"
    assert_accessible(page, "the reopened status page (km)")
    context.close()


def test_confidential_complaint_in_english_is_seen_only_by_the_handling_fund(served, browser):  # noqa: F811
    base, app, _uploads = served
    context = _phone(browser)
    page = context.new_page()

    page.goto(base + "/")
    page.click("nav.lang a[lang=en]")  # the visible language switch
    page.wait_for_selector("html[lang=en]")
    assert page.locator("h1").first.inner_text() == "Make a complaint"

    def each_step(step: str) -> None:
        assert_accessible(page, f"the form's {step} step (en)")
        if step == "contact":
            publish(page, "intake-form-en-360")

    file_in_steps(
        page,
        base,
        category="HEALTH-FEE",
        description=EN_DESCRIPTION,
        identity="confidential",
        name="Srey Pov",
        phone="012 345 678",
        sms=True,
        gender="female",
        on_step=each_step,
    )
    page.wait_for_selector(".receipt")
    assert page.locator("h1").first.inner_text() == "Your complaint has been received"
    reference, code = receipt_values(page)
    assert "Srey Pov" not in page.content()
    assert_accessible(page, "the receipt (en)")
    case = stored_case(app, reference)
    assert case["fund"] == "HEALTH" and case["complainant"] == ("Srey Pov", "012 345 678", True)

    track(page, base, reference, code)
    assert "Srey Pov" not in page.content() and "012 345 678" not in page.content()
    add_information(page, EN_MORE)
    assert EN_MORE in page.locator("ol.timeline").inner_text()
    assert_accessible(page, "the tracking page (en)")

    # The HEALTH officer sees the name after asking for it (the view is recorded).
    staff, desk = _signed_in(browser, base, "officer@health.example.org")
    desk.goto(f"{base}/cases/{case['id']}")
    assert "Srey Pov" not in desk.content()
    desk.click("#show-identity")  # no reason chosen: the browser asks for one, nothing is sent
    assert desk.evaluate("document.querySelector('#reason').validity.valueMissing")
    assert "Srey Pov" not in desk.content()
    desk.select_option("#reason", "contact")
    desk.click("#show-identity")
    desk.wait_for_selector("dl.facts")
    assert "Srey Pov" in desk.content() and "012 345 678" in desk.content()
    desk.select_option("#reason", "verify")
    with desk.expect_download() as download:
        desk.click("#case-file-identity")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF") and "Srey Pov" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    staff.close()
    with app.app_context():
        from grievance.extensions import db
        from grievance.models import IdentityView

        views = db.session.execute(select(IdentityView).order_by(IdentityView.id)).scalars().all()
        assert [(v.case_id, v.reason, v.output) for v in views][-2:] == [
            (case["id"], "contact", "panel"),
            (case["id"], "verify", "case_file"),
        ]

    # Nobody else: another fund's officer and a monitor get 404; the API never shows it.
    for email in ("officer@nssf.example.org", "monitor@cso.example.org"):
        other, them = _signed_in(browser, base, email)
        them.wait_for_selector("input[name=csrf_token]", state="attached")
        token = them.locator("input[name=csrf_token]").first.get_attribute("value")
        assert other.request.get(f"{base}/cases/{case['id']}").status == 404
        refused = other.request.post(f"{base}/cases/{case['id']}/identity", form={"csrf_token": token})
        assert refused.status == 404
        assert "Srey Pov" not in refused.text()
        other.close()
    api = context.request.get(f"{base}/open311/v2/requests/{reference}.json").text()
    assert reference in api and "Srey" not in api and "345 678" not in api

    # The fund answers, the citizen says no: reopened.
    with app.app_context():
        from grievance.cases import service as svc
        from grievance.extensions import db
        from grievance.models import Case, User

        row = db.session.get(Case, case["id"])
        officer = db.session.execute(select(User).where(User.email == "officer@health.example.org")).scalar_one()
        svc.acknowledge(row, officer, "We are checking with the health centre.")
        svc.resolve(row, officer, "remedied", "The health centre returned the money.")
        db.session.commit()
        db.session.remove()
    track(page, base, reference, code)
    answer_no(page)
    assert "opened again" in page.locator("p.status").inner_text()
    assert stored_case(app, reference)["status"] == "reopened"
    publish(page, "intake-reopened-en-360")
    context.close()


def test_the_open311_api_round_trips_over_http(served, browser):  # noqa: F811
    base, app, _uploads = served
    context = browser.new_context()
    created = context.request.post(
        base + "/open311/v2/requests.json",
        data={"service_code": "NSSF-INFORMAL", "description": "I lost my NSSF membership after 6 months."},
        headers={"Content-Type": "application/json"},
    )
    assert created.status == 201
    (receipt,) = created.json()
    (shown,) = context.request.get(f"{base}/open311/v2/requests/{receipt['service_request_id']}.json?lang=en").json()
    assert shown["agency_responsible"] == "National Social Security Fund"
    assert shown["expected_datetime"].endswith("+07:00")
    context.close()


def test_a_fixmystreet_report_shows_the_handling_fund_what_the_platform_sent(served, browser):  # noqa: F811
    """A relay POST as FixMyStreet sends it (XML, form body); the NSSF officer opens what was sent."""
    base, app, _uploads = served
    from tests.api.fms_client import xml_simple

    relay = _relay_key(app)
    context = browser.new_context()
    created = context.request.post(
        base + "/open311/v2/requests.xml",
        form={
            "api_key": relay,
            "jurisdiction_id": "grievance.gov.kh",
            "service_code": "NSSF-INFORMAL",
            "description": "I paid six months and lost my membership.\n\nhttps://fms.example.kh/report/77\n",
            "first_name": "Dara",
            "last_name": "Keo",
            "email": "dara.keo@example.org",
            "lat": "11.544900",
            "long": "104.916",
            "address_string": "House 12, Street 271",
            "media_url": "https://fms.example.kh/photo/77.jpeg",
            "attribute[external_id]": "77",
        },
    )
    assert created.status == 201 and created.headers["content-type"] == "text/xml; charset=utf-8"
    (request,) = xml_simple(created.body())["request"]
    reference = request["service_request_id"]
    public = context.request.get(f"{base}/open311/v2/requests/{reference}.xml").text()
    assert "Dara" not in public and "Street 271" not in public and "11.5449" not in public
    context.close()

    case = stored_case(app, reference)
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    desk = staff.new_page()
    desk.goto(base + "/auth/login")
    desk.fill("#email", "officer@nssf.example.org")
    desk.fill("#password", PASSWORD)
    desk.click("#submit")
    desk.goto(f"{base}/cases/{case['id']}")
    assert "11.5449" not in desk.content()
    desk.select_option("#reason", "contact")  # identity opens only with a reason, on record
    desk.click("#show-identity")
    desk.wait_for_selector("dl.facts")
    facts = desk.locator("dl.facts").last.inner_text()
    for sent in ("Dara Keo", "dara.keo@example.org", "11.5449, 104.916", "House 12, Street 271", "77.jpeg"):
        assert sent in facts, sent
    publish(desk, "open311-sent-to-the-fund")
    staff.close()


def _relay_key(app) -> str:
    from bench.loadlib import issue_relay_key

    return issue_relay_key(app, "FixMyStreet Cambodia")
