"""The SLA sweep with a fixed clock: warn at 80 %, breach after the due instant, escalate 5 days later."""

from __future__ import annotations

import json
import threading
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select

from config import TestConfig
from grievance import create_app
from grievance.cases import service
from grievance.domain import sla
from grievance.domain.calendar import WorkingCalendar
from grievance.extensions import db as _db
from grievance.models import Case, ClosureDay, Event
from grievance.models.timeutil import from_db
from grievance.seed import seed_reference
from grievance.services.audit import verify_chain
from grievance.services.sweep import sweep
from tests.factories import Factory

PP = ZoneInfo("Asia/Phnom_Penh")
SECOND = timedelta(seconds=1)


def pp(*args: int) -> datetime:
    return datetime(*args, tzinfo=PP)


RECEIVED = pp(2026, 4, 10, 10, 0)  # Friday before Khmer New Year
ACK_WARN = pp(2026, 4, 17, 11, 35, 59)  # 80 % of the working time to the ack deadline
ACK_DUE = pp(2026, 4, 17, 23, 59, 59)
ESCALATE = pp(2026, 4, 24, 23, 59, 59)  # 5 working days after the ack deadline


def run(db, now):
    report = sweep(now=now)
    db.session.commit()
    return report


def events_table(db) -> list[tuple]:
    """Every row and column of the events table."""
    return [tuple(row) for row in db.session.execute(select(*Event.__table__.columns).order_by(Event.seq))]


def sla_events(db, case) -> list[tuple[str, dict]]:
    rows = db.session.execute(
        select(Event.kind, Event.payload)
        .where(Event.case_id == case.id, Event.kind.in_(["sla_warning", "sla_breach", "escalated"]))
        .order_by(Event.seq)
    )
    return [(kind, json.loads(payload)) for kind, payload in rows]


