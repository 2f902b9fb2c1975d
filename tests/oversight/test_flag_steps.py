"""A flag is handled, not ticked: the council's instruction with a due date, the fund's answer, notes, an outcome."""

import json
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from grievance.domain.calendar import local_date
from grievance.extensions import db as _db
from grievance.models import Event, OutboxMessage
from grievance.models.timeutil import from_db
from grievance.monitoring import flags
from grievance.monitoring import service as monitoring
from grievance.services import audit, disclosure
from grievance.services.permits import NotPermitted

# Thursday 9 April 2026: five working days later runs across Khmer New Year (14-16 April).
T0 = datetime(2026, 4, 9, 3, 0, tzinfo=timezone.utc)


def _kinds(case):
    return [e.kind for e in _db.session.execute(select(Event).where(Event.case_id == case.id)).scalars()]


def _mails_to(user):
    return _db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == user.email)).scalars().all()


@pytest.fixture()
def flagged(make):
    from grievance.models import MonitorScope

    case, _ = make.case("NSSF-INFORMAL", now=T0, identity_mode="confidential", name="Sok Dara", phone="012 333 444")
    monitor = make.user("monitor", org="Informal Workers Union")
    _db.session.add(MonitorScope(organisation_id=monitor.organisation_id))
    _db.session.commit()
    flag = monitoring.raise_flag(case, monitor, "retaliation", "Her supervisor threatened her", now=T0)
    _db.session.commit()
    return case, flag


def test_the_council_instructs_the_fund_answers_and_the_council_handles_with_an_outcome(make, flagged):
    case, flag = flagged
    reader = make.user("oversight", fund=None)
    nssf_supervisor = make.user("supervisor", fund="NSSF")
    officer = make.user("officer", fund="NSSF")
    assert not disclosure.can_see_identity(officer, case), "locked while the retaliation flag is open"

    due = flags.instruct(flag, reader, "Move her case to another officer and call her", 5, now=T0)
    _db.session.commit()
    # Thu 9 Apr + 5 working days: 10, 13, 17, 20, 21 (Khmer New Year 14-16 April is not counted)
    assert from_db(flag.instruction_due_at) == due
    assert local_date(due) == date(2026, 4, 21)
    mails = _mails_to(nssf_supervisor)
    assert mails and case.reference in mails[0].body and "threatened" not in mails[0].body

    late = datetime(2026, 4, 22, 3, 0, tzinfo=timezone.utc)
    assert flags.overdue(flag, late) and not flags.overdue(flag, T0)
    flags.answer(flag, officer, "Reassigned to Dara; we called her on Monday", now=late)
    _db.session.commit()
    assert flag.answer.startswith("Reassigned") and flag.answered_by_id == officer.id
    assert not flags.overdue(flag, late), "answered (late, and the event says so)"
    answered = _db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "flag_answer")).scalar()
    assert json.loads(answered.payload)["late"] is True
    assert _mails_to(reader), "the council is told the fund answered"

    flags.add_note(flag, reader, "Check again in a month", now=late)
    monitoring.handle_flag(flag, reader, "Officer moved; complainant safe", now=late)
    _db.session.commit()
    assert flag.status == "handled" and flag.outcome == "Officer moved; complainant safe"
    assert [n.text for n in flags.notes(flag)] == ["Check again in a month"]
    assert disclosure.can_see_identity(officer, case), "the fund's access comes back"
    kinds = _kinds(case)
    for kind in ("monitor_flag", "flag_instruction", "flag_answer", "flag_note", "flag_handled"):
        assert kind in kinds
    assert audit.verify_record().ok


def test_each_step_is_refused_to_the_wrong_people_and_without_text(make, flagged):
    case, flag = flagged
    reader = make.user("oversight", fund=None)
    officer = make.user("officer", fund="NSSF")
    nssf_supervisor = make.user("supervisor", fund="NSSF")
    other_fund = make.user("officer", fund="NSAF")
    monitor = make.user("monitor", org="Informal Workers Union")

    for who in (officer, nssf_supervisor, other_fund, monitor):
        with pytest.raises(NotPermitted):
            flags.instruct(flag, who, "Do it", 5, now=T0)
        with pytest.raises(NotPermitted):
            flags.add_note(flag, who, "a note", now=T0)
    with pytest.raises(flags.FlagRefused):
        flags.answer(flag, officer, "Nothing was asked yet", now=T0)
    with pytest.raises(flags.FlagRefused):
        flags.instruct(flag, reader, "   ", 5, now=T0)
    with pytest.raises(flags.FlagRefused):
        flags.instruct(flag, reader, "Do it", 0, now=T0)
    flags.instruct(flag, reader, "Do it", 5, now=T0)
    for who in (reader, other_fund, monitor):
        with pytest.raises(NotPermitted):
            flags.answer(flag, who, "an answer", now=T0)
    with pytest.raises(NotPermitted):
        monitoring.handle_flag(flag, nssf_supervisor, "closing my own fund's retaliation flag", now=T0)
    with pytest.raises(monitoring.MonitoringRefused):
        monitoring.handle_flag(flag, reader, "  ", now=T0)
    desk_supervisor = make.user("supervisor", fund="NSPC")
    monitoring.handle_flag(flag, desk_supervisor, "The council's desk handled it", now=T0)
    with pytest.raises(flags.FlagRefused):
        flags.answer(flag, officer, "too late, handled", now=T0)


def test_the_fund_reads_the_instruction_on_the_case_page_and_answers_it_in_khmer(make, flagged, client, login_as):
    case, flag = flagged
    reader = make.user("oversight", fund=None)
    flags.instruct(flag, reader, "សូមទូរស័ព្ទទៅអ្នកប្តឹង", 5, now=T0)
    _db.session.commit()
    officer = login_as("officer", fund="NSSF")
    page = client.get(f"/cases/{case.id}?lang=km").get_data(as_text=True)
    assert "សូមទូរស័ព្ទទៅអ្នកប្តឹង" in page and f"answer-flag-{flag.id}" in page
    assert "012 333 444" not in page
    answered = client.post(f"/cases/{case.id}/flags/{flag.id}/answer", data={"answer": "យើងបានទូរស័ព្ទហើយ"})
    assert answered.status_code == 303
    _db.session.refresh(flag)
    assert flag.answer == "យើងបានទូរស័ព្ទហើយ" and flag.answered_by_id == officer.id
