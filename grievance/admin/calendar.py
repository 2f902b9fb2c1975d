"""The working calendar: public holidays (the `holidays` package) and the one-off closures added here.

Adding or removing a closure first previews how many open cases' due dates it moves, then
applies: each moved case gets its new instants (a conditional UPDATE on its version) and a
public `due_moved` event, so the complainant's tracking page shows the new dates and says why.
The dashboard's stored figures are keyed on a digest of the calendar (oversight.snapshots), so
they are computed again under the new calendar.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Any

import holidays as holidays_lib
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update

from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.guard import require_admin
from grievance.domain.calendar import TZ, WorkingCalendar, local_date, shifted_by_closure
from grievance.domain.workflow import OPEN_STATUS_VALUES
from grievance.extensions import db
from grievance.models import Case, ClosureDay, User
from grievance.models.timeutil import from_db, to_db
from grievance.services import audit, touches
from grievance.services.changes import record_change

ENTITY = "closure_day"
EVENT = "due_moved"
BATCH = 500

# Each clock instant a closure can move: (column, the instant it was counted from, whether it still runs).
CLOCKS: tuple[tuple[str, str, Callable[[Any], bool]], ...] = (
    ("ack_due_at", "received_at", lambda c: c.acknowledged_at is None),
    ("ack_warn_at", "received_at", lambda c: c.acknowledged_at is None),
    ("resolve_due_at", "received_at", lambda c: c.first_resolved_at is None),
    ("resolve_warn_at", "received_at", lambda c: c.first_resolved_at is None),
    ("loop_due_at", "last_public_at", lambda c: c.last_public_at is not None),
    ("escalate_at", "received_at", lambda c: c.escalated_at is None),
)
COLUMNS = (
    "id",
    "version",
    "reference",
    "received_at",
    "acknowledged_at",
    "first_resolved_at",
    "last_public_at",
    "escalated_at",
    *(name for name, _anchor, _running in CLOCKS),
)


def closures() -> list[ClosureDay]:
    return list(db.session.execute(select(ClosureDay).order_by(ClosureDay.day)).scalars())


def calendar_version() -> str:
    """A digest of the closure days: a preview made on another calendar is refused at apply."""
    days = [d.isoformat() for d in db.session.execute(select(ClosureDay.day).order_by(ClosureDay.day)).scalars()]
    return hashlib.sha256(",".join(days).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class DayOff:
    day: date
    kind: str  # "holiday" or "closure"
    name_km: str
    name_en: str
    closure: ClosureDay | None = None

    def name(self, locale: str) -> str:
        return self.name_km if locale == "km" else self.name_en


def year(year_number: int) -> list[DayOff]:
    """The year's days off besides weekends: public holidays and closures, by date."""
    english = holidays_lib.country_holidays("KH", years=year_number)
    khmer = holidays_lib.country_holidays("KH", years=year_number, language="km")
    days = [DayOff(d, "holiday", khmer.get(d, name), name) for d, name in english.items()]
    for row in closures():
        if row.day.year == year_number:
            days.append(DayOff(row.day, "closure", row.reason_km, row.reason_en, row))
    return sorted(days, key=lambda d: (d.day, d.kind))


@dataclass
class Move:
    """One case whose instants move: {column: (old, new)} as aware datetimes."""

    case_id: int
    version: int
    reference: str
    changes: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)


@dataclass
class Preview:
    day: date
    closing: bool  # True: the day becomes a closure; False: it becomes a working day again
    moves: list[Move]

    @property
    def cases(self) -> int:
        return len(self.moves)

    @property
    def by_clock(self) -> Counter:
        return Counter(column for move in self.moves for column in move.changes if column.endswith("due_at"))


def _calendars(day: date, closing: bool) -> tuple[WorkingCalendar, WorkingCalendar]:
    current = set(db.session.execute(select(ClosureDay.day)).scalars())
    changed = current | {day} if closing else current - {day}
    return WorkingCalendar(current), WorkingCalendar(changed)


def _candidates(day: date, after_id: int = 0):
    """Open cases with a running instant on or after the start of `day` (a closure cannot move earlier ones)."""
    start = to_db(datetime.combine(day, time(0), TZ))
    columns = [getattr(Case, name) for name in COLUMNS]
    return (
        select(*columns)
        .where(
            Case.status.in_(OPEN_STATUS_VALUES),
            Case.id > after_id,
            or_(*(getattr(Case, name) >= start for name, _a, _r in CLOCKS)),
        )
        .order_by(Case.id)
        .limit(BATCH)
    )


def move_of(row, day: date, old: WorkingCalendar, new: WorkingCalendar) -> Move | None:
    """The instants of one case (a row with COLUMNS) that `day` changing moves; None if none."""
    move = Move(row.id, row.version, row.reference)
    for column, anchor_name, running in CLOCKS:
        value, anchor = getattr(row, column), getattr(row, anchor_name)
        if value is None or anchor is None or not running(row):
            continue
        moved = shifted_by_closure(from_db(value), from_db(anchor), day, old, new)
        if moved is not None:
            move.changes[column] = (from_db(value), moved)
    return move if move.changes else None


