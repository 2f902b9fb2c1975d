"""Mass incidents: one failure (a payment round, a closed office) behind many complaints.

An incident is declared by a fund's supervisor for their fund or by the council for any fund
(`fund_id` None: every fund). Cases are linked to it one by one or by a filter; a case is in at
most one incident at a time (`current_case_id`, unique, is the case's id while the link holds
and NULL once it is undone, so the row stays as history). Every write of a link row goes with
an event carrying the whole row (`cases/incidents.link_snapshot`), which `flask audit verify`
checks against the table (services/audit.MIRRORS).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow

INCIDENT_STATUSES = ("open", "closed")
LINK_WAYS = ("one", "filter", "suggested")


class Incident(db.Model):
    __tablename__ = "incidents"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)  # None: every fund
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    # Complaints received on these days (Asia/Phnom_Penh), both included, may belong to it.
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    declared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    declared_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)


class CaseIncident(db.Model):
    """A case's link to an incident; undone links stay (unlinked_at set, current_case_id NULL)."""

    __tablename__ = "case_incidents"
    __table_args__ = (CheckConstraint("how IN ('one', 'filter', 'suggested')", name="how"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # The case's id while the link holds: a case is in one incident at a time, on any database.
    current_case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), unique=True)
    how: Mapped[str] = mapped_column(String(16), default="one")
    linked_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    linked_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    unlinked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unlinked_at: Mapped[datetime | None] = mapped_column(DateTime)
