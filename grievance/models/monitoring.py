"""Civil-society monitoring: scopes, follows and flags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow

FLAG_KINDS = ("retaliation", "disputed", "no_contact", "other")


class MonitorScope(db.Model):
    """What an organisation's monitors may watch, besides the cases it filed itself.

    Each row allows one (province, category) pair; an empty field matches anything, so a row
    with both empty allows every case. No rows means no cases: a scope fails closed.
    """

    __tablename__ = "monitor_scopes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    province_code: Mapped[str | None] = mapped_column(String(2))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))


class CaseFollow(db.Model):
    __tablename__ = "case_follows"
    __table_args__ = (UniqueConstraint("user_id", "case_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class CaseFlag(db.Model):
    """A monitor's flag on a case; shown on the council's dashboard until handled."""

    __tablename__ = "case_flags"
    __table_args__ = (
        CheckConstraint("kind IN ('retaliation', 'disputed', 'no_contact', 'other')", name="kind"),
        CheckConstraint("status IN ('open', 'handled')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # The council's handling (migration 0024l, monitoring/flags.py): an instruction to the fund
    # with a due date, the fund's answer, and the outcome recorded when the flag is handled.
    instruction: Mapped[str | None] = mapped_column(Text)
    instruction_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    instructed_at: Mapped[datetime | None] = mapped_column(DateTime)
    instructed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outcome: Mapped[str | None] = mapped_column(Text)


class CaseFlagNote(db.Model):
    """A council member's note on a flag (the fund does not read these)."""

    __tablename__ = "case_flag_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("case_flags.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
