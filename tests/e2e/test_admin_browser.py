"""The admin area in a real browser (Chromium), with two-step login required as in production.

An administrator invites an officer; the officer sets a password from the e-mailed link and logs in;
the administrator disables them and their open session ends; the administrator adds a closure day
and an open case's due date on its public tracking page moves by one working day; a routing rule
added for one province routes the next complaint from there to the new fund, and
`flask routing explain` names that rule.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from grievance.domain import totp
from grievance.domain.calendar import WorkingCalendar, local_date
from tests.e2e.live import chromium, file_app, file_in_steps, serve, submit

pytestmark = pytest.mark.browser

ADMIN_EMAIL = "admin@council.example.org"
ADMIN_PASSWORD = "the administrator's long password"
OFFICER_EMAIL = "srey@nsaf.example.org"
OFFICER_PASSWORD = "the officer's own long password"


@pytest.fixture()
def world(tmp_path):
    """The app (two-step login required for admins), an admin with an authenticator, one open case."""
    from grievance.auth.service import create_user
    from grievance.extensions import db
    from grievance.intake.service import Submission, submit
    from grievance.models import Fund
    from grievance.security import tracking_key

    app = file_app(tmp_path, TWO_STEP_ROLES=("admin", "supervisor", "oversight"))
    secret = totp.new_secret()
    with app.test_request_context():
        admin = create_user(ADMIN_EMAIL, ADMIN_PASSWORD, "admin", name="Council Admin", locale="en")
        admin.totp_secret = secret
        receipt = submit(
            Submission(category_code="NSAF-CT-MISSING", description="ខ្ញុំមិនទាន់បានទទួលប្រាក់។", province_code="12"),
            key=tracking_key(),
        )
        case = (receipt.case.reference, receipt.tracking_code, receipt.case.resolve_due_at)
        ids = {code: str(ident) for code, ident in db.session.execute(select(Fund.code, Fund.id))}
        ids["category"] = str(receipt.case.category_id)
        db.session.commit()
        db.session.remove()
    return app, secret, case, ids


def _outbox_link(app, email: str) -> str:
    from grievance.extensions import db
    from grievance.models import OutboxMessage

    with app.app_context():
        body = db.session.execute(select(OutboxMessage.body).where(OutboxMessage.recipient == email)).scalar_one()
        db.session.remove()
    return re.search(r"http://\S+/auth/set-password\?token=\S+", body).group(0)


def _context(browser, base: str, **options):
    """A browser context reading the app in English (the language cookie the switch sets)."""
    context = browser.new_context(**options)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "lang", "value": "en", "url": base}])
    return context


def _admin_login(context, base: str, secret: str):
    page = context.new_page()
    page.goto(base + "/auth/login")
    page.fill("#email", ADMIN_EMAIL)
    page.fill("#password", ADMIN_PASSWORD)
    submit(page, "#submit")
    assert "/auth/totp" in page.url, "the administrator got in without a second factor"
    page.fill("#code", totp.code_at(secret, int(time.time() // 30)))
    submit(page, "#submit")
    assert page.url.endswith("/admin/"), page.url
    return page


def _due_on_tracking_page(context, base: str, reference: str, code: str) -> str:
    page = context.new_page()
    page.goto(base + "/track")
    page.fill("#reference", reference)
    page.fill("#code", code)
    submit(page, "form button[type=submit]")
    facts = page.locator("dl.facts").inner_text()
    page.close()
    return re.search(r"Answer due by\s*(\d{4}-\d{2}-\d{2})", facts).group(1)


def test_an_administrator_runs_the_system_without_a_developer(world, tmp_path):
    app, secret, (reference, code, _resolve_due), ids = world
    with serve(app) as base, chromium() as browser:
        app.config["PUBLIC_BASE_URL"] = base
        admin_ctx = _context(browser, base, viewport={"width": 1280, "height": 900})
        admin = _admin_login(admin_ctx, base, secret)

        # 1. Invite an officer of NSAF.
        admin.click("text=Users")
        admin.click("text=Invite someone")
        admin.fill("#email", OFFICER_EMAIL)
        admin.fill("#name", "Srey Mom")
        admin.select_option("#role", "officer")
        admin.select_option("#fund", ids["NSAF"])
        admin.select_option("#locale", "en")
        submit(admin, "#submit")
        assert "Invitation sent" in admin.locator("p.flash").inner_text()
        admin.screenshot(path=str(tmp_path / "1-invited.png"), full_page=True)

        # 2. The officer opens the e-mailed link, chooses a password and logs in.
        officer_ctx = _context(browser, base)
        officer = officer_ctx.new_page()
        officer.goto(_outbox_link(app, OFFICER_EMAIL))
        officer.fill("#new", OFFICER_PASSWORD)
        officer.fill("#confirm", OFFICER_PASSWORD)
        submit(officer, "#submit")
        assert officer.url.split("?")[0].endswith("/auth/login")
        officer.fill("#email", OFFICER_EMAIL)
        officer.fill("#password", OFFICER_PASSWORD)
        submit(officer, "#submit")
        assert officer.url.split("?")[0].endswith("/cases/"), officer.url
        assert reference in officer.content()  # the NSAF queue shows the open case

        # 3. The administrator disables the officer; the open session ends at its next request.
        admin.goto(base + "/admin/users?q=srey")
        admin.click("text=Srey Mom")
        submit(admin, "form[action$='/disable'] button")
        assert "disabled" in admin.locator("p.flash").inner_text()
        officer.reload()
        assert "/auth/login" in officer.url, "a disabled officer's session survived"
        officer.fill("#email", OFFICER_EMAIL)
        officer.fill("#password", OFFICER_PASSWORD)
        submit(officer, "#submit")
        assert "/auth/login" in officer.url and "not right" in officer.content()
        officer.goto(base + "/cases/")
        assert "/auth/login" in officer.url
        officer_ctx.close()

        # 4. A closure day inside the case's clocks: its due date on the tracking page moves by one working day.
        public = _context(browser, base)
        before = _due_on_tracking_page(public, base, reference, code)
        with app.app_context():
            from grievance.services.reference import working_calendar

            closure_day = working_calendar().add_working_days(local_date(datetime.now(timezone.utc)), 2)
        admin.goto(base + "/admin/")
        admin.click("text=Working calendar")
        admin.fill("#day-day", str(closure_day.day))  # day, month by name, year: no date picker
        admin.select_option("#day-month", str(closure_day.month))
        admin.fill("#day-year", str(closure_day.year))
        admin.fill("#reason_km", "ការបោះឆ្នោតឃុំ")
        admin.fill("#reason_en", "Commune election day")
        submit(admin, "#submit")
        assert "1 open cases' due dates move" in admin.locator("#moves").inner_text()
        admin.screenshot(path=str(tmp_path / "4-closure-preview.png"), full_page=True)
        submit(admin, "form button.primary")
        assert "Closure added" in admin.locator("p.flash").inner_text()
        after = _due_on_tracking_page(public, base, reference, code)
        calendar = WorkingCalendar({closure_day})
        assert after == calendar.next_working_day(datetime.fromisoformat(before).date()).isoformat() != before

        # 5. A routing rule for Siem Reap sends the next complaint from there to NSSF.
        admin.goto(base + "/admin/routing/")
        form = admin.locator("form[action$='/routing/rules']")
        form.locator("#category").select_option(ids["category"])
        form.locator("#province").select_option("17")
        form.locator("#fund").select_option(ids["NSSF"])
        form.locator("#before").select_option(index=1)  # before rule 1
        submit(admin, "form[action$='/routing/rules'] #submit")
        assert "Rule added" in admin.locator("p.flash").inner_text()
        admin.screenshot(path=str(tmp_path / "5-routing.png"), full_page=True)

        citizen = public.new_page()
        file_in_steps(
            citizen,
            base,
            category="NSAF-CT-MISSING",
            description="I have not received the cash support for three months.",
            province="17",
        )
        new_reference = re.search(r"GRV-\d{4}-\d{6}", citizen.locator(".receipt").inner_text()).group(0)
        assert "National Social Security Fund" in citizen.content()
        public.close()

        # The page's "which rule routes this?" answers the same.
        admin.goto(base + "/admin/routing/")
        check = admin.locator("form[method=get]")
        check.locator("#category").select_option(ids["category"])
        check.locator("#province").select_option("17")
        submit(admin, "form[method=get] button")
        assert "Rule 1 routes it to National Social Security Fund" in admin.locator("#answer").inner_text()
        # The admin home in Khmer, as the council's administrator reads it.
        admin.goto(base + "/lang/km?next=/admin/")
        assert admin.locator("h1").inner_text() != "Administration"
        admin.screenshot(path=str(tmp_path / "6-home-km.png"), full_page=True)
        admin_ctx.close()

    with app.app_context():
        from grievance.extensions import db
        from grievance.models import Case

        case = db.session.execute(select(Case).where(Case.reference == new_reference)).scalar_one()
        assert case.fund.code == "NSSF"
        db.session.remove()
    explained = app.test_cli_runner().invoke(
        args=["routing", "explain", "--category", "NSAF-CT-MISSING", "--province", "17"]
    )
    assert explained.exit_code == 0
    assert (
        explained.output.startswith("Rule 1 ") and "province 17" in explained.output and "-> NSSF" in explained.output
    )
    verified = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_an_administrator_chooses_khmer_digits_and_the_public_pages_follow(world, tmp_path):
    app, secret, (reference, code, _resolve_due), _ids = world
    with serve(app) as base, chromium() as browser:
        khmer = browser.new_context(viewport={"width": 360, "height": 800})
        khmer.set_default_timeout(15_000)
        khmer.add_cookies([{"name": "lang", "value": "km", "url": base}])

        def tracking_facts() -> str:
            page = khmer.new_page()
            page.goto(base + "/track")
            page.fill("#reference", reference)
            page.fill("#code", code)
            submit(page, "form button[type=submit]")
            facts = page.locator("dl.facts").inner_text()
            page.close()
            return facts

        assert re.search(r"\d{1,2} \S+ \d{4}", tracking_facts()) and not re.search("[០-៩]", tracking_facts())

        admin = _admin_login(_context(browser, base, viewport={"width": 1280, "height": 900}), base, secret)
        admin.click("a[href$='/admin/settings']")
        assert re.search("Khmer digits: [០-៩]", admin.locator("ul.examples").inner_text())
        admin.check("#khmer_digits")
        submit(admin, "#submit")
        assert "Saved" in admin.locator("p.flash").inner_text()
        assert admin.is_checked("#khmer_digits")
        assert ADMIN_EMAIL in admin.locator("ol.changes").inner_text()
        admin.screenshot(path=str(tmp_path / "settings.png"), full_page=True)

        facts = tracking_facts()
        assert re.search(r"[០-៩]{1,2} \S+ [០-៩]{4}", facts), facts  # ៧ ធ្នូ ២០២៦
