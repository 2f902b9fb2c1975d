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
