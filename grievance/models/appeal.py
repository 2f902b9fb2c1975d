"""An appeal: the complainant said the answer did not solve the problem; its own clock and review.

Every change to a row here is written together with an event whose payload carries the whole
row (`cases/appeals.snapshot`), so `flask audit verify` finds a row altered outside the app.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow


class Appeal(db.Model):
    __tablename__ = "appeals"
    __table_args__ = (
        CheckConstraint("reviewer_body IN ('fund', 'council')", name="reviewer_body"),
        CheckConstraint("outcome IS NULL OR outcome IN ('upheld', 'overturned')", name="outcome"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    started_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    due_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    warn_at: Mapped[datetime] = mapped_column(DateTime)
    appeal_days: Mapped[int] = mapped_column(Integer, default=10)
    reviewer_body: Mapped[str] = mapped_column(String(16), default="fund")
    via: Mapped[str] = mapped_column(String(16), default="web")  # the channel the "not solved" came by
    resolver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    warned_at: Mapped[datetime | None] = mapped_column(DateTime)
    breached_at: Mapped[datetime | None] = mapped_column(DateTime)
