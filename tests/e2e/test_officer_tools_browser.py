"""Officer tools in a real browser: the supervisor reads the fund's workload, opens the extension
inbox from the menu and approves a request there; an officer inserts a reply template into a public
update (with and without JavaScript), sends it, and the complainant's tracking page shows it."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.admin import replies
from grievance.auth.service import create_user
from grievance.cases import service as svc
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from grievance.models import ExtensionRequest
from tests.e2e.live import chromium, file_app, login, phone_context, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"
TEMPLATE_EN = "We have asked the commune for the payment list and will write again within five working days."
TEMPLATE_KM = "យើងបានស្នើសុំបញ្ជីបើកប្រាក់ពីឃុំ ហើយនឹងសរសេរមកអ្នកវិញក្នុងរយៈពេលប្រាំថ្ងៃធ្វើការ។"
BOX = "form[action$='/public_update'] textarea[name=message]"


@pytest.fixture()
def world(tmp_path):
    app = file_app(tmp_path)
    key = tracking_key(app.config["SECRET_KEY"])
    with app.app_context():
        officer = create_user("officer@nsaf.example.org", PASSWORD, "officer", name="Vanna", fund_code="NSAF")
        create_user("supervisor@nsaf.example.org", PASSWORD, "supervisor", name="Dara", fund_code="NSAF")
        now = datetime.now(timezone.utc)
        made = []
        for language in ("km", "en"):
            receipt = submit(
                Submission(
                    category_code="NSAF-CT-MISSING",
                    description="ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភខែតុលាទេ។",
                    province_code="17",
                    language=language,
                ),
                key=key,
                now=now - timedelta(days=2),
            )
            svc.acknowledge(receipt.case, officer, "យើងបានទទួល។", now=now - timedelta(days=1))
            svc.assign(receipt.case, officer, officer)
            made.append(receipt)
        svc.request_extension(made[0].case, officer, 5, "Waiting for the commune's payment list.")
        template = replies.create(
            None, title_km="ស្នើសុំបញ្ជី", title_en="Asked the commune", body_km=TEMPLATE_KM, body_en=TEMPLATE_EN
        )
        db.session.commit()
        ids = {
            "officer": officer.id,
            "template": template.id,
            "cases": [(r.case.id, r.case.reference, r.tracking_code) for r in made],
        }
        db.session.remove()
    return app, ids


def _english(context, base):
    context.add_cookies([{"name": "lang", "value": "en", "url": base}])
    return context


def test_the_supervisor_reads_the_workload_and_approves_an_extension_from_the_inbox(world):
    app, ids = world
    (extended_id, extended_ref, _code), (other_id, other_ref, _) = ids["cases"]
    with serve(app) as base, chromium() as browser:
        sup = login(_english(browser.new_context(locale="en-GB"), base), base, "supervisor@nsaf.example.org", PASSWORD)
        submit_form(sup, "nav.staff a[href='/cases/workload']")
        row = sup.locator(f"tr[data-officer='{ids['officer']}']")
        assert "Vanna" in row.inner_text()
        assert row.locator("td.open").inner_text().strip() == "2"
        submit_form(sup, f"tr[data-officer='{ids['officer']}'] td.open a")
        queue = sup.locator("table.queue").inner_text()
        assert extended_ref in queue and other_ref in queue

        inbox_link = sup.locator("nav.staff a.extensions-inbox")
        assert "(1)" in inbox_link.inner_text()
        submit_form(sup, "nav.staff a.extensions-inbox")
        request_row = sup.locator("table.extensions tbody tr").first
        assert extended_ref in request_row.inner_text()
        assert "Waiting for the commune's payment list." in request_row.inner_text()
        request_row.locator("select[name=decision]").select_option("approve")
        request_row.locator("textarea[name=message]").fill("Agreed: the list is late everywhere.")
        submit_form(sup, "table.extensions form.decide button[type=submit]")
        assert sup.url.endswith("/cases/extensions")
        assert "Decision recorded." in sup.locator("main").inner_text()
        assert "No extension requests are waiting." in sup.locator("table.extensions").inner_text()
        assert sup.locator("nav.staff a.extensions-inbox .count").count() == 0
    with app.app_context():
        request = db.session.execute(select(ExtensionRequest)).scalar_one()
        assert request.status == "approved"


@pytest.mark.parametrize("javascript", [True, False])
def test_an_officer_inserts_a_reply_template_and_the_tracking_page_shows_it(world, javascript):
    app, ids = world
    _km, (case_id, reference, code) = ids["cases"]  # the second complainant reads English
    with serve(app) as base, chromium() as browser:
        context = _english(phone_context(browser, javascript=javascript, locale="en-GB"), base)
        officer = login(context, base, "officer@nsaf.example.org", PASSWORD)
        officer.goto(f"{base}/cases/{case_id}")
        officer.select_option("#reply-template", str(ids["template"]))
        if javascript:
            officer.click("#insert-template")  # the script fills the box in place
            assert "template=" not in officer.url
        else:
            submit_form(officer, "#insert-template")
            assert f"template={ids['template']}" in officer.url
        assert officer.input_value(BOX) == TEMPLATE_EN
        officer.fill(BOX, officer.input_value(BOX) + " Reference " + reference + ".")
        submit_form(officer, "form[action$='/public_update'] button[type=submit]")
        assert "Update sent to the complainant." in officer.locator("main").inner_text()

        citizen = _english(browser.new_context(locale="en-GB"), base).new_page()
        citizen.goto(base + "/track")
        citizen.fill("#reference", reference)
        citizen.fill("#code", code)
        submit_form(citizen, "form button[type=submit]")
        assert TEMPLATE_EN in citizen.locator("ol.timeline").inner_text()
