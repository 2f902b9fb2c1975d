from datetime import date, datetime, timezone
from types import SimpleNamespace

import pytest

from grievance.cases import appeals
from grievance.domain.calendar import TZ, WorkingCalendar, local_date
from grievance.services.permits import NotPermitted


def _user(id, role, fund_id=None, **kw):
    return SimpleNamespace(id=id, role=role, fund_id=fund_id, **kw)


def test_due_date_counts_working_days_across_a_holiday():
    # Monday 2026-04-13 .. Khmer New Year 14-16 April is in the calendar.
    start = datetime(2026, 4, 13, 3, 0, tzinfo=timezone.utc)
    cal = WorkingCalendar()
    due = appeals.appeal_due(start, cal)
    plain = appeals.appeal_due(start, WorkingCalendar(public_holidays=lambda y: frozenset()))
    assert due > plain
    day = local_date(due)
    assert cal.is_working_day(day)
    assert due.astimezone(TZ).hour == 23
    # exactly ten working days after the start day
    n, d = 0, local_date(start)
    while d < day:
        d = date.fromordinal(d.toordinal() + 1)
        n += cal.is_working_day(d)
    assert n == appeals.DEFAULT_APPEAL_DAYS


def test_due_date_needs_a_positive_service_level():
    with pytest.raises(ValueError):
        appeals.appeal_due(datetime(2026, 1, 5, tzinfo=timezone.utc), WorkingCalendar(), 0)


def test_resolving_officer_is_refused_other_reviewers_allowed():
    resolver = _user(7, "officer", 1)
    with pytest.raises(NotPermitted):
        appeals.require_reviewer(resolver, fund_id=1, resolver_id=7)
    appeals.require_reviewer(_user(8, "officer", 1), fund_id=1, resolver_id=7)
    appeals.require_reviewer(_user(9, "supervisor", 1), fund_id=1, resolver_id=7)
    with pytest.raises(NotPermitted):
        appeals.require_reviewer(_user(10, "supervisor", 2), fund_id=1, resolver_id=7)
    with pytest.raises(NotPermitted):
        appeals.require_reviewer(_user(11, "monitor"), fund_id=1, resolver_id=7)


def test_council_review_is_for_the_council_desk_only():
    desk = _user(20, "officer", 3)  # fund 3 is the NSPC triage desk
    assert appeals.may_review(desk, fund_id=1, resolver_id=7, by="council", council_fund_id=3)
    assert not appeals.may_review(desk, fund_id=1, resolver_id=7, by="council")  # no desk known
    assert not appeals.may_review(_user(8, "officer", 1), fund_id=1, resolver_id=7, by="council", council_fund_id=3)
    assert not appeals.may_review(_user(21, "oversight"), fund_id=1, resolver_id=7, by="council", council_fund_id=3)
    with pytest.raises(ValueError):
        appeals.may_review(desk, fund_id=1, resolver_id=7, by="ombudsman")


def test_outcome_upheld_or_overturned_with_reason():
    assert appeals.check_outcome("upheld", " first answer stands ") == ("upheld", "first answer stands")
    assert appeals.check_outcome("overturned", "new facts")[0] == "overturned"
    with pytest.raises(ValueError):
        appeals.check_outcome("upheld", "  ")
    with pytest.raises(ValueError):
        appeals.check_outcome("maybe", "x")
