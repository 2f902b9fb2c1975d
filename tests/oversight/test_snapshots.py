"""Stored dashboard figures: computed once, recomputed when a write reaches back, never served wrong."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from grievance.cases import service as cases
from grievance.extensions import db as _db
from grievance.models import Case, ClosureDay, FigureSnapshot, FigureTouch, User
from grievance.oversight import figures, snapshots
from grievance.reports import metrics
from grievance.reports.metrics import Month
from grievance.services.sweep import sweep
from tests.oversight.generate import generate, oracle

APRIL = Month(2026, 4)
PERIOD = figures.Period(APRIL, APRIL)


@pytest.fixture()
def world(db, make):
    return generate(make)


class Counting:
    """figures.compute, counting its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, period, funds, clock):
        self.calls += 1
        return figures.compute(period, funds, clock)


def fresh(period: figures.Period) -> dict:
    """The period's figures computed now, bypassing the store."""
    funds = metrics._fund_codes(None)
    data = figures.compute(period, funds, figures._clock(period.first.first_day(), period.last))
    return json.loads(json.dumps(data))


def stored_then_count(period=PERIOD) -> Counting:
    counting = Counting()
    snapshots.period_figures(period, counting)
    assert counting.calls == 1
    return counting


def test_an_ended_month_is_computed_once_and_served_as_computed(world):
    counting = Counting()
    first, at_first = snapshots.period_figures(PERIOD, counting)
    second, at_second = snapshots.period_figures(PERIOD, counting)
    assert counting.calls == 1
    assert first == second == fresh(PERIOD)
    assert at_first == at_second
    assert _db.session.execute(select(func.count()).select_from(FigureSnapshot)).scalar_one() == 1


def test_stored_dashboard_equals_the_events(world):
    figures.dashboard(PERIOD)  # stores April and the eleven months before it
    data = figures.dashboard(PERIOD)  # served from the store
    truth = oracle(2026, 4)["sets"]
    blocks = {b["code"]: b for b in data["funds"]} | {"ALL": data["total"]}
    for code, block in blocks.items():
        for figure in ("received", "resolved", "backlog_total", "breached_cases", "escalations"):
            assert block[figure] == len(truth.get(code, {}).get(figure, ())), (code, figure)
    assert data["total"] == fresh(PERIOD)["total"]


def _open_april_case() -> Case:
    start, end = APRIL.bounds()
    return (
        _db.session.execute(
            select(Case)
            .where(Case.received_at >= start, Case.received_at < end, Case.first_resolved_at.is_(None))
            .where(Case.status.in_(("acknowledged", "in_progress")))
            .order_by(Case.id)
        )
        .scalars()
        .first()
    )


def test_a_resolution_dated_in_an_ended_month_recomputes_it(world):
    before = figures.dashboard(PERIOD)["total"]
    case = _open_april_case()
    assert case is not None, "the generated April should leave an open case to resolve"
    officer = _db.session.execute(select(User).where(User.role == "officer", User.fund_id == case.fund_id)).scalar_one()
    march = figures.Period(Month(2026, 3), Month(2026, 3))
    counting = Counting()
    snapshots.period_figures(march, counting)
    assert counting.calls == 0  # stored with April's trend
    cases.resolve(case, officer, "remedied", "Paid in full.", now=datetime(2026, 4, 29, 3, 0, tzinfo=timezone.utc))
    _db.session.commit()
    latest = select(FigureTouch.earliest).order_by(FigureTouch.id.desc()).limit(1)
    assert _db.session.execute(latest).scalar_one() == datetime(2026, 4, 29, 3, 0)

    after = figures.dashboard(PERIOD)["total"]
    assert after == fresh(PERIOD)["total"]
    assert after["resolved"] == before["resolved"] + 1
    assert after["backlog_total"] == before["backlog_total"] - 1
    # March ended before the write's instant: still served from the store.
    snapshots.period_figures(march, counting)
    assert counting.calls == 0


def test_a_sweep_recording_breaches_at_past_deadlines_recomputes_the_month(world, make):
    # A case of early April that nobody acknowledged, and a sweep that runs only on 1 May.
    make.case("NSSF-INFORMAL", now=datetime(2026, 4, 6, 2, 0, tzinfo=timezone.utc))
    before = figures.dashboard(PERIOD)["total"]
    _db.session.execute(FigureTouch.__table__.delete())
    _db.session.commit()
    report = sweep(now=datetime(2026, 5, 1, 0, 30, tzinfo=timezone.utc))
    _db.session.commit()
    assert report.counts, "the sweep should record the missed deadlines"
    assert _db.session.execute(select(func.min(FigureTouch.earliest))).scalar_one() < APRIL.bounds()[1]
    data = figures.dashboard(PERIOD)
    assert data["total"] == fresh(PERIOD)["total"]
    assert data["total"]["breaches"]["acknowledge"] == before["breaches"]["acknowledge"] + 1
    assert data["by_province"] == {b["key"]: b for b in fresh(PERIOD)["breakdowns"]["ALL"]["by_province"]}


