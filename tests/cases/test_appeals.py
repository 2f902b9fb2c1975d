"""Appeals as a stage of their own: "not solved" opens an appeal with its own clock, a reviewer who
did not give the first answer decides it (or the council, when the complainant asks), the tracking
page shows each step, the sweep warns and breaches it across Cambodian holidays, NSSF answers tell
of the regulator, referrals outside are events with their date, and the record stays verifiable."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from grievance.cases import appeals
from grievance.cases import service as svc
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models import Appeal, OutboxMessage
from grievance.models.timeutil import from_db
from grievance.services import audit
from grievance.services.permits import NotPermitted
from grievance.services.sweep import sweep
from tests.intake.helpers import text_of

# Friday 10 April 2026, 10:00 in Phnom Penh: Khmer New Year (14-16 April) falls inside the appeal.
STARTED = datetime(2026, 4, 10, 10, 0, tzinfo=TZ).astimezone(timezone.utc)


@pytest.fixture()
def officer(make):
    return make.user("officer", fund="NSAF")


@pytest.fixture()
def supervisor(make):
    return make.user("supervisor", fund="NSAF")


def _answered(make, officer, *, category="NSAF-CT-MISSING", when=None, **fields):
    when = when or STARTED - timedelta(days=2)
    case, code = make.case(category, now=when - timedelta(days=3), **fields)
    svc.acknowledge(case, officer, "បានទទួល", now=when - timedelta(days=2))
    svc.start(case, officer, now=when - timedelta(days=1))
    svc.resolve(case, officer, "remedied", "ប្រាក់របស់អ្នកត្រូវបានផ្ញើ។", now=when)
    db.session.commit()
    return case, code


def _appeal(case) -> Appeal:
    return db.session.execute(select(Appeal).where(Appeal.case_id == case.id)).scalar_one()


def _kinds(case) -> list[str]:
    return [e.kind for e in audit.case_events(case.id)]


def test_not_solved_opens_an_appeal_with_its_own_clock_across_the_new_year(make, officer):
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    db.session.commit()

    appeal = _appeal(case)
    assert case.status == "reopened"
    assert appeal.reviewer_body == "fund" and appeal.appeal_days == 10 and appeal.via == "web"
    assert appeal.resolver_id == officer.id
    # 10 working days from Friday 10 April skip the weekends and 14-16 April: Wednesday 29 April.
    due = from_db(appeal.due_at).astimezone(TZ)
    assert (due.date(), due.hour, due.minute) == (date(2026, 4, 29), 23, 59)
    assert from_db(appeal.started_at) < from_db(appeal.warn_at) < from_db(appeal.due_at)
    assert _kinds(case)[-3:] == ["feedback", "reopen", "appeal"]
    assert audit.verify_record().ok


def test_the_appeal_term_is_a_service_level_an_administrator_sets(make, officer):
    from grievance.models import SlaPolicy

    for row in db.session.execute(select(SlaPolicy)).scalars():
        row.appeal_days = 3
    db.session.commit()  # (a commit that changes reference data empties the cache)
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    appeal = _appeal(case)
    assert appeal.appeal_days == 3
    # Monday 13, Friday 17, Monday 20 April: the holiday still does not count.
    assert from_db(appeal.due_at).astimezone(TZ).date() == date(2026, 4, 20)


def test_the_officer_who_answered_cannot_decide_the_supervisor_does(make, officer, supervisor):
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    db.session.commit()

    with pytest.raises(NotPermitted):
        appeals.decide(case, officer, "upheld", "I stand by it.", now=STARTED + timedelta(days=1))
    db.session.rollback()
    # Nor may anyone simply resolve the case again while the appeal waits.
    with pytest.raises(svc.TransitionRefused):
        svc.resolve(case, supervisor, "remedied", "Again.", now=STARTED + timedelta(days=1))
    db.session.rollback()

    other_fund = make.user("supervisor", fund="NSSF")
    with pytest.raises(NotPermitted):
        appeals.decide(case, other_fund, "upheld", "No.", now=STARTED + timedelta(days=1))
    db.session.rollback()

    appeals.decide(case, supervisor, "upheld", "ការបង់ប្រាក់ត្រូវបានធ្វើនៅថ្ងៃទី៣។", now=STARTED + timedelta(days=1))
    db.session.commit()
    appeal = _appeal(case)
    assert (case.status, case.outcome) == ("resolved", "remedied")
    assert (appeal.outcome, appeal.reviewer_id, appeal.breached_at) == ("upheld", supervisor.id, None)
    assert _kinds(case)[-2:] == ["appeal_decided", "resolve"]
    assert audit.verify_record().ok


def test_overturned_needs_and_records_the_new_outcome(make, officer, supervisor):
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    with pytest.raises(svc.TransitionRefused):
        appeals.decide(case, supervisor, "overturned", "Wrong.", now=STARTED + timedelta(days=1))
    with pytest.raises(ValueError):
        appeals.decide(case, supervisor, "overturned", "   ", new_outcome="explained", now=STARTED)
    appeals.decide(
        case,
        supervisor,
        "overturned",
        "The payment never left.",
        new_outcome="referred",
        now=STARTED + timedelta(days=1),
    )
    assert (case.status, case.outcome, _appeal(case).outcome) == ("resolved", "referred", "overturned")


def test_an_upheld_rejection_stays_rejected_and_a_second_no_is_final(make, officer, supervisor):
    case, _code = make.case(now=STARTED - timedelta(days=5))
    svc.reject(case, officer, "This is not a matter for the fund.", now=STARTED - timedelta(days=1))
    svc.record_feedback(case, False, now=STARTED)
    appeals.decide(case, supervisor, "upheld", "Not for the fund indeed.", now=STARTED + timedelta(days=2))
    assert case.status == "rejected"
    # The decision answered the case; the complainant's next "no" is recorded and opens nothing.
    db.session.commit()
    case.satisfied = None  # (the page asks again only if nothing was recorded; force the question)
    svc.record_feedback(case, False, now=STARTED + timedelta(days=3))
    assert case.status == "rejected"
    assert len(appeals.appeals_of(case)) == 1


def test_the_complainant_may_ask_for_the_council(make, officer, supervisor):
    council = make.user("oversight", fund=None)
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, council=True, now=STARTED)
    db.session.commit()
    assert _appeal(case).reviewer_body == "council"
    with pytest.raises(NotPermitted):
        appeals.decide(case, supervisor, "upheld", "Fine.", now=STARTED)
    db.session.rollback()
    assert appeals.may_decide(council, case)
    appeals.decide(case, council, "overturned", "Pay again.", new_outcome="remedied", now=STARTED + timedelta(days=1))
    assert _appeal(case).reviewer_id == council.id
    council_mail = db.session.execute(
        select(OutboxMessage).where(OutboxMessage.channel == "email", OutboxMessage.recipient == council.email)
    ).scalars()
    assert any(case.reference in (m.subject or "") for m in council_mail)  # "an appeal to review"


def test_the_tracking_page_shows_each_step_of_the_appeal(client, make, officer, supervisor):
    case, code = _answered(make, officer, when=datetime.now(timezone.utc) - timedelta(days=2), language="en")
    client.set_cookie("lang", "en")
    page = text_of(client.post("/track/feedback", data={"reference": case.reference, "code": code, "solved": "no"}))
    assert "Your appeal" in page
    appeal = _appeal(case)
    due_day = from_db(appeal.due_at).astimezone(TZ)
    section = page[page.index('id="appeal"') : page.index("</section>")]
    assert str(due_day.year) in section and str(due_day.day) in section, section
    assert "A reviewer who did not give the first answer will decide your appeal by" in page
    assert "Not decided yet" in page

    appeals.decide(case, supervisor, "upheld", "The money was paid on 3 May; call 012 345 678.")
    db.session.commit()
    page = text_of(client.post("/track", data={"reference": case.reference, "code": code}))
    assert "The first answer was upheld" in page
    assert "The money was paid on 3 May" in page
    assert "012 345 678" not in page  # the reviewer's text passes through the one redaction
    assert supervisor.name not in page
    assert "Social Security Regulator" not in page  # an NSAF case


def test_an_nssf_final_answer_tells_of_the_regulator_and_its_time_limit(client, make, app):
    nssf = make.user("officer", fund="NSSF")
    reviewer = make.user("supervisor", fund="NSSF")
    case, code = _answered(
        make,
        nssf,
        category="NSSF-CONTRIB",
        when=datetime.now(timezone.utc) - timedelta(days=2),
        language="km",
        identity_mode="confidential",
        name="សុខ ដារ៉ា",
        phone="012 999 888",
        sms_opt_in=True,
    )
    svc.record_feedback(case, False)
    appeals.decide(case, reviewer, "upheld", "The employer paid.")
    db.session.commit()
    client.set_cookie("lang", "en")
    page = text_of(client.post("/track", data={"reference": case.reference, "code": code}))
    days = app.config["NSSF_REGULATOR_DAYS"]
    assert f"Social Security Regulator within {days} days" in page
    sms = (
        db.session.execute(
            select(OutboxMessage).where(OutboxMessage.channel == "sms").order_by(OutboxMessage.id.desc())
        )
        .scalars()
        .first()
    )
    assert "និយ័តករសន្តិសុខសង្គម" in sms.body and str(days) in sms.body


def test_a_referral_outside_is_an_event_with_its_date(make, officer):
    case, _code = _answered(make, officer)
    appeals.refer(case, officer, "ssr", date(2026, 4, 9), "Sent with the file.", now=STARTED)
    event = audit.case_events(case.id)[-1]
    assert event.kind == "referral" and event.public
    assert json.loads(event.payload) == {"body": "ssr", "referred_on": "2026-04-09", "note": "Sent with the file."}
    with pytest.raises(svc.TransitionRefused):
        appeals.refer(case, officer, "ssr", date(2026, 4, 20), "", now=STARTED)  # not yet made
    monitor = make.user("monitor")
    with pytest.raises(NotPermitted):
        appeals.refer(case, monitor, "ssr", date(2026, 4, 9), "", now=STARTED)


def test_the_sweep_warns_and_breaches_appeals_on_working_days(make, officer, supervisor):
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    db.session.commit()
    appeal = _appeal(case)
    warn = from_db(appeal.warn_at)

    # Friday 24 April would be the due date without the holidays: nothing is late yet.
    sweep(datetime(2026, 4, 24, 23, 0, tzinfo=TZ))
    assert appeal.warned_at is None or from_db(appeal.warned_at) == warn
    assert appeal.breached_at is None
    sweep(datetime(2026, 4, 29, 23, 0, tzinfo=TZ))  # the last working day, before its end
    db.session.refresh(appeal)
    assert from_db(appeal.warned_at) == warn and appeal.breached_at is None

    report = sweep(datetime(2026, 4, 30, 0, 30, tzinfo=TZ))
    db.session.refresh(appeal)
    assert from_db(appeal.breached_at) == from_db(appeal.due_at)  # dated at the deadline, not the run
    assert report.counts.get("breach:appeal") == 1
    again = sweep(datetime(2026, 4, 30, 1, 0, tzinfo=TZ))
    assert "breach:appeal" not in again.counts and "warn:appeal" not in again.counts
    assert _kinds(case).count("appeal_breach") == 1 and _kinds(case).count("appeal_warning") == 1
    mail = db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == supervisor.email)).scalars().all()
    subjects = [m.subject or "" for m in mail]
    assert any("Appeal decision late" in s or "ការសម្រេចបណ្តឹងឧទ្ធរណ៍យឺត" in s for s in subjects), subjects
    assert audit.verify_record().ok


def test_a_late_decision_is_recorded_as_breached(make, officer, supervisor):
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    appeals.decide(case, supervisor, "upheld", "Late but right.", now=datetime(2026, 5, 4, 9, 0, tzinfo=TZ))
    appeal = _appeal(case)
    assert from_db(appeal.breached_at) == from_db(appeal.due_at)


@pytest.mark.parametrize(
    "tamper",
    [
        "UPDATE appeals SET outcome = 'overturned'",
        "UPDATE appeals SET due_at = '2026-06-30 16:59:59.000000'",
        "UPDATE appeals SET reviewer_body = 'council'",
        "DELETE FROM appeals",
    ],
)
def test_verify_finds_an_appeal_row_rewritten_by_an_insider(make, officer, supervisor, tamper):
    case, _code = _answered(make, officer)
    svc.record_feedback(case, False, now=STARTED)
    appeals.decide(case, supervisor, "upheld", "Right.", now=STARTED + timedelta(days=1))
    db.session.commit()
    assert audit.verify_record().ok
    db.session.execute(text(tamper))
    db.session.commit()
    report = audit.verify_record()
    assert not report.ok
    assert any("appeal" in p for p in report.problems), report.problems


def test_an_appeal_row_added_outside_the_app_is_found(make, officer):
    case, _code = _answered(make, officer)
    db.session.add(
        Appeal(case_id=case.id, due_at=STARTED, warn_at=STARTED, appeal_days=10, reviewer_body="fund", via="web")
    )
    db.session.commit()
    report = audit.verify_record()
    assert not report.ok and any("not in the audit chain" in p for p in report.problems)


def test_feedback_at_the_front_desk_opens_the_appeal(make, officer):
    from grievance.frontdesk import service as desk
    from grievance.frontdesk.offices import office_for_place

    case, _code = _answered(make, officer, province_code="12", district_code="1204")
    clerk = make.user("frontdesk", office_id=office_for_place("1204", "120401").id)
    assert desk.get_case(clerk, case.id) is not None
    desk.record_feedback(case, clerk, "no", now=STARTED)
    assert _appeal(case).via == "in_person"
    feedback = [e for e in audit.case_events(case.id) if e.kind == "feedback"][-1]
    assert feedback.actor_id == clerk.id


def test_the_scorecard_counts_appeals_their_timeliness_and_the_overturned(make, officer, supervisor):
    from grievance.reports import metrics

    on_time, _c = _answered(make, officer)
    late, _c = _answered(make, officer)
    waiting, _c = _answered(make, officer)
    for case in (on_time, late, waiting):
        svc.record_feedback(case, False, now=STARTED)
    # On time: decided on Tuesday 28 April (the due date is the 29th, after the New Year).
    appeals.decide(
        case=on_time,
        reviewer=supervisor,
        outcome="overturned",
        reason="Pay again.",
        new_outcome="remedied",
        now=datetime(2026, 4, 28, 15, 0, tzinfo=TZ),
    )
    # Late: decided on Thursday 30 April, a day after its due date.
    appeals.decide(late, supervisor, "upheld", "Right.", now=datetime(2026, 4, 30, 9, 0, tzinfo=TZ))
    sweep(datetime(2026, 4, 30, 12, 0, tzinfo=TZ))
    db.session.commit()

    figures = metrics.month_figures(metrics.Month.parse("2026-04"), "NSAF")
    block = figures["appeals"]["funds"][0]
    assert block["code"] == "NSAF"
    assert (block["opened"], block["decided"], block["on_time"], block["overturned"]) == (3, 2, 1, 1)
    assert block["on_time_pct"] == 50.0 and block["overturned_pct"] == 50.0
    assert metrics.month_figures(metrics.Month.parse("2026-05"), "NSAF")["appeals"]["funds"][0]["opened"] == 0
    # The waiting appeal was breached by the sweep, dated at its own deadline.
    assert from_db(_appeal(waiting).breached_at) == from_db(_appeal(waiting).due_at)
