"""An appeal in a real browser: the citizen answers "not solved" on the tracking page, the officer
who answered cannot decide it, the fund's supervisor reviews it before its due date, and the
tracking page shows each step (opened, due date, decision with its reason)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grievance.auth.service import create_user
from grievance.cases import service as svc
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from grievance.models import Appeal
from grievance.models.timeutil import from_db
from tests.e2e.live import chromium, file_app, login, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"


@pytest.fixture()
def world(tmp_path):
    app = file_app(tmp_path)
    key = tracking_key(app.config["SECRET_KEY"])
    with app.app_context():
        officer = create_user("officer@nsaf.example.org", PASSWORD, "officer", name="Vanna", fund_code="NSAF")
        create_user("supervisor@nsaf.example.org", PASSWORD, "supervisor", name="Dara", fund_code="NSAF")
        now = datetime.now(timezone.utc)
        receipt = submit(
            Submission(
                category_code="NSAF-CT-MISSING",
                description="ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភខែតុលាទេ។",
                province_code="17",
            ),
            key=key,
            now=now - timedelta(days=3),
        )
        case = receipt.case
        svc.acknowledge(case, officer, "យើងបានទទួល។", now=now - timedelta(days=2))
        svc.start(case, officer, now=now - timedelta(days=2))
        svc.resolve(case, officer, "remedied", "ប្រាក់របស់អ្នកត្រូវបានផ្ញើ។", now=now - timedelta(days=1))
        db.session.commit()
        ids = (case.id, case.reference, receipt.tracking_code)
        db.session.remove()
    return app, ids


def test_citizen_appeals_and_the_supervisor_decides_before_the_due_date(world):
    app, (case_id, reference, code) = world
    with serve(app) as base, chromium() as browser:
        citizen = browser.new_context(viewport={"width": 360, "height": 780}, locale="en-GB")
        citizen.add_cookies([{"name": "lang", "value": "en", "url": base}])
        page = citizen.new_page()
        page.goto(base + "/track")
        page.fill("#reference", reference)
        page.fill("#code", code)
        submit_form(page, "form button[type=submit]")
        page.check("input[name=solved][value=no]")
        submit_form(page, "form[action$='/track/feedback'] button[type=submit]")
        appeal_box = page.locator("#appeal")
        assert "Your appeal" in appeal_box.inner_text()
        assert "Not decided yet" in appeal_box.inner_text()
        assert "will decide your appeal by" in page.locator("ol.timeline").inner_text()

        # The officer who gave the answer sees the appeal but is offered no decision.
        officer_ctx = browser.new_context(locale="en-GB")
        officer_ctx.add_cookies([{"name": "lang", "value": "en", "url": base}])
        officer = login(officer_ctx, base, "officer@nsaf.example.org", PASSWORD)
        officer.goto(f"{base}/cases/{case_id}")
        assert officer.locator("#decide-appeal").count() == 0
        assert "cannot decide the appeal" in officer.locator("#appeal").inner_text()

        # The supervisor decides: the first answer is overturned, with a new outcome and a reason.
        sup_ctx = browser.new_context(locale="en-GB")
        sup_ctx.add_cookies([{"name": "lang", "value": "en", "url": base}])
        sup = login(sup_ctx, base, "supervisor@nsaf.example.org", PASSWORD)
        sup.goto(f"{base}/cases/{case_id}")
        sup.select_option("#decide-appeal select[name=decision]", "overturned")
        sup.select_option("#decide-appeal select[name=new_outcome]", "referred")
        sup.fill("#decide-appeal textarea[name=reason]", "The bank returned the payment; it is sent again this week.")
        submit_form(sup, "#decide-appeal [type=submit]")
        assert "Appeal decided" in sup.locator(".flash.success").inner_text()

        # Back on the tracking page: the decision, its day and its reason.
        page.goto(base + "/track")
        page.fill("#reference", reference)
        page.fill("#code", code)
        submit_form(page, "form button[type=submit]")
        box = page.locator("#appeal").inner_text()
        assert "The first answer was overturned" in box and "Not decided yet" not in box
        timeline = page.locator("ol.timeline").inner_text()
        assert "Appeal opened" in timeline and "Appeal decided" in timeline
        assert "The bank returned the payment" in timeline
        assert "Dara" not in page.content()

    with app.app_context():
        appeal = db.session.query(Appeal).filter_by(case_id=case_id).one()
        assert appeal.outcome == "overturned"
        assert from_db(appeal.decided_at) <= from_db(appeal.due_at)  # decided before its due date
