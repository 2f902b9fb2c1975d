"""A mass incident in a real browser: 50 complaints about the October Family Package in Kampong
Thom; the fund's supervisor declares the incident, links its cases by a filter and sends one
update; each of the 50 gets its own event and outbox message in the complainant's language, and
the update is on each of the 50 tracking pages."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from grievance.auth.service import create_user
from grievance.cases import incidents
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from grievance.models import Case, Category, Event, OutboxMessage
from grievance.services import audit
from tests.e2e.live import chromium, file_app, login, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"
CASES = 50
UPDATE = "ការបង់ប្រាក់ខែតុលានឹងធ្វើឡើងវិញនៅថ្ងៃទី៣ វិច្ឆិកា។ The October payment is made again on 3 November."


@pytest.fixture()
def world(tmp_path):
    app = file_app(tmp_path)
    key = tracking_key(app.config["SECRET_KEY"])
    now = datetime.now(timezone.utc)
    with app.app_context():
        create_user("supervisor@nsaf.example.org", PASSWORD, "supervisor", name="Dara", fund_code="NSAF")
        tracked = []
        for n in range(CASES):
            receipt = submit(
                Submission(
                    category_code="NSAF-CT-MISSING",
                    description="ខ្ញុំមិនទាន់បានទទួលប្រាក់កញ្ចប់គ្រួសារខែតុលាទេ។",
                    province_code="06",  # Kampong Thom
                    identity_mode="confidential",
                    name=f"Complainant {n}",
                    phone=f"012 {n:03d} 111",
                    sms_opt_in=True,
                    language="en" if n % 5 == 0 else "km",
                ),
                key=key,
                now=now - timedelta(hours=n),
            )
            tracked.append((receipt.case.id, receipt.case.reference, receipt.tracking_code))
        # Two everyday complaints the filter must leave alone: another province, another category.
        for category, province in (("NSAF-CT-MISSING", "12"), ("NSAF-ELIG", "06")):
            submit(Submission(category_code=category, description="ផ្សេង", province_code=province), key=key, now=now)
        db.session.commit()
        category_id = db.session.execute(select(Category.id).where(Category.code == "NSAF-CT-MISSING")).scalar_one()
        db.session.remove()
    return app, tracked, now.astimezone(TZ).date(), category_id


def test_one_update_reaches_fifty_tracking_pages_and_fifty_outbox_messages(world):
    app, tracked, today, category_id = world
    with serve(app) as base, chromium() as browser:
        staff = browser.new_context(locale="en-GB")
        staff.add_cookies([{"name": "lang", "value": "en", "url": base}])
        page = login(staff, base, "supervisor@nsaf.example.org", PASSWORD)
        page.goto(base + "/incidents/")
        page.fill("#title", "October Family Package payment failed in Kampong Thom")
        page.select_option("#category", str(category_id))
        page.select_option("#province", "06")
        page.fill("#period_start", (today - timedelta(days=5)).isoformat())
        page.fill("#period_end", today.isoformat())
        submit_form(page, "#declare-incident button[type=submit]")
        assert "Incident declared" in page.locator(".flash.success").inner_text()
        assert page.locator("#suggested-cases tbody tr").count() == CASES  # all 50 suggested, nothing else

        submit_form(page, "#link-filter button[type=submit]")
        assert "Cases linked: 50" in page.locator(".flash.success").inner_text()
        assert page.locator("#linked-count").inner_text() == str(CASES)
        assert page.locator("#linked-cases tbody tr").count() == CASES

        page.fill("#update-all textarea[name=message]", UPDATE)
        submit_form(page, "#update-all button[type=submit]")
        assert "Update sent to 50 linked cases" in page.locator(".flash.success").inner_text()

        with app.app_context():
            ids = [case_id for case_id, _ref, _code in tracked]
            messages = db.session.execute(select(OutboxMessage).where(OutboxMessage.case_id.in_(ids))).scalars().all()
            assert len(messages) == CASES and len({m.case_id for m in messages}) == CASES
            languages = {m.case_id: m.language for m in messages}
            cases = {c.id: c for c in db.session.execute(select(Case).where(Case.id.in_(ids))).scalars()}
            assert all(languages[i] == cases[i].language for i in ids)  # each in the complainant's language
            assert sum(1 for lang in languages.values() if lang == "en") == CASES // 5
            told = db.session.execute(
                select(func.count(func.distinct(Event.case_id))).where(
                    Event.case_id.in_(ids), Event.kind == "acknowledge"
                )
            ).scalar()
            assert told == CASES  # each case its own event (the first public update acknowledges)
            everyday = db.session.execute(select(Case).where(Case.id.not_in(ids))).scalars().all()
            assert len(everyday) == 2 and all(incidents.current_link(c) is None for c in everyday)
            assert all(c.status == "received" for c in everyday)
            assert audit.verify_record().ok
            db.session.remove()

        citizen = browser.new_context(viewport={"width": 360, "height": 780}, locale="km-KH")
        track = citizen.new_page()
        for _case_id, reference, code in tracked:
            track.goto(base + "/track")
            track.fill("#reference", reference)
            track.fill("#code", code)
            submit_form(track, "form button[type=submit]")
            timeline = track.locator("ol.timeline").inner_text()
            assert "ការបង់ប្រាក់ខែតុលានឹងធ្វើឡើងវិញ" in timeline and "made again on 3 November" in timeline, reference
