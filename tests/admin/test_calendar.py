"""The working calendar: a closure day is previewed, then applied; each moved due date is an event on
its case and the complainant's tracking page shows the new date. Removing it moves the dates back."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.admin import calendar as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.guard import AdminRefused
from grievance.cases import service as cases
from grievance.domain.calendar import TZ, WorkingCalendar, local_date
from grievance.extensions import db
from grievance.models import Case, ClosureDay, Event
from grievance.models.timeutil import from_db
from grievance.oversight import figures, snapshots
from grievance.reports.metrics import Month
from grievance.services import audit, reference

NOW = datetime.now(timezone.utc)


def _working_day_ahead(after: int = 2) -> date:
    """A working day a few working days from today: inside a fresh case's clocks."""
    cal = reference.working_calendar()
    return cal.add_working_days(local_date(NOW), after)


def _closure_form(day: date, **extra) -> dict:
    return {
        "calendar": svc.calendar_version(),
        "day": day.isoformat(),
        "reason_km": "ការបោះឆ្នោតឃុំ",
        "reason_en": "Commune election day",
        **extra,
    }


def _track(client, case, code):
    return client.post("/track", data={"reference": case.reference, "code": code}).get_data(as_text=True)


def test_a_closure_moves_open_cases_due_dates_by_one_working_day_and_the_tracking_page_says_so(
    admin_client, client, make
):
    open_case, code = make.case("NSAF-CT-MISSING")
    answered, _code = make.case("NSAF-CT-MISSING")
    officer = make.user("officer", fund="NSAF")
    cases.acknowledge(answered, officer, "Seen.")
    cases.resolve(answered, officer, "remedied", "Paid.")
    db.session.commit()
    day = _working_day_ahead(1)
    old_resolve, old_ack = from_db(open_case.resolve_due_at), from_db(open_case.ack_due_at)
    answered_due = answered.resolve_due_at

    preview = admin_client.post("/admin/calendar/preview", data=_closure_form(day))
    assert preview.status_code == 200
    assert 'id="moves"' in preview.get_data(as_text=True)
    assert svc.preview(day, True).cases == 1
    assert db.session.execute(select(ClosureDay)).first() is None, "the preview changed the calendar"

    applied = admin_client.post("/admin/calendar/closures", data=_closure_form(day))
    assert applied.status_code == 303
    db.session.expire_all()
    moved = db.session.get(Case, open_case.id)
    cal = WorkingCalendar({day})
    assert from_db(moved.resolve_due_at) == cal.deadline(from_db(moved.received_at), 15)
    assert from_db(moved.resolve_due_at) == datetime.combine(
        cal.next_working_day(local_date(old_resolve)), old_resolve.astimezone(TZ).timetz()
    ).astimezone(timezone.utc)
    assert from_db(moved.ack_due_at) == cal.deadline(from_db(moved.received_at), 2) != old_ack
    assert db.session.get(Case, answered.id).resolve_due_at == answered_due, "a finished clock moved"

    (event,) = [e for e in audit.case_events(open_case.id) if e.kind == svc.EVENT]
    assert event.public and json.loads(event.payload)["day"] == day.isoformat()
    page = _track(client, moved, code)
    new_day = local_date(from_db(moved.resolve_due_at)).isoformat()
    assert new_day in page and local_date(old_resolve).isoformat() not in page.split("History")[0]
    assert "Commune election day" in page or "ការបោះឆ្នោតឃុំ" in page
    assert audit.verify_chain().ok


def test_removing_the_closure_moves_the_dates_back(admin, make):
    case, _code = make.case("NSSF-INJURY")
    original = (case.ack_due_at, case.resolve_due_at, case.resolve_warn_at)
    day = _working_day_ahead(3)
    closure, moved = svc.add(admin, svc.calendar_version(), day, reason_en="Flood", reason_km="ទឹកជំនន់")
    db.session.commit()
    assert moved == 1
    assert svc.remove(admin, svc.calendar_version(), closure) == 1
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Case, case.id)
    assert (again.ack_due_at, again.resolve_due_at, again.resolve_warn_at) == original
    kinds = [e.kind for e in audit.case_events(case.id)]
    assert kinds.count(svc.EVENT) == 2


def test_the_keep_in_loop_date_moves_from_the_last_public_update(admin, make):
    case, _code = make.case("NSAF-CT-MISSING")
    cases.acknowledge(case, make.user("officer", fund="NSAF"), "We have it.")
    db.session.commit()
    loop_due, ack_due = case.loop_due_at, case.ack_due_at
    day = _working_day_ahead(4)
    svc.add(admin, svc.calendar_version(), day, reason_en="Flood", reason_km="ទឹកជំនន់")
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(Case, case.id)
    assert again.loop_due_at > loop_due and again.ack_due_at == ack_due  # acknowledged: that clock stopped


