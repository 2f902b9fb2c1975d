"""Pause and resume through cases.service: the resolve due date moves out by paused working time."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from grievance.cases import service
from grievance.domain.calendar import WorkingCalendar
from grievance.models import ClosureDay, Event
from grievance.models.timeutil import from_db
from grievance.services.sweep import sweep

PP = ZoneInfo("Asia/Phnom_Penh")
DAY = 86400
CAL = WorkingCalendar()


def pp(*args: int) -> datetime:
    return datetime(*args, tzinfo=PP)


RECEIVED = pp(2026, 4, 10, 10, 0)  # Friday before Khmer New Year; NSAF-CT-MISSING: ack 2, resolve 15


def open_case(make, db, received=RECEIVED):
    officer = make.user("officer", fund="NSAF")
    case, _code = make.case("NSAF-CT-MISSING", now=received)
    service.acknowledge(case, officer, "ទទួលបានហើយ។", now=received + timedelta(hours=1))
    service.start(case, officer, now=received + timedelta(hours=2))
    db.session.commit()
    return case, officer


def test_case_starts_with_deadlines_across_khmer_new_year(make, db):
    case, _ = open_case(make, db)
    assert from_db(case.ack_due_at) == pp(2026, 4, 17, 23, 59, 59)
    assert from_db(case.resolve_due_at) == pp(2026, 5, 8, 23, 59, 59)
    assert case.paused_seconds == 0


def test_pause_over_new_year_moves_due_date_by_one_working_day(make, db):
    case, officer = open_case(make, db)
    service.request_info(case, officer, "សូមផ្ញើលេខកាត។", now=pp(2026, 4, 13, 10, 0))
    db.session.commit()
    assert case.status == "awaiting_info"
    assert from_db(case.paused_at) == pp(2026, 4, 13, 10, 0)
    assert from_db(case.resolve_due_at) == pp(2026, 5, 8, 23, 59, 59)  # unchanged while paused

    service.provide_info(case, None, "លេខកាត 123", now=pp(2026, 4, 17, 10, 0))
    db.session.commit()
    # Monday 10:00 → Friday 10:00 with 14-16 April off: 14 h + 10 h = one working day.
    assert case.status == "in_progress"
    assert case.paused_at is None
    assert case.paused_seconds == DAY
    assert from_db(case.resolve_due_at) == pp(2026, 5, 11, 23, 59, 59)  # Fri 8 May → Mon 11 May
    event = db.session.execute(select(Event).where(Event.kind == "provide_info")).scalar_one()
    payload = json.loads(event.payload)
    assert payload["paused_working_seconds"] == DAY
    assert datetime.fromisoformat(payload["resolve_due"]) == pp(2026, 5, 11, 23, 59, 59)
    assert event.public


def test_warning_moves_with_the_due_date(make, db):
    case, officer = open_case(make, db)
    warn_before = from_db(case.resolve_warn_at)
    service.request_info(case, officer, "?", now=pp(2026, 4, 20, 9, 0))
    service.provide_info(case, None, "!", now=pp(2026, 4, 22, 9, 0))
    db.session.commit()
    assert case.paused_seconds == 2 * DAY
    assert CAL.working_seconds_between(warn_before, from_db(case.resolve_warn_at)) == 2 * DAY


def test_weekend_pause_costs_no_working_time(make, db):
    case, officer = open_case(make, db)
    due = case.resolve_due_at
    service.request_info(case, officer, "?", now=pp(2026, 4, 18, 9, 0))  # Saturday
    service.provide_info(case, None, "!", now=pp(2026, 4, 19, 18, 0))  # Sunday
    db.session.commit()
    assert case.paused_seconds == 0
    assert case.resolve_due_at == due


def test_closure_day_added_by_administrator_is_not_paused_time(make, db):
    db.session.add(ClosureDay(day=date(2026, 4, 21), reason_en="Office closed", reason_km="ការិយាល័យបិទ"))
    db.session.commit()
    case, officer = open_case(make, db)
    service.request_info(case, officer, "?", now=pp(2026, 4, 20, 12, 0))
    service.provide_info(case, None, "!", now=pp(2026, 4, 22, 12, 0))
    db.session.commit()
    assert case.paused_seconds == DAY  # 12 h Monday, nothing on the closed Tuesday, 12 h Wednesday


def test_multiple_pauses_accumulate(make, db):
    case, officer = open_case(make, db)
    original_due = from_db(case.resolve_due_at)
    service.request_info(case, officer, "first question", now=pp(2026, 4, 20, 9, 0))
    service.provide_info(case, None, "first answer", now=pp(2026, 4, 20, 15, 0))
    service.request_info(case, officer, "second question", now=pp(2026, 4, 23, 10, 0))
    service.provide_info(case, None, "second answer", now=pp(2026, 4, 27, 10, 0))
    db.session.commit()
    # 6 h, then Thursday 10:00 → Monday 10:00 = 14 h + 24 h + 10 h = two working days.
    assert case.paused_seconds == 6 * 3600 + 2 * DAY
    new_due = from_db(case.resolve_due_at)
    assert CAL.working_seconds_between(original_due, new_due) == 6 * 3600 + 2 * DAY
    assert new_due == pp(2026, 5, 13, 5, 59, 59)  # Fri 8 May 23:59:59 + 2 d 6 h → Wed 13 May 05:59:59


def test_no_warning_or_breach_while_awaiting_the_complainant(make, db):
    case, officer = open_case(make, db)
    service.request_info(case, officer, "?", now=pp(2026, 5, 4, 9, 0))  # before the 80 % instant
    db.session.commit()
    report = sweep(now=pp(2026, 5, 20, 9, 0))  # past the original due date
    db.session.commit()
    assert "breach:resolve" not in report.counts and "warn:resolve" not in report.counts
    assert case.resolve_breached_at is None and case.resolve_warned_at is None
    assert case.sla_state == "on_track"


def test_resume_after_long_pause_then_breach_at_the_moved_deadline(make, db):
    case, officer = open_case(make, db)
    service.request_info(case, officer, "?", now=pp(2026, 5, 4, 9, 0))
    # Monday 4 May 09:00 → Monday 11 May 09:00 with 5 May (Royal Ploughing) off: four working days.
    service.provide_info(case, None, "!", now=pp(2026, 5, 11, 9, 0))
    db.session.commit()
    assert case.paused_seconds == 4 * DAY
    due = from_db(case.resolve_due_at)
    # Fri 8 May + 4 working days: 11, 12, 13, then 15 (14 May is the King's birthday).
    assert due == pp(2026, 5, 15, 23, 59, 59)
    assert "breach:resolve" not in sweep(now=due).counts
    db.session.commit()
    assert sweep(now=due + timedelta(seconds=1)).counts.get("breach:resolve") == 1
    db.session.commit()
    assert from_db(case.resolve_breached_at) == due


def test_pause_begun_after_the_deadline_keeps_the_breach(make, db):
    case, officer = open_case(make, db)
    due = from_db(case.resolve_due_at)  # Fri 8 May 23:59:59
    # Nobody ran the sweep; the officer asks a question on Tuesday 12 May, after the deadline.
    service.request_info(case, officer, "?", now=pp(2026, 5, 12, 9, 0))
    db.session.commit()
    report = sweep(now=pp(2026, 5, 12, 10, 0))
    db.session.commit()
    assert report.counts.get("breach:resolve") == 1
    assert from_db(case.resolve_breached_at) == due
    service.provide_info(case, None, "!", now=pp(2026, 5, 20, 9, 0))
    db.session.commit()
    assert from_db(case.resolve_due_at) == due  # the deadline is not moved past the breach
    assert case.resolve_breached_at is not None
    assert case.sla_state == "breached"


def test_request_info_refused_on_a_case_not_yet_acknowledged(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    with pytest.raises(service.TransitionRefused) as refused:
        service.request_info(case, officer, "?", now=RECEIVED + timedelta(hours=1))
    assert "'request_info' is not allowed while the case is received" in refused.value.reason
    db.session.rollback()
    db.session.refresh(case)
    assert case.paused_at is None and case.status == "received"


def test_answer_through_the_tracking_page_resumes_the_clock(make, db):
    case, officer = open_case(make, db)
    service.request_info(case, officer, "?", now=pp(2026, 4, 20, 9, 0))
    db.session.commit()
    service.add_information(case, "នេះជាចម្លើយ", now=pp(2026, 4, 21, 9, 0))
    db.session.commit()
    assert case.status == "in_progress"
    assert case.paused_at is None
    assert case.paused_seconds == DAY
    assert from_db(case.resolve_due_at) == pp(2026, 5, 11, 23, 59, 59)
    answer = db.session.execute(select(Event).where(Event.kind == "provide_info")).scalar_one()
    assert answer.actor_label == "complainant" and answer.actor_id is None
