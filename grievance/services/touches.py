"""Noting the writes that can change the figures of a month that has already ended.

The dashboard stores each period's figures (`snapshots`). A month's figures depend on the
instants of its cases (received, due, acknowledged, resolved, breached, escalated), on who a
case counts for (province, vulnerable groups, people) and on the events of the month. Almost
every write sets instants of *now*, which only the current month can see. A few write an
earlier instant: the sweep records a breach at its deadline (which may be last month when it
runs just after midnight on the 1st), a resolution records a missed breach at the deadline, an
approved extension moves a due date out of a month, a correction of a province or group moves
a case between rows, generated or imported data arrives with past instants.

Each such write leaves a `FigureTouch` with the earliest instant it affected, committed in the
same transaction. A stored period that ends after that instant and was computed before the
touch is computed again. Two paths note writes:

- `note_update(case, values)`: the conditional UPDATEs of the case services and the sweep
  (Core statements, which the ORM does not see), called before the statement runs;
- an ORM `before_flush` hook for everything else (new cases, new events, ORM edits).

A transfer is not a touch: the fund a case counted for at a past month's end is replayed
from its transfer events, so moving a case now does not change last month.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from grievance.domain.calendar import TZ

PENDING = "figure_touch_earliest"

INSTANTS = (
    "received_at",
    "acknowledged_at",
    "ack_due_at",
    "first_resolved_at",
    "resolve_due_at",
    "ack_breached_at",
    "resolve_breached_at",
    "loop_breached_at",
    "escalated_at",
)
# Who a case counts for in a month's rows: a change moves it between rows of every month since its receipt.
ATTRIBUTES = (
    "province_code",
    "gender",
    "disability",
    "idpoor",
    "informal_worker",
    "indigenous",
    "people_affected",
)


def current_month_start(now: datetime | None = None) -> datetime:
    """Start of the current month in Phnom Penh, as naive UTC (how instants are stored)."""
    local = (now or datetime.now(timezone.utc)).astimezone(TZ)
    start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return start.astimezone(timezone.utc).replace(tzinfo=None)


def _naive(moment) -> datetime | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def note(session: Session, *moments) -> None:
    """Remember the earliest of `moments` that lies before the current month, for this transaction."""
    cutoff = current_month_start()
    found = [m for m in (_naive(x) for x in moments) if m is not None and m < cutoff]
    if not found:
        return
    earliest = min(found)
    pending = session.info.get(PENDING)
    session.info[PENDING] = earliest if pending is None else min(pending, earliest)


def note_update(case, values: dict) -> None:
    """Before a Core UPDATE of `case` with `values`: note the instants it sets or clears."""
    from grievance.extensions import db

    moments = []
    for name, new in values.items():
        if name in INSTANTS:
            old = getattr(case, name)
            if _naive(old) != _naive(new):
                moments += [old, new]
        elif name in ATTRIBUTES and getattr(case, name) != new:
            moments.append(case.received_at)
    note(db.session(), *moments)


def _before_flush(session: Session, _context, _instances) -> None:
    from grievance.models import Case, Event

    moments = []
    for obj in session.new:
        if isinstance(obj, Case):
            moments += [getattr(obj, name) for name in INSTANTS]
        elif isinstance(obj, Event):
            moments.append(obj.at)
    for obj in session.dirty:
        if not isinstance(obj, Case):
            continue
        state = inspect(obj)
        for name in INSTANTS:
            history = state.attrs[name].history
            if history.has_changes():
                moments += [*history.added, *history.deleted]
        if any(state.attrs[name].history.has_changes() for name in ATTRIBUTES):
            moments.append(obj.received_at)
    for obj in session.deleted:
        if isinstance(obj, Case):
            moments.append(obj.received_at)
    if moments:
        note(session, *moments)


def _before_commit(session: Session) -> None:
    session.flush()  # commit flushes after this hook: see what the last flush notes first
    earliest = session.info.pop(PENDING, None)
    if earliest is None:
        return
    from grievance.models import FigureTouch

    now = datetime.now(timezone.utc).replace(tzinfo=None)
    session.execute(insert(FigureTouch).values(earliest=earliest, created_at=now))


def _forget(session: Session, *_args) -> None:
    session.info.pop(PENDING, None)


def install() -> None:
    """Listen on every ORM session (idempotent)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "before_commit", _before_commit)
        event.listen(Session, "after_rollback", _forget)