def test_a_day_that_passed_a_weekend_or_a_closure_already_there_is_refused(admin):
    today = local_date(NOW)
    with pytest.raises(Invalid):
        svc.add(admin, svc.calendar_version(), today - timedelta(days=1), reason_en="x", reason_km="x")
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    with pytest.raises(Invalid):
        svc.add(admin, svc.calendar_version(), saturday, reason_en="x", reason_km="x")
    day = _working_day_ahead(2)
    svc.add(admin, svc.calendar_version(), day, reason_en="x", reason_km="x")
    with pytest.raises(Invalid):
        svc.check_new_closure(day, NOW)


def test_a_preview_made_on_another_calendar_is_refused_at_apply(admin_client, admin, make):
    make.case("NSAF-CT-MISSING")
    form = _closure_form(_working_day_ahead(5))
    svc.add(admin, svc.calendar_version(), _working_day_ahead(2), reason_en="x", reason_km="x")
    db.session.commit()
    response = admin_client.post("/admin/calendar/closures", data=form)
    assert response.status_code == 409, "a closure was applied on a calendar its preview did not see"
    assert db.session.execute(select(ClosureDay).where(ClosureDay.day == _working_day_ahead(6))).first() is None
    assert b"Commune election day" in response.data  # the typed reason is kept on the new preview


def test_the_dashboard_figures_are_computed_again_under_the_new_calendar(app, admin, make, monkeypatch):
    monkeypatch.setitem(app.config, "DASHBOARD_LIVE_SECONDS", 3600)
    make.case("HEALTH-FEE")
    day = _working_day_ahead(1)
    month = Month(day.year, day.month)
    period = figures.Period(month, month)
    calls = []

    def compute(p, funds, clock):
        calls.append(1)
        return figures.compute(p, funds, clock)

    snapshots.period_figures(period, compute)
    snapshots.period_figures(period, compute)
    assert len(calls) == 1
    svc.add(admin, svc.calendar_version(), day, reason_en="Flood", reason_km="ទឹកជំនន់")
    db.session.commit()
    snapshots.period_figures(period, compute)
    assert len(calls) == 2, "figures computed on the old calendar were served"


def test_calendar_verbs_refuse_a_non_administrator(make, admin):
    supervisor = make.user("supervisor")
    day = _working_day_ahead(2)
    with pytest.raises(AdminRefused):
        svc.add(supervisor, svc.calendar_version(), day, reason_en="x", reason_km="x")
    closure, _n = svc.add(admin, svc.calendar_version(), day, reason_en="x", reason_km="x")
    db.session.commit()
    with pytest.raises(AdminRefused):
        svc.remove(supervisor, svc.calendar_version(), closure)


def test_the_year_lists_public_holidays_in_both_languages_and_closures(admin_client):
    page = admin_client.get(f"/admin/calendar/?year={NOW.year + 1}&lang=en").get_data(as_text=True)
    assert "Khmer New Year" in page
    assert "ពិធីបុណ្យចូលឆ្នាំថ្មី" in admin_client.get(f"/admin/calendar/?year={NOW.year + 1}&lang=km").get_data(as_text=True)


def test_an_officer_acting_at_the_same_time_is_not_lost(admin, make):
    """The closure's update is conditional on each case's version; a case changed meanwhile is read again."""
    case, _code = make.case("NSAF-CT-MISSING")
    day = _working_day_ahead(3)
    old, new = svc._calendars(day, closing=True)
    row = db.session.execute(select(*[getattr(Case, n) for n in svc.COLUMNS]).where(Case.id == case.id)).one()
    cases.add_note(case, make.user("officer", fund="NSAF"), "Called the commune.")  # version moves on
    db.session.commit()
    move = svc.move_of(row, day, old, new)
    assert not svc._write(row, move), "a stale write was applied"
    db.session.rollback()
    with pytest.raises(EditConflict):
        svc.add(admin, "stale", day, reason_en="x", reason_km="x")
    db.session.rollback()
    svc.add(admin, svc.calendar_version(), day, reason_en="x", reason_km="x")
    db.session.commit()
    kinds = [e.kind for e in db.session.execute(select(Event).where(Event.case_id == case.id)).scalars()]
    assert "note" in kinds and svc.EVENT in kinds
