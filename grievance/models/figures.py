"""Stored dashboard figures (one row per period) and the writes that may have changed them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db


class FigureSnapshot(db.Model):
    """The council dashboard's figures of one period, as computed at `computed_at` (see oversight.snapshots)."""

    __tablename__ = "figure_snapshots"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)  # period, definitions version, calendar
    computed_at: Mapped[datetime] = mapped_column(DateTime)
    seconds: Mapped[int] = mapped_column(Integer, default=0)  # milliseconds the computation took
    touch_mark: Mapped[int] = mapped_column(Integer, default=0)  # the last FigureTouch id before computing
    figures: Mapped[str] = mapped_column(Text)  # canonical JSON


class FigureTouch(db.Model):
    """A committed write that set or cleared an instant before the current month (or changed who a case counts for).

    Such a write can change the figures of a month that has already ended; a stored period
    whose end is after `earliest` and whose `touch_mark` is below this id is recomputed.
    Ids follow commit order: a touch is inserted just before commit, after the case's audit event,
    whose chain-head lock serialises writers (and SQLite serialises every writer).
    """

    __tablename__ = "figure_touches"
    # Ids must never be reused (SQLite reuses the largest id after a delete without AUTOINCREMENT).
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    earliest: Mapped[datetime] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
