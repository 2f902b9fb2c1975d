"""Who may download which PDF: the council any scorecard, a supervisor only their fund's, nobody else."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import IdentityView
from tests.reports.scenario import at

URL = "/reports/2026-10/scorecard-{scope}-en.pdf"


def test_supervisor_downloads_own_funds_scorecard_but_not_another_funds(client, login_as):
    login_as("supervisor", fund="NSAF")
    own = client.get(URL.format(scope="NSAF"))
    assert own.status_code == 200 and own.mimetype == "application/pdf"
    assert own.data.startswith(b"%PDF")
    assert client.get(URL.format(scope="NSSF")).status_code == 404
    assert client.get(URL.format(scope="ALL")).status_code == 404


def test_council_downloads_the_all_funds_scorecard(client, login_as):
    login_as("oversight")
    response = client.get(URL.format(scope="ALL"))
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert "attachment" in response.headers["Content-Disposition"]


def test_officers_and_monitors_get_no_scorecard(client, login_as):
    login_as("officer", fund="NSAF")
    assert client.get(URL.format(scope="NSAF")).status_code == 404
    login_as("monitor")
    assert client.get(URL.format(scope="ALL")).status_code == 404
    assert client.get("/reports/").status_code == 404


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL.format(scope="ALL"))
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert client.get("/reports/").status_code == 302


def test_unknown_fund_or_bad_month_is_not_found(client, login_as):
    login_as("admin")
    assert client.get(URL.format(scope="NOPE")).status_code == 404
    assert client.get("/reports/2026-13/scorecard-ALL-en.pdf").status_code == 404


def test_archive_lists_months_that_have_cases(client, login_as, make):
    make.case(now=at(5, month=9))
    make.case(now=at(5, month=10))
    login_as("oversight")
    page = client.get("/reports/").get_data(as_text=True)
    assert "2026-10" in page and "2026-09" in page and "2026-08" not in page
    assert "/reports/2026-10/scorecard-ALL-km.pdf" in page


def test_supervisor_archive_offers_only_their_fund(client, login_as, make):
    make.case(now=at(5, month=10))
    login_as("supervisor", fund="NSAF")
    page = client.get("/reports/").get_data(as_text=True)
    assert "scorecard-NSAF-en.pdf" in page
    assert "scorecard-ALL" not in page and "scorecard-NSSF" not in page


def test_case_file_is_for_the_handling_funds_staff_only(client, login_as, make):
    case, _ = make.case("NSAF-CT-MISSING", identity_mode="named", name="Sok Dara", phone="012 345 678")
    login_as("officer", fund="NSSF")
    assert client.get(f"/reports/case/{case.id}.pdf").status_code == 404
    assert client.post(f"/reports/case/{case.id}.pdf", data={"reason": "contact"}).status_code == 404
    login_as("monitor")
    assert client.get(f"/reports/case/{case.id}.pdf").status_code == 404
    assert client.post(f"/reports/case/{case.id}.pdf", data={"reason": "contact"}).status_code == 404
    login_as("oversight")  # the council reads another fund's file, but never its complainant
    assert client.get(f"/reports/case/{case.id}.pdf").status_code == 200
    assert client.post(f"/reports/case/{case.id}.pdf", data={"reason": "contact"}).status_code == 404
    assert db.session.execute(select(IdentityView)).first() is None


def test_case_file_shows_the_timeline_and_identity_to_the_fund(client, login_as, make):
    from tests.reports.scenario import pdf_text_pages

    case, _ = make.case("NSAF-CT-MISSING", identity_mode="named", name="Sok Dara", phone="012 345 678")
    officer = login_as("officer", fund="NSAF")
    plain = client.get(f"/reports/case/{case.id}.pdf?lang=en")
    assert plain.status_code == 200
    text_plain = "\n".join(pdf_text_pages(plain.data))
    assert case.reference in text_plain and "Received" in text_plain
    assert "Sok Dara" not in text_plain and "Not shown" in text_plain  # a plain GET carries no identity
    assert db.session.execute(select(IdentityView)).first() is None
    no_reason = client.post(f"/reports/case/{case.id}.pdf?lang=en")
    assert no_reason.status_code == 303 and not no_reason.data.startswith(b"%PDF")
    response = client.post(f"/reports/case/{case.id}.pdf?lang=en", data={"reason": "legal"})
    assert response.status_code == 200
    text_all = "\n".join(pdf_text_pages(response.data))
    assert case.reference in text_all and "Sok Dara" in text_all and "Received" in text_all
    assert "on record for the council" in text_all
    (view,) = db.session.execute(select(IdentityView)).scalars().all()
    assert (view.user_id, view.reason, view.output) == (officer.id, "legal", "case_file")


def test_receipt_needs_the_right_code_and_never_prints_it(client, make):
    from tests.reports.scenario import pdf_text_pages

    case, code = make.case("NSAF-CT-MISSING")
    wrong = client.post("/reports/receipt.pdf", data={"reference": case.reference, "code": "WRONG-CODE-0000"})
    assert wrong.status_code == 404
    right = client.post("/reports/receipt.pdf", data={"reference": case.reference, "code": code})
    assert right.status_code == 200 and right.mimetype == "application/pdf"
    text_all = "\n".join(pdf_text_pages(right.data))
    assert case.reference in text_all
    assert code not in text_all
    db.session.rollback()


def test_tracking_page_offers_the_receipt_download(client, make):
    case, code = make.case("NSAF-CT-MISSING")
    page = client.post("/track", data={"reference": case.reference, "code": code}).get_data(as_text=True)
    assert 'action="/reports/receipt.pdf"' in page


def test_a_scorecard_built_ahead_by_the_cli_is_served_as_it_was_printed(app, client, login_as, tmp_path):
    before = app.config["REPORTS_DIR"]
    app.config["REPORTS_DIR"] = str(tmp_path)
    (tmp_path / "2026-10").mkdir()
    (tmp_path / "2026-10" / "scorecard-NSAF-km.pdf").write_bytes(b"%PDF-1.7 archived copy")
    try:
        login_as("supervisor", fund="NSAF")
        assert client.get("/reports/2026-10/scorecard-NSAF-km.pdf").data == b"%PDF-1.7 archived copy"
        assert client.get("/reports/2026-10/scorecard-NSSF-km.pdf").status_code == 404
    finally:
        app.config["REPORTS_DIR"] = before
