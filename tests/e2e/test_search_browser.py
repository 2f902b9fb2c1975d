"""The officer's search in a real browser: a Khmer word from the middle of a description (Khmer is
written without spaces between words) finds that case in the queue's search box, and neither the
fund's case without the word nor another fund's case with the same word."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grievance.auth.service import create_user
from grievance.extensions import db
from grievance.intake.service import Submission, submit, tracking_key
from tests.e2e.live import chromium, file_app, login, serve
from tests.e2e.live import submit as submit_form

pytestmark = pytest.mark.browser
PASSWORD = "a long browser password"
WORD = "ឧបត្ថម្ភ"  # allowance
WITH_WORD = "ខ្ញុំរស់នៅភូមិត្រពាំងឃុំស្វាយទាន់មិនទាន់ទទួលបានប្រាក់ឧបត្ថម្ភខែតុលាទេសូមជួយពិនិត្យផង។"


@pytest.fixture()
def world(tmp_path):
    app = file_app(tmp_path)
    key = tracking_key(app.config["SECRET_KEY"])
    now = datetime.now(timezone.utc) - timedelta(days=1)
    with app.app_context():
        create_user("officer@nsaf.example.org", PASSWORD, "officer", name="Vanna", fund_code="NSAF")

        def case(category: str, description: str) -> str:
            receipt = submit(
                Submission(category_code=category, description=description, province_code="17"), key=key, now=now
            )
            return receipt.case.reference

        refs = {
            "mine": case("NSAF-CT-MISSING", WITH_WORD),
            "other_word": case("NSAF-CT-MISSING", "ឈ្មោះខុសនៅក្នុងបញ្ជីសូមកែតម្រូវ។"),
            "other_fund": case("NSSF-CONTRIB", "ក្រុមហ៊ុនមិនបានបង់ប្រាក់ឧបត្ថម្ភមាតុភាពឱ្យខ្ញុំទេ។"),
        }
        db.session.commit()
        db.session.remove()
    return app, refs


def test_an_officer_finds_a_case_by_a_khmer_word_from_the_middle_of_its_description(world):
    app, refs = world
    assert WORD in WITH_WORD and not WITH_WORD.startswith(WORD) and not WITH_WORD.endswith(WORD)
    with serve(app) as base, chromium() as browser:
        context = browser.new_context(locale="km-KH")
        page = login(context, base, "officer@nsaf.example.org", PASSWORD)
        page.goto(base + "/cases/")
        page.fill("form.search input[name=q]", WORD)
        submit_form(page, "form.search[role=search] button[type=submit]")
        results = page.locator("section.search-results")
        found = results.inner_text()
        assert refs["mine"] in found
        assert refs["other_word"] not in found
        assert refs["other_fund"] not in found  # the same word, another fund's case
        assert results.locator("li a").count() == 1
        submit_form(page, f"section.search-results a:has-text('{refs['mine']}')")
        assert refs["mine"] in page.locator("h1").inner_text()
        assert WORD in page.content()
