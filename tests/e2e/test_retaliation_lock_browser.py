"""A retaliation flag in a real browser: the union's monitor raises it, the fund's officer loses the
complainant's identity at once (the page and a direct POST), the council instructs the fund with a
due date, the officer answers on the case page, the council handles it with an outcome, and the
officer's access comes back."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from grievance.auth.service import create_user
from grievance.cases import service as svc
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from grievance.models import CaseFlag, Category, OutboxMessage
from grievance.monitoring import service as monitoring
from tests.e2e.live import chromium, file_app, login, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"
PHONE = "012 777 345"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _shot(page, name: str) -> None:
    """Screenshots for docs/screenshots: written when missing, refreshed with UPDATE_SCREENSHOTS=1."""
    target = SHOTS / name
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not target.exists():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(target), full_page=True)


@pytest.fixture()
def world(tmp_path):
    app = file_app(tmp_path)
    key = tracking_key(app.config["SECRET_KEY"])
    with app.app_context():
        union = create_user("union@example.org", PASSWORD, "monitor", name="Piseth", org_name="Informal Workers Union")
        admin = create_user("admin@example.org", PASSWORD, "admin", name="Admin")
        create_user("council@example.org", PASSWORD, "oversight", name="Sokha")
        officer = create_user("officer@nssf.example.org", PASSWORD, "officer", name="Vanna", fund_code="NSSF")
        informal = db.session.execute(select(Category).where(Category.code == "NSSF-INFORMAL")).scalar_one()
        monitoring.add_scope(union.organisation, admin, None, informal)
        now = datetime.now(timezone.utc)
        case = submit(
            Submission(
                category_code="NSSF-INFORMAL",
                description="ខ្ញុំជាអ្នកលក់ដូរ ហើយមិនទាន់បានការចុះឈ្មោះ។",
                province_code="12",
                identity_mode="confidential",
                name="ស្រីមុំ",
                phone=PHONE,
                consent_given=True,
            ),
            key=key,
            now=now - timedelta(days=2),
        ).case
        svc.acknowledge(case, officer, "យើងបានទទួល។", now=now - timedelta(days=1))
        db.session.commit()
        ids = case.id
        db.session.remove()
    return app, ids


def _identity_post(page, base: str, case_id: int) -> tuple[int, str]:
    """POST the identity form directly, with this session's CSRF token (the button may be gone)."""
    token = page.locator("input[name=csrf_token]").first.get_attribute("value")
    answer = page.context.request.post(
        f"{base}/cases/{case_id}/identity", form={"csrf_token": token, "reason": "contact"}, max_redirects=0
    )
    return answer.status, answer.text()


def test_a_retaliation_flag_locks_the_fund_out_until_the_council_handles_it(world):
    app, case_id = world
    with serve(app) as base, chromium() as browser:
        ctx = {
            name: browser.new_context(locale="en-GB", viewport={"width": 1000, "height": 900})
            for name in ("officer", "monitor", "council")
        }
        for context in ctx.values():
            context.add_cookies([{"name": "lang", "value": "en", "url": base}])
        officer = login(ctx["officer"], base, "officer@nssf.example.org", PASSWORD)
        officer.goto(f"{base}/cases/{case_id}")
        assert officer.locator("#show-identity").count() == 1, "the fund sees the complainant before the flag"
        status, shown = _identity_post(officer, base, case_id)
        assert status == 200 and PHONE in shown

        monitor = login(ctx["monitor"], base, "union@example.org", PASSWORD)
        monitor.goto(f"{base}/monitor/cases/{case_id}")
        monitor.select_option("#kind", "retaliation")
        monitor.fill("#note", "Her employer threatened her after she complained")
        submit_form(monitor, "#raise-flag")
        assert "no longer see the complainant" in monitor.content()

        officer.goto(f"{base}/cases/{case_id}")
        html = officer.content()
        assert officer.locator("#show-identity").count() == 0 and PHONE not in html
        assert "only the council may see the complainant" in html
        status, shown = _identity_post(officer, base, case_id)
        assert status in (403, 404) and PHONE not in shown, "refused by the service, not only hidden"

        council = login(ctx["council"], base, "council@example.org", PASSWORD)
        council.goto(f"{base}/oversight/flags")
        with app.app_context():
            flag_id = db.session.execute(select(CaseFlag.id).where(CaseFlag.case_id == case_id)).scalar_one()
            told = db.session.execute(select(OutboxMessage.recipient)).scalars().all()
        assert "council@example.org" in told and "officer@nssf.example.org" not in told
        council.fill(f"#instruction-{flag_id}", "Give the case to another officer and call her within the week")
        council.fill(f"#days-{flag_id}", "5")
        submit_form(council, f"#flag-{flag_id} form[action$='/instruct'] button")
        assert "Instruction sent to the fund" in council.content()

        officer.goto(f"{base}/cases/{case_id}")
        assert "Give the case to another officer" in officer.content()
        _shot(officer, "flag-instruction-case-page.png")
        officer.fill(f"#answer-{flag_id}", "Reassigned to a colleague; we called her on Monday")
        submit_form(officer, f"#answer-flag-{flag_id} button")
        assert "Your answer has been sent to the council" in officer.content()

        council.goto(f"{base}/oversight/flags")
        assert "Reassigned to a colleague" in council.content()
        _shot(council, "flag-council-page.png")
        council.fill(f"#outcome-{flag_id}", "Officer replaced; the complainant says she is safe")
        submit_form(council, f"#flag-{flag_id} form[action$='/handle'] button")
        assert "Flag handled" in council.content()

        officer.goto(f"{base}/cases/{case_id}")
        assert officer.locator("#show-identity").count() == 1, "the fund's access comes back once handled"
        timeline = officer.content()
        assert "Officer replaced; the complainant says she is safe" in timeline
        for context in ctx.values():
            context.close()