def _rows(day: date) -> Iterable:
    last = 0
    while True:
        rows = db.session.execute(_candidates(day, last)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def preview(day: date, closing: bool) -> Preview:
    """Which open cases' instants would move if `day` became a closure (or a working day again)."""
    old, new = _calendars(day, closing)
    moves = [m for row in _rows(day) if (m := move_of(row, day, old, new)) is not None]
    return Preview(day, closing, moves)


def _check_day(day: date, now: datetime) -> None:
    if day < local_date(now):
        raise Invalid(
            _l("A day that has passed cannot change: deadlines already reached (and breaches recorded) stand."), "day"
        )


def check_new_closure(day: date, now: datetime) -> None:
    """Refuse a day that cannot become a closure: passed, already closed, or not a working day anyway."""
    _check_day(day, now)
    if db.session.execute(select(ClosureDay.id).where(ClosureDay.day == day)).first():
        raise Invalid(_l("Offices are already closed on this day."), "day")
    if not WorkingCalendar().is_working_day(day):
        raise Invalid(_l("This day is already a weekend or a public holiday."), "day")


def add(
    actor: User | None,
    expected_version: str | None,
    day: date,
    *,
    reason_en: str,
    reason_km: str,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ClosureDay, int]:
    """Close offices on `day` and move the open cases' instants past it; returns (closure, cases moved)."""
    require_admin(actor)
    now = now or datetime.now(timezone.utc)
    if expected_version != calendar_version():
        raise EditConflict()
    check_new_closure(day, now)
    if not reason_en.strip() or not reason_km.strip():
        field = "reason_km" if not reason_km.strip() else "reason_en"
        raise Invalid(_l("Say why offices are closed, in both languages."), field)
    old, new = _calendars(day, closing=True)
    row = ClosureDay(day=day, reason_en=reason_en.strip(), reason_km=reason_km.strip(), created_at=to_db(now))
    db.session.add(row)
    db.session.flush()
    reasons = {"reason_en": row.reason_en, "reason_km": row.reason_km}
    moved = _apply(actor, day, old, new, True, reasons, now, progress)
    record_change(
        actor, ENTITY, row.id, None, {"day": day, **reasons}, note=f"{moved} open cases' due dates moved", now=now
    )
    return row, moved


def remove(
    actor: User | None,
    expected_version: str | None,
    closure: ClosureDay,
    *,
    now: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Make a closure day a working day again; the open cases' instants move back. Returns cases moved."""
    require_admin(actor)
    now = now or datetime.now(timezone.utc)
    if expected_version != calendar_version():
        raise EditConflict()
    _check_day(closure.day, now)
    day, closure_id = closure.day, closure.id
    old, new = _calendars(day, closing=False)
    before = {"day": day, "reason_en": closure.reason_en, "reason_km": closure.reason_km}
    db.session.delete(closure)
    db.session.flush()
    moved = _apply(actor, day, old, new, False, {}, now, progress)
    record_change(actor, ENTITY, closure_id, before, None, note=f"{moved} open cases' due dates moved", now=now)
    return moved


def _apply(actor, day, old, new, closing, reasons, now, progress) -> int:
    """Move every open case's instants; the cases' events are chained a batch at a time."""
    moved = 0
    pending: list[dict] = []
    for row in list(_rows(day)):
        move = move_of(row, day, old, new)
        if move is None:
            continue
        if not _write(row, move):
            # An officer acted on the case since it was read: read it again and recompute.
            fresh = db.session.execute(select(*[getattr(Case, n) for n in COLUMNS]).where(Case.id == row.id)).one()
            move = move_of(fresh, day, old, new)
            if move is None:
                continue
            if not _write(fresh, move):
                raise EditConflict()
        pending.append(_event(actor, move, day, closing, reasons, now))
        moved += 1
        if len(pending) >= BATCH:
            audit.append_events(pending)
            pending = []
            if progress is not None:
                progress(moved)
    audit.append_events(pending)
    return moved


def _write(row, move: Move) -> bool:
    """The case's new instants, if it is still at the version read (a conditional UPDATE)."""
    values = {column: to_db(new) for column, (_old, new) in move.changes.items()}
    touches.note_update(row, values)
    result = db.session.execute(
        update(Case)
        .where(Case.id == row.id, Case.version == row.version)
        .values(**values, version=row.version + 1)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def _event(actor, move: Move, day: date, closing: bool, reasons: dict, now: datetime) -> dict:
    """The public `due_moved` event of one case: the tracking page says what moved and why."""
    return {
        "kind": EVENT,
        "case_id": move.case_id,
        "actor": actor,
        "actor_label": "system" if actor is None else "staff",
        "public": True,
        "at": now,
        "payload": {
            "day": day.isoformat(),
            "closed": closing,
            **reasons,
            "moved": {column: [old.isoformat(), new.isoformat()] for column, (old, new) in move.changes.items()},
        },
    }