def test_case_deadlines_as_stored(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    assert from_db(case.ack_warn_at) == ACK_WARN
    assert from_db(case.ack_due_at) == ACK_DUE


def test_nothing_happens_before_the_80_percent_instant(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    report = run(db, ACK_WARN - SECOND)
    assert report.counts == {}
    assert case.ack_warned_at is None and case.sla_state == "on_track"
    assert sla_events(db, case) == []


def test_warning_at_80_percent_on_the_right_working_day(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    # Before Khmer New Year the warning is not due, though four calendar days have passed.
    assert run(db, pp(2026, 4, 16, 23, 0)).counts == {}
    report = run(db, ACK_WARN)
    assert report.counts == {"warn:acknowledge": 1}
    db.session.refresh(case)
    assert case.sla_state == "at_risk"
    assert from_db(case.ack_warned_at) == ACK_WARN
    assert sla_events(db, case) == [("sla_warning", {"clock": "acknowledge", "due": "2026-04-17T16:59:59+00:00"})]


def test_breach_just_after_the_due_instant_and_not_before(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    run(db, ACK_WARN)
    assert run(db, ACK_DUE).counts == {}
    db.session.refresh(case)
    assert case.ack_breached_at is None and case.sla_state == "at_risk"

    assert run(db, ACK_DUE + SECOND).counts == {"breach:acknowledge": 1}
    db.session.refresh(case)
    assert case.sla_state == "breached"
    assert from_db(case.ack_breached_at) == ACK_DUE
    assert from_db(case.escalate_at) == ESCALATE
    kinds = [kind for kind, _ in sla_events(db, case)]
    assert kinds == ["sla_warning", "sla_breach"]


def test_escalation_five_working_days_after_the_breach(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    run(db, ACK_DUE + SECOND)
    assert run(db, pp(2026, 4, 23, 12, 0)).counts == {}
    assert run(db, ESCALATE).counts == {}
    db.session.refresh(case)
    assert case.escalated_at is None

    assert run(db, ESCALATE + SECOND).counts == {"escalate:case": 1}
    db.session.refresh(case)
    assert case.sla_state == "escalated"
    assert from_db(case.escalated_at) == ESCALATE
    escalation = db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.kind == "escalated")
    ).scalar_one()
    assert escalation.public and escalation.actor_label == "system"


def test_one_late_run_records_warning_breach_and_escalation_at_their_own_instants(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    report = run(db, pp(2026, 4, 27, 9, 0))
    assert report.counts == {"warn:acknowledge": 1, "breach:acknowledge": 1, "escalate:case": 1}
    db.session.refresh(case)
    assert from_db(case.ack_warned_at) == ACK_WARN
    assert from_db(case.ack_breached_at) == ACK_DUE
    assert from_db(case.escalated_at) == ESCALATE
    assert case.sla_state == "escalated"


def test_second_run_at_the_same_instant_changes_nothing(make, db):
    for i in range(3):
        make.case("NSAF-CT-MISSING", now=RECEIVED + timedelta(hours=i))
    make.case("HEALTH-DENIED", now=RECEIVED)
    now = pp(2026, 5, 12, 9, 0)
    first = run(db, now)
    assert first.counts["breach:acknowledge"] == 4
    assert first.counts["escalate:case"] == 4
    before_events = events_table(db)
    before_cases = [
        (c.id, c.version, c.sla_state, c.ack_breached_at, c.resolve_warned_at, c.escalated_at)
        for c in db.session.execute(select(Case).order_by(Case.id)).scalars()
    ]
    second = run(db, now)
    assert second.counts == {}
    assert events_table(db) == before_events
    after_cases = [
        (c.id, c.version, c.sla_state, c.ack_breached_at, c.resolve_warned_at, c.escalated_at)
        for c in db.session.execute(select(Case).order_by(Case.id)).scalars()
    ]
    assert after_cases == before_cases
    assert verify_chain().ok


def test_acknowledged_case_is_never_warned_on_the_ack_clock(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=RECEIVED + timedelta(hours=3))
    db.session.commit()
    assert run(db, ACK_DUE + timedelta(days=1)).counts == {}
    db.session.refresh(case)
    assert case.ack_warned_at is None and case.ack_breached_at is None


def test_keep_in_loop_breach_after_ten_silent_working_days(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=RECEIVED + timedelta(hours=1))
    db.session.commit()
    loop_due = from_db(case.loop_due_at)
    assert loop_due == pp(2026, 4, 29, 23, 59, 59)
    assert "breach:keep_in_loop" not in run(db, loop_due).counts
    assert run(db, loop_due + SECOND).counts.get("breach:keep_in_loop") == 1
    db.session.refresh(case)
    assert case.sla_state == "breached"
    # A new public update opens a fresh gap, which can be breached again later.
    service.public_update(case, officer, "still working", now=pp(2026, 4, 30, 9, 0))
    db.session.commit()
    second_due = from_db(case.loop_due_at)
    assert run(db, second_due).counts.get("breach:keep_in_loop") is None
    assert run(db, second_due + SECOND).counts.get("breach:keep_in_loop") == 1


def test_closure_day_delays_the_warning_and_the_breach(make, db):
    db.session.add(ClosureDay(day=date(2026, 4, 17), reason_en="Closed", reason_km="បិទ"))
    db.session.commit()
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    assert from_db(case.ack_due_at) == pp(2026, 4, 20, 23, 59, 59)
    assert run(db, ACK_DUE + SECOND).counts == {}
    assert run(db, pp(2026, 4, 20, 23, 59, 59) + SECOND).counts == {"warn:acknowledge": 1, "breach:acknowledge": 1}


def test_breach_is_not_undone_by_a_later_pause_and_resume(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=RECEIVED + timedelta(hours=1))
    service.start(case, officer, now=RECEIVED + timedelta(hours=2))
    db.session.commit()
    due = from_db(case.resolve_due_at)
    assert run(db, due + SECOND).counts.get("breach:resolve") == 1
    service.request_info(case, officer, "?", now=due + timedelta(days=1))
    service.provide_info(case, None, "!", now=due + timedelta(days=10))
    db.session.commit()
    run(db, due + timedelta(days=10, hours=1))
    db.session.refresh(case)
    assert from_db(case.resolve_breached_at) == due
    assert case.sla_state in ("breached", "escalated")
    assert case.breached


def test_breach_is_not_undone_by_a_later_extension(make, db):
    officer = make.user("officer", fund="NSAF")
    supervisor = make.user("supervisor", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=RECEIVED + timedelta(hours=1))
    db.session.commit()
    due = from_db(case.resolve_due_at)
    assert run(db, due + SECOND).counts.get("breach:resolve") == 1
    # The supervisor then approves 10 more working days.
    request = service.request_extension(case, officer, 10, "waiting for the bank", now=due + timedelta(hours=2))
    service.decide_extension(request, supervisor, True, "approved", now=due + timedelta(hours=3))
    db.session.commit()
    db.session.refresh(case)
    assert from_db(case.resolve_due_at) == sla.extend(due, 10, WorkingCalendar())
    report = run(db, due + timedelta(days=1))
    db.session.refresh(case)
    assert "breach:resolve" not in report.counts
    assert from_db(case.resolve_breached_at) == due
    assert case.sla_state in ("breached", "escalated")
    resolve_breaches = [p for kind, p in sla_events(db, case) if kind == "sla_breach" and p["clock"] == "resolve"]
    assert len(resolve_breaches) == 1
    extension = db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.kind == "decide_extension")
    ).scalar_one()
    assert json.loads(extension.payload)["approved"] is True


def test_resolved_and_closed_cases_are_left_alone(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=RECEIVED + timedelta(hours=1))
    service.resolve(case, officer, "remedied", "paid", now=RECEIVED + timedelta(days=1))
    db.session.commit()
    report = run(db, pp(2026, 7, 1, 9, 0))
    assert report.counts == {}
    assert report.examined == 0


def test_complaint_sent_friday_evening_utc_is_received_on_saturday_in_phnom_penh(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=datetime(2026, 4, 10, 20, 0, tzinfo=timezone.utc))
    # Saturday 03:00 local: the clock starts on Monday 13; 14-16 April are Khmer New Year.
    assert from_db(case.ack_due_at) == ACK_DUE
    # 80 % of Monday + Friday (172,799 s) is 138,239 s: all of Monday, then Friday until 14:23:59.
    assert from_db(case.ack_warn_at) == pp(2026, 4, 17, 14, 23, 59)
    assert run(db, pp(2026, 4, 17, 14, 23, 58)).counts == {}
    assert run(db, pp(2026, 4, 17, 14, 23, 59)).counts == {"warn:acknowledge": 1}


def test_thursday_evening_utc_is_friday_in_phnom_penh(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=datetime(2026, 4, 9, 20, 0, tzinfo=timezone.utc))
    # Friday 03:00 local: two working days are Monday 13 and Friday 17 (not Friday 10 and Monday 13).
    assert from_db(case.ack_due_at) == ACK_DUE


def test_new_year_eve_utc_is_already_next_year_in_phnom_penh(make, db):
    case, _ = make.case("NSAF-CT-MISSING", now=datetime(2026, 12, 31, 18, 0, tzinfo=timezone.utc))
    assert case.reference == "GRV-2027-000001"
    # 1 January is a holiday; Jan 4 and 5 are the two working days.
    assert from_db(case.ack_due_at) == pp(2027, 1, 5, 23, 59, 59)


def test_two_sweeps_running_at_once_record_everything_exactly_once(tmp_path):
    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'sweep.sqlite'}"

    app = create_app(FileConfig)
    with app.app_context():
        _db.create_all()
        seed_reference()
        _db.session.commit()
        factory = Factory(app)
        for i in range(5):
            factory.case("NSAF-CT-MISSING", now=RECEIVED + timedelta(minutes=i))
        _db.session.remove()

    now = pp(2026, 4, 27, 9, 0)  # past warning, breach and escalation of the ack clock
    reports, errors = [], []
    barrier = threading.Barrier(3)

    def run_sweep() -> None:
        try:
            with app.app_context():
                barrier.wait()
                reports.append(sweep(now=now).counts)
                _db.session.commit()
                _db.session.remove()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run_sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    totals: dict[str, int] = {}
    for counts in reports:
        for key, n in counts.items():
            totals[key] = totals.get(key, 0) + n
    assert totals == {"warn:acknowledge": 5, "breach:acknowledge": 5, "escalate:case": 5}
    with app.app_context():
        kinds = list(_db.session.execute(select(Event.kind).where(Event.kind != "received")).scalars())
        assert sorted(kinds) == sorted(["sla_warning"] * 5 + ["sla_breach"] * 5 + ["escalated"] * 5)
        assert verify_chain().ok
        _db.session.remove()
        _db.engine.dispose()


def test_late_acknowledgement_made_before_the_sweep_ran_is_still_a_breach(make, db):
    # The sweep did not run over the weekend; the officer acknowledged on Monday, after the deadline.
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "sorry for the delay", now=pp(2026, 4, 20, 8, 0))
    db.session.commit()
    report = run(db, pp(2026, 4, 20, 9, 0))
    assert report.counts.get("breach:acknowledge") == 1
    db.session.refresh(case)
    assert from_db(case.ack_breached_at) == ACK_DUE
    assert case.sla_state == "breached"
    assert from_db(case.escalate_at) == ESCALATE
    assert run(db, pp(2026, 4, 20, 9, 0)).counts == {}


def test_acknowledgement_in_time_is_not_a_breach(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=ACK_DUE)
    db.session.commit()
    run(db, pp(2026, 4, 20, 9, 0))
    db.session.refresh(case)
    assert case.ack_breached_at is None and case.sla_state == "on_track"


def test_late_resolution_made_before_the_sweep_ran_is_still_a_breach(make, db):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    service.acknowledge(case, officer, "ok", now=RECEIVED + timedelta(hours=1))
    db.session.commit()
    due = from_db(case.resolve_due_at)
    service.resolve(case, officer, "remedied", "paid", now=due + timedelta(hours=10))
    db.session.commit()
    report = run(db, due + timedelta(days=1))
    assert report.counts.get("breach:resolve") == 1
    db.session.refresh(case)
    assert from_db(case.resolve_breached_at) == due
    assert case.status == "resolved"
    # A resolved case is not escalated to the council, and a second run changes nothing.
    later = run(db, due + timedelta(days=30))
    assert later.counts.get("escalate:case") is None
    db.session.refresh(case)
    assert case.escalated_at is None
