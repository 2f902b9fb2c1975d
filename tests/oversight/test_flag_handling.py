"""Council flags: an open retaliation flag locks identity on the case to the council (issue 16)."""

from __future__ import annotations

from datetime import datetime, timezone

from grievance.extensions import db as _db
from grievance.models import CaseFlag
from grievance.services import disclosure

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def test_an_open_retaliation_flag_locks_identity_from_fund_staff(make):
    case, _ = make.case("NSSF-INFORMAL", now=T0)
    officer = make.user("officer", fund="NSSF")
    monitor = make.user("monitor", org="Informal Workers Union")
    assert disclosure.can_see_identity(officer, case) is True
    flag = CaseFlag(
        case_id=case.id, organisation_id=monitor.organisation_id, raised_by_id=monitor.id, kind="retaliation"
    )
    _db.session.add(flag)
    _db.session.commit()
    assert disclosure.can_see_identity(officer, case) is False
    flag.status = "handled"
    _db.session.commit()
    assert disclosure.can_see_identity(officer, case) is True


def test_other_flag_kinds_do_not_lock_identity(make):
    case, _ = make.case("NSSF-INFORMAL", now=T0)
    officer = make.user("officer", fund="NSSF")
    monitor = make.user("monitor", org="Informal Workers Union")
    _db.session.add(
        CaseFlag(case_id=case.id, organisation_id=monitor.organisation_id, raised_by_id=monitor.id, kind="disputed")
    )
    _db.session.commit()
    assert disclosure.can_see_identity(officer, case) is True


def _flag(case, monitor, kind):
    flag = CaseFlag(case_id=case.id, organisation_id=monitor.organisation_id, raised_by_id=monitor.id, kind=kind)
    _db.session.add(flag)
    _db.session.flush()
    return flag


def test_a_retaliation_flag_mails_the_councils_members_at_once_in_their_language(make):
    from sqlalchemy import select

    from grievance.models import OutboxMessage
    from grievance.monitoring import notify

    case, _ = make.case("NSSF-INFORMAL", now=T0)
    monitor = make.user("monitor", org="Informal Workers Union")
    reader = make.user("oversight")
    desk = make.user("officer", fund="NSPC")
    fund_supervisor = make.user("supervisor", fund="NSSF")
    reader.locale, desk.locale = "en", "km"
    _db.session.commit()

    assert notify.notify_flag(case, _flag(case, monitor, "retaliation"), "Informal Workers Union") == 2
    mails = {m.recipient: m for m in _db.session.execute(select(OutboxMessage)).scalars()}
    assert set(mails) == {reader.email, desk.email}, "the council, not the fund whose staff are locked out"
    assert "retaliation" in mails[reader.email].body and mails[reader.email].language == "en"
    assert "ការសងសឹក" in mails[desk.email].body and mails[desk.email].language == "km"
    assert fund_supervisor.email not in mails

    assert notify.notify_flag(case, _flag(case, monitor, "disputed"), "Informal Workers Union") == 1
    recipients = set(_db.session.execute(select(OutboxMessage.recipient)).scalars())
    assert fund_supervisor.email in recipients, "other kinds still go to the handling fund's supervisors"


def test_the_case_timeline_names_a_flag_kind_in_the_readers_language(make, client, login_as):
    from grievance.services import audit

    case, _ = make.case("NSSF-INFORMAL", now=T0)
    monitor = make.user("monitor", org="Informal Workers Union")
    audit.append_event(
        "monitor_flag",
        case=case,
        actor=monitor,
        actor_label="monitor",
        at=T0,
        payload={"flag_id": 1, "kind": "disputed", "note": "paid?", "organisation": "Informal Workers Union"},
    )
    _db.session.commit()
    login_as("officer", fund="NSSF")
    page = client.get(f"/cases/{case.id}?lang=km").get_data(as_text=True)
    assert "មិនយល់ព្រមនឹងដំណោះស្រាយ" in page and "· disputed" not in page
    assert "Resolution disputed" in client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True)
