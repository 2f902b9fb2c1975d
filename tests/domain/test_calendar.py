"""The Cambodian working-day calendar: deadlines around holidays, closures and midnight."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from grievance.domain.calendar import WorkingCalendar, local_date

PP = ZoneInfo("Asia/Phnom_Penh")
UTC = timezone.utc


def pp(*args: int) -> datetime:
    """An instant given in Phnom Penh wall-clock time."""
    return datetime(*args, tzinfo=PP)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=PP)


@pytest.fixture()
def cal() -> WorkingCalendar:
    return WorkingCalendar()


# --- Khmer New Year -------------------------------------------------------------------


def test_khmer_new_year_example_from_the_issue(cal):
    # Received Friday 10 April 2026; the weekend and 14-16 April are skipped.
    due = cal.deadline(pp(2026, 4, 10, 10, 0), 2)
    assert due == end_of(date(2026, 4, 17))
    assert due.tzinfo == UTC
    assert due == datetime(2026, 4, 17, 16, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2026, 4, 14), date(2026, 4, 15), date(2026, 4, 16)])
def test_khmer_new_year_days_are_not_working_days(cal, day):
    assert not cal.is_working_day(day)


def test_day_before_khmer_new_year_is_a_working_day(cal):
    assert cal.is_working_day(date(2026, 4, 13))


def test_one_working_day_from_monday_before_new_year_lands_after_it(cal):
    assert cal.deadline(pp(2026, 4, 13, 9, 0), 1) == end_of(date(2026, 4, 17))


def test_fifteen_working_days_across_new_year(cal):
    # 13, 17, 20-24, 27-30 (11 days), 1 May is Labour Day, 4 May, 5 May is the Royal
    # Ploughing Ceremony, then 6, 7 and 8 May.
    assert cal.deadline(pp(2026, 4, 10, 10, 0), 15) == end_of(date(2026, 5, 8))


def test_receipt_during_khmer_new_year_counts_from_the_next_working_day(cal):
    assert cal.deadline(pp(2026, 4, 15, 11, 0), 1) == end_of(date(2026, 4, 17))
    assert cal.deadline(pp(2026, 4, 15, 11, 0), 2) == end_of(date(2026, 4, 20))


# --- Pchum Ben, Water Festival, year end ------------------------------------------------


def test_pchum_ben_2026_falls_on_a_weekend_and_the_monday(cal):
    for day in (date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)):
        assert not cal.is_working_day(day)
    # Friday 9 October, one working day: Monday 12 is Pchum Ben, so Tuesday 13.
    assert cal.deadline(pp(2026, 10, 9, 14, 0), 1) == end_of(date(2026, 10, 13))


def test_pchum_ben_2025_and_constitution_day(cal):
    # Sunday 21 to Tuesday 23 September 2025, then Constitution Day on Wednesday 24.
    for day in (date(2025, 9, 22), date(2025, 9, 23), date(2025, 9, 24)):
        assert not cal.is_working_day(day)
    assert cal.deadline(pp(2025, 9, 19, 9, 0), 1) == end_of(date(2025, 9, 25))
    assert cal.deadline(pp(2025, 9, 19, 9, 0), 2) == end_of(date(2025, 9, 26))


def test_water_festival_2026(cal):
    for day in (date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)):
        assert not cal.is_working_day(day)
    assert cal.deadline(pp(2026, 11, 20, 9, 0), 1) == end_of(date(2026, 11, 26))
    assert cal.deadline(pp(2026, 11, 20, 9, 0), 2) == end_of(date(2026, 11, 27))


def test_year_end_peace_day_new_year_and_victory_day(cal):
    assert not cal.is_working_day(date(2026, 12, 29))  # Peace Day (Tuesday)
    assert not cal.is_working_day(date(2027, 1, 1))  # International New Year (Friday)
    assert not cal.is_working_day(date(2027, 1, 7))  # Victory over Genocide (Thursday)
    # Monday 28 Dec 2026: 30, 31 Dec, 4, 5, 6, 8 Jan
    received = pp(2026, 12, 28, 9, 0)
    assert cal.deadline(received, 1) == end_of(date(2026, 12, 30))
    assert cal.deadline(received, 2) == end_of(date(2026, 12, 31))
    assert cal.deadline(received, 3) == end_of(date(2027, 1, 4))
    assert cal.deadline(received, 6) == end_of(date(2027, 1, 8))


def test_deadline_crosses_into_the_next_year(cal):
    # Thursday 31 Dec 2026 + 1: Friday 1 Jan 2027 is a holiday, so Monday 4 Jan.
    assert cal.deadline(pp(2026, 12, 31, 16, 0), 1) == end_of(date(2027, 1, 4))


# --- Closure days -------------------------------------------------------------------------


def test_closure_day_added_by_an_administrator_is_skipped():
    closed = WorkingCalendar(closures=[date(2026, 6, 2)])
    open_ = WorkingCalendar()
    received = pp(2026, 6, 1, 9, 0)  # Monday
    assert open_.deadline(received, 1) == end_of(date(2026, 6, 2))
    assert closed.deadline(received, 1) == end_of(date(2026, 6, 3))
    assert not closed.is_working_day(date(2026, 6, 2))


def test_closure_day_counts_no_working_time():
    closed = WorkingCalendar(closures=[date(2026, 6, 2)])
    start, end = pp(2026, 6, 1, 12, 0), pp(2026, 6, 3, 12, 0)
    assert WorkingCalendar().working_seconds_between(start, end) == 2 * 86400
    assert closed.working_seconds_between(start, end) == 86400


def test_closure_next_to_a_holiday_extends_the_break():
    # Closing Monday 13 April 2026 joins the weekend to Khmer New Year.
    cal = WorkingCalendar(closures=[date(2026, 4, 13)])
    assert cal.deadline(pp(2026, 4, 10, 9, 0), 1) == end_of(date(2026, 4, 17))
    assert cal.deadline(pp(2026, 4, 10, 9, 0), 2) == end_of(date(2026, 4, 20))


# --- Receipt on a weekend or a holiday, and the local date boundary -------------------------


def test_receipt_on_saturday_counts_from_monday(cal):
    assert cal.deadline(pp(2026, 6, 6, 10, 0), 1) == end_of(date(2026, 6, 8))
    assert cal.deadline(pp(2026, 6, 7, 23, 0), 2) == end_of(date(2026, 6, 9))


def test_receipt_on_a_holiday_counts_from_the_next_working_day(cal):
    # 1 May 2026 (Friday) is Labour Day.
    assert cal.deadline(pp(2026, 5, 1, 10, 0), 1) == end_of(date(2026, 5, 4))


def test_twenty_hundred_utc_on_friday_is_already_saturday_in_phnom_penh(cal):
    instant = datetime(2026, 4, 10, 20, 0, tzinfo=UTC)
    assert local_date(instant) == date(2026, 4, 11)
    assert not cal.is_working_day(local_date(instant))
    # A working hour ends at local midnight: from 16:00Z (23:00 local) only one hour counts.
    assert cal.working_seconds_between(datetime(2026, 4, 10, 16, 0, tzinfo=UTC), instant) == 3600


def test_late_night_receipt_uses_the_local_date_not_the_utc_date(cal):
    # Thursday 2026-06-04 20:00Z is Friday 03:00 in Phnom Penh: one working day → Monday.
    late = datetime(2026, 6, 4, 20, 0, tzinfo=UTC)
    assert cal.deadline(late, 1) == end_of(date(2026, 6, 8))
    # One minute before local midnight it is still Thursday: one working day → Friday.
    before = datetime(2026, 6, 4, 16, 59, tzinfo=UTC)
    assert cal.deadline(before, 1) == end_of(date(2026, 6, 5))


def test_zero_days_means_the_same_working_day(cal):
    assert cal.deadline(pp(2026, 6, 3, 9, 0), 0) == end_of(date(2026, 6, 3))
    # Received on a Saturday, or during Khmer New Year: the next working day, never a day off.
    assert cal.deadline(pp(2026, 6, 6, 10, 0), 0) == end_of(date(2026, 6, 8))
    assert cal.deadline(pp(2026, 4, 14, 10, 0), 0) == end_of(date(2026, 4, 17))


def test_naive_datetimes_are_refused(cal):
    with pytest.raises(ValueError, match="timezone-aware"):
        cal.deadline(datetime(2026, 4, 10, 10, 0), 2)


def test_negative_days_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 4, 10), -1)


# --- Working-time arithmetic ----------------------------------------------------------------


def test_working_seconds_skip_weekend_and_new_year(cal):
    # Friday 10 April 12:00 → Friday 17 April 12:00: half of Friday, Monday, half of Friday.
    assert cal.working_seconds_between(pp(2026, 4, 10, 12, 0), pp(2026, 4, 17, 12, 0)) == 2 * 86400


def test_working_seconds_between_is_zero_when_end_not_after_start(cal):
    t = pp(2026, 6, 3, 12, 0)
    assert cal.working_seconds_between(t, t) == 0
    assert cal.working_seconds_between(t, t - timedelta(hours=5)) == 0


def test_working_seconds_inside_one_weekend_are_zero(cal):
    assert cal.working_seconds_between(pp(2026, 6, 6, 8, 0), pp(2026, 6, 7, 20, 0)) == 0


def test_add_working_seconds_jumps_over_weekend_and_holidays(cal):
    # Friday 22:00 plus three hours: the weekend is skipped, 01:00 on Monday 13 April.
    result = cal.add_working_seconds(pp(2026, 4, 10, 22, 0), 3 * 3600)
    assert result == pp(2026, 4, 13, 1, 0)
    assert result.tzinfo == UTC
    # Monday 13 April 22:00 plus three hours: 14-16 April are skipped, 01:00 on Friday 17.
    assert cal.add_working_seconds(pp(2026, 4, 13, 22, 0), 3 * 3600) == pp(2026, 4, 17, 1, 0)


def test_add_working_seconds_from_a_weekend_starts_on_monday(cal):
    assert cal.add_working_seconds(pp(2026, 6, 6, 15, 0), 3600) == pp(2026, 6, 8, 1, 0)


def test_add_working_seconds_zero_from_a_working_instant_is_that_instant(cal):
    t = pp(2026, 6, 3, 15, 30)
    assert cal.add_working_seconds(t, 0) == t


def test_add_then_measure_gives_back_the_same_working_time(cal):
    start = pp(2026, 4, 9, 17, 45)
    for seconds in (1, 3600, 86399, 86400, 86401, 5 * 86400 + 17):
        end = cal.add_working_seconds(start, seconds)
        assert cal.working_seconds_between(start, end) == seconds


def test_negative_working_seconds_are_refused(cal):
    with pytest.raises(ValueError):
        cal.add_working_seconds(pp(2026, 6, 3, 12, 0), -1)
