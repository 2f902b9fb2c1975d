"""Case handling in a real browser: breached queue, claim, request information, the citizen
answers, resolve; a supervisor approves an extension; a transfer keeps the due dates."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grievance.auth.service import create_user
from grievance.cases import service as svc
from grievance.domain.calendar import WorkingCalendar
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from grievance.models import Case
from grievance.services.sweep import sweep
from tests.e2e.live import chromium, file_app, login, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"


def _received_working_days_ago(days: int) -> datetime:
    """An instant `days` working days before now (so its clocks have run that long)."""
    cal = WorkingCalendar()
    now = datetime.now(timezone.utc)
    moment = now
    while cal.working_days_between(moment, now) < days:
        moment -= timedelta(hours=6)
    return moment


@pytest.fixture()
def world(tmp_path):
    app = file_app(tmp_path)
    key = tracking_key(app.config["SECRET_KEY"])
    with app.app_context():
        officer = create_user("officer@nsaf.example.org", PASSWORD, "officer", name="Vanna", fund_code="NSAF")
        create_user("officer@nssf.example.org", PASSWORD, "officer", name="Rith", fund_code="NSSF")
        create_user("supervisor@nsaf.example.org", PASSWORD, "supervisor", name="Dara", fund_code="NSAF")

        def new_case(category, received, **extra):
            receipt = submit(
                Submission(category_code=category, description="ខ្ញុំមិនទាន់បានទទួលប្រាក់។", province_code="17", **extra),
                key=key,
                now=received,
            )
            return receipt.case, receipt.tracking_code

        late, late_code = new_case("NSAF-CT-MISSING", _received_working_days_ago(17))
        svc.acknowledge(late, officer, "យើងបានទទួល។", now=_received_working_days_ago(16))
        extend, _ = new_case("NSAF-CT-AMOUNT", _received_working_days_ago(3))
        svc.acknowledge(extend, officer, "seen", now=_received_working_days_ago(2))
        svc.request_extension(extend, officer, 5, "Waiting for the bank's statement.")
        moving, _ = new_case("NSAF-ELIG", _received_working_days_ago(1))
        sweep()
        db.session.commit()
        ids = {"late": late.id, "extend": extend.id, "moving": moving.id}
        refs = {name: db.session.get(Case, i).reference for name, i in ids.items()}
        assert db.session.get(Case, ids["late"]).sla_state == "breached"
        db.session.remove()
    return app, ids, refs, late_code


def _case_due_texts(page) -> list[str]:
    return page.locator("table.clocks tbody tr td:nth-child(2)").all_inner_texts()


def test_officer_works_a_breached_case_with_the_citizen_and_a_supervisor_extends_another(world):
    app, ids, refs, code = world
    with serve(app) as base, chromium() as browser:
        officer_ctx = browser.new_context(locale="en-GB")
        officer_ctx.add_cookies([{"name": "lang", "value": "en", "url": base}])
        page = login(officer_ctx, base, "officer@nsaf.example.org", PASSWORD)

        # Filter the queue to breached cases: exactly the late case is listed.
        page.select_option("select[name=sla_state]", "breached")
        submit_form(page, "form.filters button[type=submit]")
        rows = page.locator("table.queue tbody tr")
        assert rows.count() == 1 and refs["late"] in rows.first.inner_text()
        rows.first.locator("a").click()

        # Claim it, then ask the complainant for information.
        submit_form(page, 'form[action$="/claim"] button[type=submit]')
        assert "assigned to you" in page.locator(".flash.success").inner_text()
        page.fill('form[action$="/request_info"] textarea[name=message]', "Please send a photo of your IDPoor card.")
        submit_form(page, 'form[action$="/request_info"] button[type=submit]')
        assert "paused" in page.locator(".flash.success").inner_text()

        # The citizen answers through the tracking page (Khmer, no account).
        citizen = browser.new_context(viewport={"width": 360, "height": 780}).new_page()
        citizen.goto(base + "/track")
        citizen.fill("#reference", refs["late"])
        citizen.fill("#code", code)
        submit_form(citizen, "form button[type=submit]")
        citizen.fill("form[action$='/track/information'] textarea[name=message]", "ខ្ញុំបានផ្ញើរូបថតប័ណ្ណទៅឃុំហើយ។")
        submit_form(citizen, "form[action$='/track/information'] button[type=submit]")
        assert "ខ្ញុំបានផ្ញើរូបថតប័ណ្ណទៅឃុំហើយ" in citizen.content()

        # The officer sees the answer and resolves the case.
        page.reload()
        assert "ខ្ញុំបានផ្ញើរូបថតប័ណ្ណទៅឃុំហើយ" in page.content()
        page.select_option('form[action$="/resolve"] select[name=outcome]', "remedied")
        page.fill('form[action$="/resolve"] textarea[name=message]', "Your payment was sent today.")
        submit_form(page, 'form[action$="/resolve"] button[type=submit]')
        assert "Resolved" in page.locator("dl.facts").first.inner_text()

        # A supervisor approves the pending extension on another case: the due date moves.
        sup_ctx = browser.new_context(locale="en-GB")
        sup_ctx.add_cookies([{"name": "lang", "value": "en", "url": base}])
        sup = login(sup_ctx, base, "supervisor@nsaf.example.org", PASSWORD)
        sup.goto(f"{base}/cases/{ids['extend']}")
        before = _case_due_texts(sup)
        sup.select_option('form[action$="/decide_extension"] select[name=decision]', "approve")
        sup.fill('form[action$="/decide_extension"] textarea[name=message]', "Agreed: the bank is slow.")
        submit_form(sup, 'form[action$="/decide_extension"] button[type=submit]')
        assert "Decision recorded" in sup.locator(".flash.success").inner_text()
        after = _case_due_texts(sup)
        assert after[0] == before[0] and after[1] > before[1], (before, after)

        # Transfer NSAF → NSSF: the NSSF officer sees the very same due dates.
        page.goto(f"{base}/cases/{ids['moving']}")
        dues = _case_due_texts(page)
        page.select_option('form[action$="/transfer"] select[name=fund]', "NSSF")
        page.fill('form[action$="/transfer"] textarea[name=message]', "This is about NSSF contributions.")
        submit_form(page, 'form[action$="/transfer"] button[type=submit]')
        # The case has left NSAF: its officer is taken back to the queue, where it no longer is.
        page.wait_for_url("**/cases/")
        assert "clocks keep running" in page.locator(".flash.success").inner_text()
        assert refs["moving"] not in page.locator("table.queue").inner_text()
        nssf_ctx = browser.new_context(locale="en-GB")
        nssf_ctx.add_cookies([{"name": "lang", "value": "en", "url": base}])
        nssf = login(nssf_ctx, base, "officer@nssf.example.org", PASSWORD)
        nssf.goto(f"{base}/cases/{ids['moving']}")
        assert refs["moving"] in nssf.locator("h1").inner_text()
        assert _case_due_texts(nssf) == dues
        assert "NSAF → NSSF" in nssf.content()