def test_an_approved_extension_moving_a_due_date_out_of_the_month_recomputes_it(world):
    start, end = APRIL.bounds()
    case = (
        _db.session.execute(
            select(Case)
            .where(Case.first_resolved_at.is_(None), Case.status.in_(("acknowledged", "in_progress")))
            .where(Case.resolve_due_at >= start, Case.resolve_due_at < end)
            .where(Case.fund_id.in_(select(User.fund_id).where(User.role == "supervisor")))
            .order_by(Case.id)
        )
        .scalars()
        .first()
    )
    assert case is not None, "the generated April should have an open case due in April"
    supervisor = _db.session.execute(
        select(User).where(User.role == "supervisor", User.fund_id == case.fund_id)
    ).scalar_one()
    officer = _db.session.execute(select(User).where(User.role == "officer", User.fund_id == case.fund_id)).scalar_one()
    when = case.received_at.replace(tzinfo=timezone.utc) + timedelta(hours=4)
    request = cases.request_extension(case, officer, 25, "Waiting for the payment list.", now=when)
    _db.session.commit()
    before = figures.dashboard(PERIOD)["total"]
    cases.decide_extension(request, supervisor, approve=True, note="Agreed.", now=when + timedelta(hours=2))
    _db.session.commit()
    assert case.resolve_due_at >= end  # 25 more working days take it out of April
    after = figures.dashboard(PERIOD)["total"]
    assert after == fresh(PERIOD)["total"]
    assert after["resolve_due"] == before["resolve_due"] - 1


def test_correcting_a_province_moves_the_case_in_every_stored_month(world):
    before = figures.dashboard(PERIOD)["by_province"]
    case = (
        _db.session.execute(
            select(Case).where(Case.province_code == "12", Case.received_at >= APRIL.bounds()[0]).order_by(Case.id)
        )
        .scalars()
        .first()
    )
    case.province_code = "25"
    _db.session.commit()
    after = figures.dashboard(PERIOD)["by_province"]
    assert after == {b["key"]: b for b in fresh(PERIOD)["breakdowns"]["ALL"]["by_province"]}
    assert after != before


def test_todays_work_does_not_touch_ended_months(world, make):
    counting = stored_then_count()
    _db.session.execute(FigureTouch.__table__.delete())
    _db.session.commit()
    make.case("HEALTH-FEE")  # received now
    assert _db.session.execute(select(func.count()).select_from(FigureTouch)).scalar_one() == 0
    snapshots.period_figures(PERIOD, counting)
    assert counting.calls == 1


def test_a_new_closure_day_is_never_served_stale(world):
    counting = stored_then_count()
    _db.session.add(ClosureDay(day=date(2026, 4, 22), reason_en="Flood", reason_km="ទឹកជំនន់"))
    _db.session.commit()
    data, _at = snapshots.period_figures(PERIOD, counting)
    assert counting.calls == 2
    assert data == fresh(PERIOD)


def test_the_current_month_is_reused_only_within_its_window(app, db, make):
    make.case("HEALTH-FEE")
    this_month = Month.containing(datetime.now(timezone.utc))
    period = figures.Period(this_month, this_month)
    app.config["DASHBOARD_LIVE_SECONDS"] = 60
    try:
        counting = stored_then_count(period)
        snapshots.period_figures(period, counting)
        assert counting.calls == 1  # within the minute: the stored figures
        row = _db.session.execute(select(FigureSnapshot)).scalar_one()
        row.computed_at -= timedelta(seconds=61)
        _db.session.commit()
        make.case("HEALTH-FEE")
        data, _at = snapshots.period_figures(period, counting)
        assert counting.calls == 2
        assert data["total"]["received"] == 2
    finally:
        app.config["DASHBOARD_LIVE_SECONDS"] = 0


def test_the_page_says_when_its_figures_were_computed(world, client, login_as):
    login_as("oversight")
    page = client.get("/oversight/?from=2026-04&to=2026-04").get_data(as_text=True)
    assert 'id="computed-at"' in page
    stored = _db.session.execute(select(FigureSnapshot.computed_at).order_by(FigureSnapshot.key)).scalars().all()
    assert len(stored) == 12  # April and the eleven months of its trend


def test_refresh_command_stores_recent_months_then_finds_them_right(app, db, make, runner):
    make.case("HEALTH-FEE")
    first = runner.invoke(args=["dashboard", "refresh", "--months", "3"])
    assert first.exit_code == 0, first.output
    assert first.output.count("computed") == 3
    assert _db.session.execute(select(func.count()).select_from(FigureSnapshot)).scalar_one() == 3
    app.config["DASHBOARD_LIVE_SECONDS"] = 3600
    try:
        again = runner.invoke(args=["dashboard", "refresh", "--months", "3"])
    finally:
        app.config["DASHBOARD_LIVE_SECONDS"] = 0
    assert again.output.count("stored earlier, still right") == 3, again.output
    gone = runner.invoke(args=["dashboard", "forget"])
    assert "dropped 3" in gone.output
