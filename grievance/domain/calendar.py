"""The Cambodian working-day calendar.

Working days are Monday to Friday in Asia/Phnom_Penh, minus public holidays (the
`holidays` package, country KH, lunar holidays included) and one-off closure days an
administrator adds. A day counts from 00:00 to 24:00 local time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays as holidays_lib

TZ = ZoneInfo("Asia/Phnom_Penh")
DAY_SECONDS = 86400
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def kh_public_holidays(year: int) -> frozenset[date]:
    """Cambodian public holidays of one year, from the `holidays` package."""
    return frozenset(holidays_lib.country_holidays("KH", years=year).keys())


def local_date(instant: datetime) -> date:
    return _aware(instant).astimezone(TZ).date()


def _aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("calendar arithmetic needs timezone-aware datetimes")
    return instant


@lru_cache(maxsize=4096)
def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ)


@lru_cache(maxsize=4096)
def _midnight_after(day: date) -> datetime:
    """The local midnight that ends `day` (every clock walks the same few weeks: computed once)."""
    return _local_midnight(day + timedelta(days=1))


class WorkingCalendar:
    """Answers 'is this a working day' and does deadline arithmetic in working time."""

    def __init__(
        self,
        closures: Iterable[date] = (),
        public_holidays: Callable[[int], frozenset[date]] = kh_public_holidays,
    ) -> None:
        self.closures = frozenset(closures)
        self._public_holidays = public_holidays
        self._known: dict[date, bool] = {}  # every deadline walks the same weeks: answer each day once
        self._later: dict[tuple[date, int], date] = {}  # add_working_days, answered once

    def is_working_day(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = day.weekday() < 5 and day not in self.closures and day not in self._public_holidays(day.year)
            self._known[day] = known
        return known

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (n >= 1); n == 0 returns `day` itself."""
        if n < 0:
            raise ValueError("n must be >= 0")
        found = self._later.get((day, n))
        if found is None:
            found = day
            for _ in range(n):
                found = self.next_working_day(found)
            self._later[(day, n)] = found
        return found

    def deadline(self, received: datetime, n: int) -> datetime:
        """End (23:59:59 Phnom Penh) of the n-th working day after the day of receipt, in UTC."""
        day = local_date(received)
        if n == 0 and not self.is_working_day(day):
            # "The same working day" for something received on a day off is the next working day.
            day = self.next_working_day(day)
        due_day = self.add_working_days(day, n)
        return datetime.combine(due_day, END_OF_DAY, TZ).astimezone(timezone.utc)

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Seconds between two instants that fall on working days (0 if end <= start)."""
        start, end = _aware(start).astimezone(TZ), _aware(end).astimezone(TZ)
        if end <= start:
            return 0
        total = 0.0
        cursor = start
        while cursor < end:
            day = cursor.date()
            next_midnight = _midnight_after(day)
            segment_end = end if end < next_midnight else next_midnight
            if self.is_working_day(day):
                total += (segment_end - cursor).total_seconds()
            cursor = segment_end
        return int(total)

    def working_days_between(self, start: datetime, end: datetime) -> float:
        return self.working_seconds_between(start, end) / DAY_SECONDS

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        """The instant reached by moving forward `seconds` of working time from `start`."""
        if seconds < 0:
            raise ValueError("seconds must be >= 0")
        cursor = _aware(start).astimezone(TZ)
        remaining = float(seconds)
        while True:
            day = cursor.date()
            next_midnight = _midnight_after(day)
            if self.is_working_day(day):
                available = (next_midnight - cursor).total_seconds()
                if remaining < available or (remaining == available and remaining == 0):
                    return (cursor + timedelta(seconds=remaining)).astimezone(timezone.utc)
                remaining -= available
            cursor = next_midnight


def shifted_by_closure(
    instant: datetime,
    anchor: datetime,
    day: date,
    old: WorkingCalendar,
    new: WorkingCalendar,
) -> datetime | None:
    """Where a clock instant lands once `day` becomes (or stops being) a closure; None if it stays.

    The instant was reached by counting working time from `anchor` (receipt, last public
    update). Closing a working day that lies after the anchor's day and on or before the
    instant's day pushes the instant to the same time on the next working day; reopening a
    closed day before it pulls the instant back to the same time on the working day before.
    The anchor's own day never counts (deadlines count from the day after receipt).
    """
    start, here = local_date(anchor), local_date(instant)
    closing = old.is_working_day(day) and not new.is_working_day(day)
    opening = new.is_working_day(day) and not old.is_working_day(day)
    if closing and start < day <= here:
        target = new.next_working_day(here)
    elif opening and start < day < here:
        target = here - timedelta(days=1)
        while not new.is_working_day(target):
            target -= timedelta(days=1)
    else:
        return None
    local = _aware(instant).astimezone(TZ)
    return datetime.combine(target, local.timetz().replace(tzinfo=None), TZ).astimezone(timezone.utc)
