"""The dashboard's figures of a period, computed once and stored (`figure_snapshots`).

Computing a month at a million cases takes seconds (every case the month touches, every open
case for the backlog, working days for each); the dashboard shows thirteen months (the period
and a 12-month trend) and must answer in under a second. So each period's figures are stored
after they are computed, and served from the store while they are still right:

- a period that has ended (stored more than `SETTLE` after its end) keeps its figures unless
  a write noted since (`grievance.services.touches`) reached back to an instant before the
  period's end: a breach recorded at last month's deadline, an extension moving a due date,
  a corrected province. Then it is computed again, on the next view or by `dashboard refresh`;
- the current period is served from the store for at most `DASHBOARD_LIVE_SECONDS` (config,
  600 s by default, kept fresher by `flask dashboard refresh` after each sweep; 0 = always
  computed), and the page says when its figures were computed;
- the stored row's key holds the definitions' version, the funds and a digest of the working
  calendar, so a new holiday or closure day, or a change of definitions, is never served stale.

The figures themselves are `figures.compute` (metrics' month core), unchanged; a test compares
stored and freshly computed figures after each kind of write.
"""

from __future__ import annotations

import hashlib
import json
import time
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, exists, func, select

from grievance import sqlite
from grievance.extensions import db
from grievance.models import FigureSnapshot, FigureTouch
from grievance.models.timeutil import utcnow
from grievance.reports import metrics

VERSION = "2"  # raise when the dashboard's definitions change: every stored period is then recomputed
SETTLE = timedelta(hours=1)  # a period is "ended" for the store this long after its end


def _key(period, funds: list[str], clock: metrics.WorkClock) -> tuple[str, str]:
    """(prefix naming the period, full key): the full key adds funds and the calendar's digest."""
    calendar = hashlib.sha256(clock.first.isoformat().encode() + bytes(clock.working)).hexdigest()[:16]
    prefix = f"dashboard:{period.first}:{period.last}:"
    return prefix, f"{prefix}v{VERSION}:{','.join(funds)}:{calendar}"


def _touched_since(mark: int, end: datetime) -> bool:
    query = select(exists().where(FigureTouch.id > mark, FigureTouch.earliest < end))
    return bool(db.session.execute(query).scalar())


def _touch_mark() -> int:
    return db.session.execute(select(func.coalesce(func.max(FigureTouch.id), 0))).scalar_one()


def usable(row: FigureSnapshot, period, now: datetime) -> bool:
    """Whether a stored period's figures are still the figures (see the module's rules)."""
    _start, end = period.bounds()
    if _touched_since(row.touch_mark, end):
        return False
    if row.computed_at >= end + SETTLE:
        return True
    live = timedelta(seconds=current_app.config.get("DASHBOARD_LIVE_SECONDS", 600))
    return now - row.computed_at <= live


def period_figures(period, compute) -> tuple[dict, datetime]:
    """The figures of `period` and when they were computed: stored ones if still right, else computed and stored.

    `compute(period, funds, clock)` does the work (figures.compute).
    """
    from grievance.oversight.figures import _clock

    funds = metrics._fund_codes(None)
    clock = _clock(period.first.first_day(), period.last)
    prefix, key = _key(period, funds, clock)
    now = utcnow()
    row = db.session.get(FigureSnapshot, key)
    if row is not None and usable(row, period, now):
        return json.loads(row.figures), row.computed_at
    mark = _touch_mark()  # before reading any case: a write committed after this has a higher id
    started = time.perf_counter()
    data = compute(period, funds, clock)
    elapsed_ms = int((time.perf_counter() - started) * 1000)
    # Round-trip through JSON so that a computed answer is exactly what a stored one will be.
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))
    _store(prefix, FigureSnapshot(key=key, computed_at=now, seconds=elapsed_ms, touch_mark=mark, figures=text))
    return json.loads(text), now


def _store(prefix: str, row: FigureSnapshot) -> None:
    """Replace the stored figures of the period, in a writing transaction of its own.

    Storing is an optimisation: if another request stored the same period at the same moment,
    or the database is busy, the figures are still answered and the next view stores them.
    """
    db.session.commit()  # end this request's (read-only) transaction before writing
    token = sqlite.set_read_only(False)
    try:
        db.session.execute(delete(FigureSnapshot).where(FigureSnapshot.key.startswith(prefix, autoescape=True)))
        db.session.add(row)
        db.session.commit()
    except Exception:  # noqa: BLE001 - a lost race or a busy database: the answer does not depend on it
        db.session.rollback()
        current_app.logger.warning("dashboard figures for %s not stored", prefix)
    finally:
        sqlite.reset(token)


def forget_all() -> int:
    """Drop every stored period (the next view computes afresh); returns how many were stored."""
    n = db.session.execute(delete(FigureSnapshot)).rowcount
    db.session.commit()
    return n
