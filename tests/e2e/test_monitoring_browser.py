"""Monitoring in a real browser: a union monitor sees its scope redacted, follows a case and flags
"resolution disputed"; the NSSF supervisor is e-mailed (outbox); the flag is on the council's
dashboard; the council opens "cases with a breach, NSSF, this month" and lands on exactly those."""

from __future__ import annotations

import os
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import or_, select

from grievance.auth.service import create_user
from grievance.cases import service as svc
from grievance.domain.calendar import WorkingCalendar
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from grievance.models import Case, CaseFlag, Category, Fund, OutboxMessage
from grievance.monitoring import service as monitoring
from grievance.reports.metrics import Month
from grievance.services.sweep import sweep
from tests.e2e.live import chromium, file_app, login, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"
PHONE = "012 555 777"
NAME = "Sok Sreymom"
SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _working_days_ago(days: float) -> datetime:
    cal = WorkingCalendar()
    now = datetime.now(timezone.utc)
    moment = now
    while cal.working_days_between(moment, now) < days:
        moment -= timedelta(hours=3)
    return moment


def _month_start(month: Month) -> datetime:
    return month.bounds()[0].replace(tzinfo=timezone.utc)  # bounds() are naive UTC, as stored


def _breach_month() -> Month:
    """The month whose breaches the council opens: this month once a deadline can have passed in it,
    otherwise (its first working days) the month before, so the test never depends on today's date."""
    now = datetime.now(timezone.utc)
    this = Month.containing(now)
    if WorkingCalendar().working_days_between(_month_start(this), now) >= 4:
        return this
    return this.previous()


def _received_to_breach_in(month: Month, working_days_ago: float) -> datetime:
    """A receipt whose 2-working-day acknowledgement deadline passes inside `month`, before now."""
    if month == Month.containing(datetime.now(timezone.utc)):
        return _working_days_ago(working_days_ago)
    return _month_start(month) + timedelta(days=5, hours=working_days_ago)


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
    rng = random.Random(5)
    with app.app_context():
        union = create_user("union@example.org", PASSWORD, "monitor", name="Piseth", org_name="Informal Workers Union")
        admin = create_user("admin@example.org", PASSWORD, "admin", name="Admin")
        create_user("council@example.org", PASSWORD, "oversight", name="Sokha")
        supervisor = create_user("supervisor@nssf.example.org", PASSWORD, "supervisor", name="Chenda", fund_code="NSSF")
        officers = {
            code: create_user(f"officer@{code.lower()}.example.org", PASSWORD, "officer", name=code, fund_code=code)
            for code in ("NSAF", "NSSF", "HEALTH")
        }
        informal = db.session.execute(select(Category).where(Category.code == "NSSF-INFORMAL")).scalar_one()
        monitoring.add_scope(union.organisation, admin, None, informal)

        def new_case(category, received, province="12", **extra):
            return submit(
                Submission(category_code=category, province_code=province, **extra), key=key, now=received
            ).case

        # A year of background cases so the dashboard has something to show.
        categories = ["NSAF-CT-MISSING", "NSAF-ELIG", "NSSF-INFORMAL", "NSSF-CONTRIB", "HEALTH-FEE", "IDPOOR"]
        for _ in range(60):
            received = _working_days_ago(rng.uniform(4, 250))
            case = new_case(
                rng.choice(categories),
                received,
                province=f"{rng.randint(1, 25):02d}",
                description="ខ្ញុំមិនទាន់បានទទួលប្រាក់។",
                gender=rng.choice(["female", "male"]),
                idpoor=rng.random() < 0.5,
            )
            officer = officers.get(case.fund.code)
            if officer and rng.random() < 0.8:
                svc.acknowledge(case, officer, "យើងបានទទួល។", now=received + timedelta(hours=rng.uniform(2, 80)))
                if rng.random() < 0.7:
                    svc.start(case, officer, now=received + timedelta(hours=90))
                    svc.resolve(
                        case, officer, "remedied", "បានបើកប្រាក់។", now=received + timedelta(days=rng.uniform(5, 30))
                    )
        # NSSF cases of the breach month: two never acknowledged (breached), one on time.
        month = _breach_month()
        disputed = new_case(
            "NSSF-INFORMAL",
            _received_to_breach_in(month, 3.5),
            description=f"ខ្ញុំឈ្មោះ {NAME}។ ទូរស័ព្ទ {PHONE}។ គេថាខ្ញុំបាត់សមាជិកភាព។",
            identity_mode="named",
            name=NAME,
            phone=PHONE,
        )
        new_case("NSSF-INFORMAL", _received_to_breach_in(month, 3.2), description="បាត់សមាជិកភាព។")
        fresh = new_case("NSSF-INFORMAL", _working_days_ago(0.5), description="ទើបដាក់។")
        svc.acknowledge(fresh, officers["NSSF"], "យើងបានទទួល។")
        outside = new_case("NSAF-CT-MISSING", _working_days_ago(1), description="NSAF case, not in the union's scope")
        sweep()
        db.session.commit()
        data = {
            "disputed": (disputed.id, disputed.reference),
            "outside": outside.reference,
            "supervisor": supervisor.email,
            "month": month,
        }
    with serve(app) as base:
        yield app, base, data


