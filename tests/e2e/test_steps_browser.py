"""The stepped form in Chromium at 360 px with JavaScript turned off, as a cheap phone may have it.

A photo is attached at step 2, the district is changed at step 3, the back button is pressed, and
the receipt counts the photo; axe-core finds no serious problem on any step (axe needs scripts, so
each screen is also opened in a twin context that shares the cookies); every screen fits 360 px.
The receipt's language switch keeps the code on screen.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.e2e.live import chromium, file_app, next_step, phone_context, serve
from tests.e2e.test_intake_browser import SERIOUS, publish
from tests.intake import sample_files

pytestmark = pytest.mark.browser

DESCRIPTION = "ភ្នាក់ងារបើកប្រាក់កាត់លុយខ្ញុំ ២០០០០ រៀល រាល់ពេលបើកប្រាក់ឧបត្ថម្ភ។ នេះជារូបថតបង្កាន់ដៃ។"


@pytest.fixture()
def served(tmp_path):
    app = file_app(tmp_path, UPLOAD_DIR=str(tmp_path / "uploads"), SMS_PUBLIC_NUMBER="1280")
    with serve(app) as base, chromium() as browser:
        app.config["PUBLIC_BASE_URL"] = base  # what receipts print for following the complaint
        yield base, app, browser, tmp_path / "uploads"


def _axe(browser, context, url: str, where: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    twin = browser.new_context(viewport={"width": 360, "height": 780}, storage_state=context.storage_state())
    try:
        page = twin.new_page()
        page.goto(url)
        results = Axe().run(page)
        bad = [(v["id"], v["impact"]) for v in results.response["violations"] if v.get("impact") in SERIOUS]
        assert not bad, f"axe-core found serious problems on {where}: {bad}"
    finally:
        twin.close()


def _fits(page, where: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, f"{where} is wider than 360 px"


def test_the_stepped_form_without_javascript_keeps_the_photo_through_a_district_change(served):
    base, app, browser, uploads = served
    context = phone_context(browser, javascript=False)
    page = context.new_page()
    seen = []

    def check(step: str) -> None:
        seen.append(step)
        assert page.locator("h1").count() == 1
        _fits(page, step)
        _axe(browser, context, page.url, f"step {step}")
        publish(page, f"steps-{step}-km-360")

    page.goto(base + "/")
    check("what")
    page.check('input[name="category"][value="NSAF-CT-AMOUNT"]')
    next_step(page)

    # Step 2: the description and a photo (with GPS in its EXIF).
    check("story")
    page.fill("#description", DESCRIPTION)
    page.set_input_files(
        "#attachments", files=[{"name": "ការតវ៉ា.jpg", "mimeType": "image/jpeg", "buffer": sample_files.jpeg_with_gps()}]
    )
    next_step(page)

    # Step 3: province, district, commune — then the person changes the district.
    check("place")
    page.select_option("#province", "12")
    next_step(page, "district")
    page.select_option("#district", "1201")
    next_step(page, "commune")
    page.select_option("#commune", "120101")
    page.select_option("#district", "1202")  # not this one after all
    next_step(page, "commune")
    assert page.locator("#district").input_value() == "1202"
    assert "120101" not in page.locator("#commune").inner_html()  # the old district's communes are gone

    # The back button: step 2 shows the description and the photo still kept.
    page.go_back()
    page.go_back()
    page.go_back()
    page.go_back()
    assert page.url.endswith("/complaint/story")
    assert page.input_value("#description") == DESCRIPTION
    assert "ការតវ៉ា.jpg" in page.locator("main").inner_text()
    page.go_forward()
    page.goto(base + "/complaint/place")
    page.select_option("#commune", "120201")
    next_step(page)

    check("when")
    page.fill("#occurred_on-day", "3")
    page.select_option("#occurred_on-month", "2")
    page.fill("#occurred_on-year", "2026")
    next_step(page)
    check("card")
    next_step(page)
    check("identity")
    assert "មិនអាចរកវិញបានទេ" in page.locator("main").inner_text()  # a lost code cannot be recovered
    page.check('input[name="identity_mode"][value="confidential"]')
    next_step(page)
    check("contact")
    page.fill("#name", "ស្រី ពៅ")
    page.fill("#phone", "012 345 678")
    next_step(page)
    check("about")
    page.check("#idpoor")
    next_step(page)
    check("check")
    summary = page.locator("main").inner_text()
    assert DESCRIPTION in summary and "ការតវ៉ា.jpg" in summary and "3 កុម្ភៈ 2026" in summary
    next_step(page, "send")

    # The receipt counts the photo and says where to follow the complaint.
    page.wait_for_selector(".receipt")
    _fits(page, "the receipt")
    receipt = page.locator("main").inner_text()
    assert "ឯកសារភ្ជាប់៖ 1" in receipt
    assert f"{base}/track" in receipt and "1280" in receipt
    reference = re.search(r"GRV-\d{4}-\d{6}", receipt).group(0)
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt).group(0)
    publish(page, "steps-receipt-km-360")

    # The language switch: English words, the same code still on screen, no request made.
    page.click(".switch a.own")
    english = page.locator("main").inner_text()
    assert "Your complaint has been received" in english and code in english and reference in english
    assert "Files attached: 1" in english
    publish(page, "steps-receipt-en-360")
    assert seen == ["what", "story", "place", "when", "card", "identity", "contact", "about", "check"]

    from grievance.extensions import db
    from grievance.models import Case

    with app.app_context():
        case = db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
        assert (case.province_code, case.district_code, case.commune_code) == ("12", "1202", "120201")
        (attachment,) = case.attachments
        data = (uploads / attachment.stored_name).read_bytes()
        assert not sample_files.has_exif(data) and not sample_files.has_gps(data)
        assert case.complainant.name == "ស្រី ពៅ"
        db.session.remove()
    context.close()
