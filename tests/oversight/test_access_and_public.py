"""Who reaches the council's pages; the public transparency page and its CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta, timezone

import pytest

from grievance.cases import service as cases
from grievance.extensions import db as _db
from grievance.security import PUBLIC_ENDPOINTS
from grievance.transparency import service as transparency

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
COUNCIL_URLS = ["/oversight/", "/oversight/cases?figure=received&from=2026-03", "/oversight/cases/{id}/identity-views"]


@pytest.fixture()
def case(db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, identity_mode="named", name="Keo Sophea", phone="012 987 654")
    return case


@pytest.mark.parametrize("role", ["officer", "supervisor", "monitor"])
def test_only_the_council_opens_the_dashboard_and_identity_log(client, login_as, case, role):
    login_as(role)
    for url in COUNCIL_URLS:
        assert client.get(url.format(id=case.id)).status_code == 403, url


@pytest.mark.parametrize("role", ["oversight", "admin"])
def test_the_council_opens_them(client, login_as, case, role):
    login_as(role)
    for url in COUNCIL_URLS:
        assert client.get(url.format(id=case.id)).status_code == 200, url
    assert client.get("/oversight/cases?figure=nonsense").status_code == 404
    assert client.get("/oversight/cases?figure=received&province=99").status_code == 404


def test_anonymous_visitors_are_sent_to_login_except_on_the_transparency_page(client, case):
    for url in COUNCIL_URLS + ["/monitor/", "/admin/organisations/scopes", "/oversight/flags"]:
        response = client.get(url.format(id=case.id))
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    assert {"transparency.page", "transparency.figures_csv"} <= PUBLIC_ENDPOINTS
    assert client.get("/transparency").status_code == 200


def test_identity_log_lists_each_view_of_the_personal_data(client, login_as, make, case):
    officer = make.user("officer", fund="NSAF")
    cases.record_identity_view(case, officer, reason="contact", now=T0 + timedelta(hours=1))
    cases.record_identity_view(case, officer, reason="verify", output="case_file", now=T0 + timedelta(hours=2))
    _db.session.commit()
    login_as("oversight")
    page = client.get(f"/oversight/cases/{case.id}/identity-views?lang=en").get_data(as_text=True)
    assert page.count(officer.email) == 2
    assert "To contact the complainant about this complaint" in page and "Case file (PDF)" in page
    assert "Keo Sophea" not in page


def test_small_counts_are_shown_as_under_five(client, make, db):
    for i in range(3):
        make.case("HEALTH-FEE", now=T0 + timedelta(hours=i))
    for i in range(6):
        make.case("NSAF-CT-MISSING", now=T0 + timedelta(hours=i))
    page = client.get("/transparency?month=2026-03&lang=en").get_data(as_text=True)
    assert "&lt;5" in page and ">6<" in page
    rows = list(csv.DictReader(io.StringIO(client.get("/transparency/figures.csv").get_data(as_text=True))))
    by_fund = {r["fund"]: r for r in rows if r["month"] == "2026-03"}
    assert by_fund["HEALTH"]["received"] == "<5" and by_fund["NSAF"]["received"] == "6"
    assert by_fund["ALL"]["received"] == "9"


def test_transparency_page_speaks_khmer_and_english(client, make, db):
    make.case("HEALTH-FEE", now=T0)
    assert "How complaints are handled" in client.get("/transparency?lang=en").get_data(as_text=True)
    khmer = client.get("/transparency?lang=km").get_data(as_text=True)
    assert "How complaints are handled" not in khmer and '<html lang="km">' in khmer


def test_csv_cells_that_look_like_formulas_are_neutralised():
    row = dict.fromkeys(transparency.CSV_COLUMNS, "0")
    row.update({"month": "2026-03", "fund": '=HYPERLINK("http://x")', "received": "-2+3", "ack_due": "@SUM(A1)"})
    text = transparency.csv_text([row])
    parsed = list(csv.reader(io.StringIO(text)))[1]
    assert parsed[1] == '\'=HYPERLINK("http://x")' and parsed[2] == "'-2+3" and parsed[3] == "'@SUM(A1)"