def _nssf_breached_in(app, month: Month) -> set[int]:
    """Straight from the case columns: NSSF cases with a breach instant inside `month`."""
    start, end = month.bounds()
    with app.app_context():
        nssf = db.session.execute(select(Fund.id).where(Fund.code == "NSSF")).scalar_one()
        in_month = [
            (column >= start) & (column < end)
            for column in (Case.ack_breached_at, Case.resolve_breached_at, Case.loop_breached_at)
        ]
        return set(db.session.execute(select(Case.id).where(Case.fund_id == nssf, or_(*in_month))).scalars())


def test_union_monitor_follows_and_flags_and_the_council_lands_on_the_breached_cases(world):
    app, base, data = world
    case_id, reference = data["disputed"]
    with chromium() as browser:
        monitor = browser.new_context(locale="km-KH", viewport={"width": 1280, "height": 900})
        page = login(monitor, base, "union@example.org", PASSWORD)
        page.goto(base + "/monitor/?status=all")
        listing = page.content()
        assert reference in listing and data["outside"] not in listing
        page.click(f"a:text('{reference}')")
        page.wait_for_url(f"**/monitor/cases/{case_id}")
        text = page.inner_text("main")
        assert PHONE not in text and NAME not in text and "[•••]" in text
        _shot(page, "monitor-case-km.png")

        submit_form(page, "#follow")
        assert page.locator("#unfollow").count() == 1
        page.select_option("#kind", "disputed")
        submit_form(page, "#raise-flag")
        assert "មិនយល់ព្រមនឹងដំណោះស្រាយ" in page.inner_text(".flags")  # "Resolution disputed", in Khmer

        with app.app_context():
            flag = db.session.execute(select(CaseFlag).where(CaseFlag.case_id == case_id)).scalar_one()
            assert (flag.kind, flag.status) == ("disputed", "open")
            mails = db.session.execute(
                select(OutboxMessage).where(OutboxMessage.recipient == data["supervisor"])
            ).scalars()
            assert any(reference in m.subject for m in mails), "the NSSF supervisor was not e-mailed"

        council = browser.new_context(locale="km-KH", viewport={"width": 1280, "height": 900})
        page = login(council, base, "council@example.org", PASSWORD)
        month = data["month"]
        page.goto(f"{base}/oversight/?from={month}&to={month}")
        assert reference in page.inner_text("#flags")
        _shot(page, "dashboard-km.png")
        figure = page.locator('#by-fund a[data-figure="breached_cases"][data-fund="NSSF"]')
        shown = int(figure.inner_text())
        expected = _nssf_breached_in(app, month)
        assert len(expected) >= 2, "the fixture's two unacknowledged NSSF cases breach in this month"
        with page.expect_navigation():
            figure.click()
        listed = {int(i) for i in re.findall(r'<tr data-case="(\d+)">', page.content())}
        assert shown == len(listed) == int(page.inner_text("#drill-total"))
        assert listed == expected and case_id in listed
