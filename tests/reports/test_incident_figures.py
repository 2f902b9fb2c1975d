"""Incident cases apart on the dashboard and the scorecard: 50 cases of one failed payment round and
ten everyday ones; each figure shows both numbers, as at the end of the period."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from sqlalchemy import select

from grievance.cases import incidents
from grievance.cases import service as svc
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models import Category
from grievance.oversight import figures
from grievance.reports import metrics, service
from tests.intake.helpers import text_of
from tests.reports.scenario import pdf_text_pages

OCTOBER = metrics.Month(2026, 10)
NOVEMBER = metrics.Month(2026, 11)


def _at(day: int, hour: int = 10, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=TZ)


@pytest.fixture()
def month(make):
    """50 incident cases (received 5-9 October, all still open) and 10 everyday ones (8 resolved on time)."""
    officer = make.user("officer", fund="NSAF")
    supervisor = make.user("supervisor", fund="NSAF")
    storm = [
        make.case("NSAF-CT-MISSING", now=_at(5 + n % 5, 8 + n % 8), province_code="06", commit=False)[0]
        for n in range(50)
    ]
    everyday = [
        make.case("NSAF-CT-AMOUNT", now=_at(1 + n % 2, 9 + n), province_code="12", commit=False)[0] for n in range(10)
    ]
    for n, case in enumerate(everyday[:8]):
        svc.acknowledge(case, officer, "seen", now=_at(5, 11))
        svc.start(case, officer, now=_at(5, 12))
        svc.resolve(case, officer, "remedied", "paid", now=_at(6 + n, 10))
    category = db.session.execute(select(Category.id).where(Category.code == "NSAF-CT-MISSING")).scalar_one()
    incident = incidents.declare(
        supervisor,
        title="October Family Package payment failed in Kampong Thom",
        category_id=category,
        province_code="06",
        period_start=date(2026, 10, 1),
        period_end=date(2026, 10, 31),
        now=_at(12),
    )
    assert incidents.link_by_filter(incident, supervisor, incidents.Filter.of(incident), now=_at(12, 11)) == 50
    db.session.commit()
    return {"storm": storm, "everyday": everyday, "incident": incident, "supervisor": supervisor}


def _expect_october(apart: dict) -> None:
    everyday, incident = apart["everyday"], apart["incident"]
    assert (everyday["received"], incident["received"]) == (10, 50)
    assert (everyday["backlog_total"], incident["backlog_total"]) == (2, 50)
    assert (everyday["resolved"], incident["resolved"]) == (8, 0)
    assert everyday["resolve_on_time"] == 8 and incident["resolve_on_time"] == 0
    # The point: everyday work resolved 8 of its 10 due cases on time; the storm's 50 do not drown it.
    assert everyday["resolve_due"] == 10 and everyday["resolve_on_time_pct"] == 80.0
    assert incident["resolve_due"] > 0 and incident["resolve_on_time_pct"] == 0.0
    assert (everyday["ack_on_time"], incident["ack_due"], incident["ack_on_time"]) == (8, 50, 0)


def test_the_scorecard_counts_incident_cases_apart(month):
    found = metrics.month_figures(OCTOBER)
    assert found["total"]["received"] == 60
    _expect_october(found["incidents"]["ALL"])
    _expect_october(found["incidents"]["NSAF"])
    assert found["incidents"]["NSSF"]["incident"]["received"] == 0
    per_fund = metrics.month_figures(OCTOBER, "NSAF")
    _expect_october(per_fund["incidents"]["NSAF"])


def test_the_dashboard_counts_incident_cases_apart(month, app):
    period = figures.Period(OCTOBER, OCTOBER)
    _expect_october(figures.dashboard(period)["incidents"])
    _expect_october(figures.dashboard(period, "NSAF")["incidents"])
    # the same as a row-by-row count of the cases that are not in the incident
    start, end = period.bounds()
    clock = figures._clock(OCTOBER.first_day(), OCTOBER)
    linked = {c.id for c in month["storm"]}
    rows = [r for r in metrics._case_rows(start, end, ["NSAF"]) if r.id not in linked]
    metrics._annotate(rows, start, end, clock)
    direct = metrics._case_block(rows, start, end, clock)
    apart = figures.compute(period, metrics._fund_codes(None), clock)["incidents"]["NSAF"]["everyday"]
    for key in ("received", "ack_due", "ack_on_time", "resolve_due", "resolve_on_time", "backlog_total"):
        assert apart[key] == direct[key], key


def test_a_case_linked_after_the_month_does_not_rewrite_it(month):
    late = month["everyday"][9]  # received in October, still open; linked in November
    svc.add_note(late, month["supervisor"], "same failure", now=_at(2, 9, month=11))
    incidents.link(month["incident"], month["supervisor"], late, now=_at(2, 10, month=11))
    db.session.commit()
    _expect_october(metrics.month_figures(OCTOBER)["incidents"]["ALL"])
    november = metrics.month_figures(NOVEMBER)["incidents"]["ALL"]
    assert november["incident"]["backlog_total"] == 51 and november["everyday"]["backlog_total"] == 1
    # unlinked again in December: from then on an everyday case
    incidents.unlink(month["incident"], month["supervisor"], late, now=_at(1, 10, month=12))
    db.session.commit()
    december = metrics.month_figures(metrics.Month(2026, 12))["incidents"]["ALL"]
    assert december["incident"]["backlog_total"] == 50 and december["everyday"]["backlog_total"] == 2


def test_the_dashboard_page_and_the_scorecard_pdf_show_both_numbers(month, app, client, login_as):
    login_as("oversight")
    client.set_cookie("lang", "en")
    page = text_of(client.get("/oversight/", query_string={"from": "2026-10", "to": "2026-10"}))
    assert 'id="incident-split"' in page
    table = page[page.index('id="incident-split"') :]
    assert "Excluding incident cases" in table and "Incident cases" in table
    assert '<td class="received">10</td>' in table and '<td class="received">50</td>' in table
    key = service.fingerprint_key(app.config["SECRET_KEY"])
    card = service.build_scorecard(OCTOBER, None, "en", key=key)
    cover = " ".join(pdf_text_pages(card.pdf)[0].split())
    assert "Everyday cases and mass-incident cases, counted apart" in cover
    assert "Excluding incident cases 10 Complaints received 80.0% Acknowledged on time 80.0%" in cover
    assert "Incident cases 50 Complaints received 0.0%" in cover
    assert "Resolved on time <5 Open at month end" in cover  # everyday backlog of 2: a small cell
