"""A closure day added (or removed) moves a clock instant by exactly one working day, or not at all."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from grievance.domain.calendar import WorkingCalendar, shifted_by_closure

PP = ZoneInfo("Asia/Phnom_Penh")
OLD = WorkingCalendar()


def pp(*args: int) -> datetime:
    return datetime(*args, tzinfo=PP)


# Monday 7 to Friday 18 December 2026: no public holiday in those two weeks.
RECEIVED = pp(2026, 12, 7, 10, 0)
DUE = OLD.deadline(RECEIVED, 5)  # end of Monday 14 December


def test_the_example_weeks_have_no_holiday():
    assert DUE == pp(2026, 12, 14, 23, 59, 59)


def test_closing_a_day_between_receipt_and_due_moves_the_due_date_one_working_day():
    new = WorkingCalendar({date(2026, 12, 9)})
    assert shifted_by_closure(DUE, RECEIVED, date(2026, 12, 9), OLD, new) == pp(2026, 12, 15, 23, 59, 59)
    # and it is exactly the deadline the new calendar gives a complaint received then
    assert new.deadline(RECEIVED, 5) == pp(2026, 12, 15, 23, 59, 59)


def test_closing_the_due_day_itself_moves_it_to_the_next_working_day():
    new = WorkingCalendar({date(2026, 12, 14)})
    assert shifted_by_closure(DUE, RECEIVED, date(2026, 12, 14), OLD, new) == pp(2026, 12, 15, 23, 59, 59)


def test_a_closure_after_the_due_day_or_on_the_day_of_receipt_moves_nothing():
    assert shifted_by_closure(DUE, RECEIVED, date(2026, 12, 15), OLD, WorkingCalendar({date(2026, 12, 15)})) is None
    assert shifted_by_closure(DUE, RECEIVED, date(2026, 12, 7), OLD, WorkingCalendar({date(2026, 12, 7)})) is None


def test_a_warning_instant_keeps_its_time_of_day():
    warn = pp(2026, 12, 11, 14, 30)
    new = WorkingCalendar({date(2026, 12, 10)})
    assert shifted_by_closure(warn, RECEIVED, date(2026, 12, 10), OLD, new) == pp(2026, 12, 14, 14, 30)


def test_reopening_a_closed_day_moves_the_due_date_back():
    closed = WorkingCalendar({date(2026, 12, 9)})
    due = closed.deadline(RECEIVED, 5)
    assert shifted_by_closure(due, RECEIVED, date(2026, 12, 9), closed, OLD) == DUE


@given(
    received_offset=st.integers(min_value=0, max_value=20),
    days=st.integers(min_value=1, max_value=25),
    closure_offset=st.integers(min_value=1, max_value=60),
)
def test_shifting_agrees_with_computing_the_deadline_on_the_new_calendar(received_offset, days, closure_offset):
    """Closing any working day gives the deadline the new calendar would have given from the start."""
    start = date(2027, 1, 4)
    received = datetime.combine(date.fromordinal(start.toordinal() + received_offset), datetime.min.time(), PP)
    received = received.replace(hour=9)
    day = date.fromordinal(received.date().toordinal() + closure_offset)
    if not OLD.is_working_day(day):
        return
    new = WorkingCalendar({day})
    old_due, new_due = OLD.deadline(received, days), new.deadline(received, days)
    moved = shifted_by_closure(old_due, received, day, OLD, new)
    assert (moved or old_due) == new_due
    back = shifted_by_closure(new_due, received, day, new, OLD)
    assert (back or new_due) == old_due
