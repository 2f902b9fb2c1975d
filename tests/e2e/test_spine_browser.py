"""The spine in a real browser: a citizen files in Khmer, the fund's officer answers, the citizen reads it.

Runs Chromium through Playwright against the app served by Werkzeug on 127.0.0.1, with a file
SQLite database and CSRF protection switched on, so every form is exercised as a person uses it.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from config import TestConfig
from grievance.domain.dates import MONTHS_KM
from tests.e2e.live import CHROMIUM, CHROMIUM_ARGS, file_in_steps, require_chromium

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT_360 = ROOT / "docs" / "screenshots" / "form-km-360.png"
PASSWORD = "a long browser password"
DESCRIPTION = "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភសម្រាប់កូនតូចរបស់ខ្ញុំ អស់រយៈពេលបីខែហើយ។ មេភូមិប្រាប់ថាឈ្មោះខ្ញុំមិនមានក្នុងបញ្ជី។"
ACK_MESSAGE = "យើងបានទទួលបណ្ដឹងរបស់អ្នក ហើយកំពុងពិនិត្យបញ្ជីឈ្មោះ។"
RESOLUTION = "ឈ្មោះរបស់អ្នកត្រូវបានបញ្ចូលវិញ។ ប្រាក់នឹងផ្ញើមកអ្នកនៅខែក្រោយ។"


@pytest.fixture()
def live_server(tmp_path):
    """The app on a free port of 127.0.0.1, with its own file database; yields (base_url, app)."""
    require_chromium()
    from werkzeug.serving import make_server

    from grievance import create_app
    from grievance.auth.service import create_user
    from grievance.extensions import db
    from grievance.seed import seed_reference

    class BrowserConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'browser.sqlite'}"
        WTF_CSRF_ENABLED = True

    app = create_app(BrowserConfig)
    with app.app_context():
        db.create_all()
        seed_reference()
        create_user("officer@nsaf.example.org", PASSWORD, "officer", name="Sok Dara", fund_code="NSAF")
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture()
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


def _publish_form_screenshot(taken: Path) -> None:
    """Keep docs/screenshots/form-km-360.png: written once, refreshed with UPDATE_SCREENSHOTS=1."""
    if os.environ.get("UPDATE_SCREENSHOTS") == "1" or not SCREENSHOT_360.exists():
        SCREENSHOT_360.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(taken, SCREENSHOT_360)


def _phone(browser):
    """A cheap phone: 360 px wide, no saved cookies."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=1, locale="km-KH")
    context.set_default_timeout(15_000)
    return context


def test_complaint_in_khmer_is_answered_by_the_fund_and_tracked_by_the_citizen(live_server, browser, tmp_path):
    base, _app = live_server
    shots = tmp_path / "screenshots"
    shots.mkdir()

    # 1. The citizen opens the form on a phone: it is in Khmer.
    citizen = _phone(browser)
    page = citizen.new_page()
    page.goto(base + "/")
    assert page.locator("h1").first.inner_text() == "ដាក់បណ្ដឹង"
    assert page.locator("html").get_attribute("lang") == "km"
    page.screenshot(path=str(shots / "0-form-km-360.png"), full_page=True)
    _publish_form_screenshot(shots / "0-form-km-360.png")
    # Nothing spills sideways on a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    # 2. They choose what happened and tell it in Khmer, one question per screen, staying anonymous.
    def each_step(step: str) -> None:
        if step == "identity":
            assert page.is_checked('input[name="identity_mode"][value="anonymous"]')
        if step == "check":
            page.screenshot(path=str(shots / "1-form-filled.png"), full_page=True)

    file_in_steps(page, base, category="NSAF-CT-MISSING", description=DESCRIPTION, on_step=each_step)

    # 3. The receipt: reference and tracking code, shown once.
    page.wait_for_selector(".receipt")
    assert page.locator("h1").first.inner_text() == "យើងបានទទួលបណ្ដឹងរបស់អ្នកហើយ"
    receipt = page.locator(".receipt").inner_text()
    reference = re.search(r"GRV-\d{4}-\d{6}", receipt).group(0)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt).group(0)
    assert "មូលនិធិជាតិជំនួយសង្គម" in page.content()  # sent to NSAF
    # The code is copied by hand: it must sit on one line, inside the box, on a 360 px screen.
    assert page.locator("strong.code").evaluate("e => e.getClientRects().length") == 1
    box, code_box = page.locator(".receipt").bounding_box(), page.locator("strong.code").bounding_box()
    assert code_box["x"] + code_box["width"] <= box["x"] + box["width"]
    page.screenshot(path=str(shots / "2-receipt.png"), full_page=True)
    page.reload()  # a reload must not file it twice
    citizen.close()

    # 4. The NSAF officer logs in and finds it in the queue with its due dates.
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(15_000)
    desk = staff.new_page()
    desk.goto(base + "/auth/login")
    desk.fill("#email", "officer@nsaf.example.org")
    desk.fill("#password", PASSWORD)
    desk.click("#submit")
    desk.goto(base + "/cases/")
    row = desk.locator("table.queue tbody tr", has_text=reference)
    assert row.count() == 1, "the case is not in the NSAF queue (or is there twice)"
    # The staff page is in Khmer too: days with Khmer month names («7 ធ្នូ 2026»).
    months = "|".join(MONTHS_KM)
    dates = [
        (int(y), MONTHS_KM.index(m) + 1, int(d))
        for d, m, y in re.findall(rf"(\d{{1,2}}) ({months}) (\d{{4}})", row.inner_text())
    ]
    # received (the queue's column since issue 16), then acknowledge-by and resolve-by
    assert len(dates) == 3 and dates[0] <= dates[1] <= dates[2], f"received, acknowledge-by, resolve-by: {dates}"
    assert "បានទទួល" in row.inner_text()  # status: received
    desk.screenshot(path=str(shots / "3-queue.png"), full_page=True)

    # 5. They open it, acknowledge, then resolve.
    row.locator("a", has_text=reference).click()
    desk.wait_for_selector("h1")
    assert reference in desk.locator("h1").inner_text()
    assert DESCRIPTION in desk.content()
    ack = desk.locator('form[action$="/acknowledge"]')
    ack.locator("textarea[name=message]").fill(ACK_MESSAGE)
    ack.locator("button[type=submit]").click()
    desk.wait_for_selector("p.flash.success")
    assert "បានទទួលស្គាល់" in desk.locator("p.flash.success").inner_text()

    resolve = desk.locator('form[action$="/resolve"]')
    resolve.locator("select[name=outcome]").select_option("remedied")
    resolve.locator("textarea[name=message]").fill(RESOLUTION)
    resolve.locator("button[type=submit]").click()
    desk.wait_for_selector("p.flash.success")
    assert "បានដោះស្រាយ" in desk.locator("p.flash.success").inner_text()
    steps = desk.locator("ol.timeline").first.locator("strong").all_inner_texts()
    assert steps == ["បានទទួល", "បានទទួលស្គាល់", "បានដោះស្រាយ"]
    desk.screenshot(path=str(shots / "4-case-resolved.png"), full_page=True)
    staff.close()

    # 6. The citizen, on another day, follows the complaint with the code and reads the answer.
    later = _phone(browser)
    track = later.new_page()
    track.goto(base + "/track")
    track.fill("#reference", reference)
    track.fill("#code", code)
    track.locator("form button[type=submit]").first.click()
    track.wait_for_selector("p.status")
    assert track.locator("h1").inner_text() == reference
    assert track.locator("p.status").inner_text() == "មូលនិធិបានឆ្លើយតបបណ្ដឹងរបស់អ្នកហើយ។"
    history = track.locator("ol.timeline").inner_text()
    assert ACK_MESSAGE in history and RESOLUTION in history
    assert "Sok Dara" not in track.content()  # no staff names on the public side
    track.screenshot(path=str(shots / "5-tracking.png"), full_page=True)
    later.close()

    for name in ("0-form-km-360", "1-form-filled", "2-receipt", "3-queue", "4-case-resolved", "5-tracking"):
        assert (shots / f"{name}.png").stat().st_size > 5_000
    assert SCREENSHOT_360.stat().st_size > 5_000
