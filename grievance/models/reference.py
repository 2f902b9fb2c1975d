"""Reference data an administrator edits: categories, service levels, routing, closures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.extensions import db
from grievance.models.org import Fund
from grievance.models.timeutil import utcnow


class Category(db.Model):
    __tablename__ = "categories"
    __table_args__ = (CheckConstraint("priority IN ('normal', 'urgent')", name="priority"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_km: Mapped[str] = mapped_column(String(200))
    default_fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    # The everyday situation the category sits under on the public form (not a fund name).
    situation: Mapped[str] = mapped_column(String(16), default="other")
    position: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    default_fund: Mapped[Fund] = relationship()

    def name(self, locale: str) -> str:
        return self.name_km if locale == "km" else self.name_en


# Terms seeded before effective dates existed apply from this instant (before any case).
TERMS_EPOCH = datetime(2000, 1, 1)
PRIORITIES = ("normal", "urgent")


def terms_scope(category_id: int | None = None, priority: str | None = None) -> str:
    """The scope key of a set of terms: every category, one priority, or one category."""
    if category_id is not None:
        return f"category:{category_id}"
    if priority is not None:
        return f"priority:{priority}"
    return "*"


class SlaPolicy(db.Model):
    """Service-level terms (working days) for one scope, in force from `effective_from` on.

    Scope "*" holds the defaults, "priority:urgent" / "priority:normal" the terms of categories
    of that priority without terms of their own, "category:<id>" one category's. A case takes
    the most specific terms in force when it was received and keeps them (Case.sla_policy_id):
    a change is a new row from a later instant, never an edit of terms that clocks already use.
    Each clock term is a column named in domain.sla.TERMS.
    """

    __tablename__ = "sla_policies"
    __table_args__ = (
        UniqueConstraint("scope", "effective_from"),
        CheckConstraint("ack_days >= 0 AND resolve_days >= 1 AND loop_days >= 1", name="days"),
        CheckConstraint("warn_percent BETWEEN 1 AND 99", name="warn_percent"),
        CheckConstraint("priority IS NULL OR priority IN ('normal', 'urgent')", name="priority"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scope: Mapped[str] = mapped_column(String(40), default="*")
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    priority: Mapped[str | None] = mapped_column(String(16))
    effective_from: Mapped[datetime] = mapped_column(DateTime, default=lambda: TERMS_EPOCH)
    ack_days: Mapped[int] = mapped_column(Integer)
    resolve_days: Mapped[int] = mapped_column(Integer)
    loop_days: Mapped[int] = mapped_column(Integer, default=10)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)
    escalate_after_days: Mapped[int] = mapped_column(Integer, default=5)
    reopen_window_days: Mapped[int] = mapped_column(Integer, default=30)
    appeal_days: Mapped[int] = mapped_column(Integer, default=10, server_default="10")
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    category: Mapped[Category | None] = relationship()


class RoutingRule(db.Model):
    """Ordered rules matched on (category, province, channel); empty fields match anything."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    province_code: Mapped[str | None] = mapped_column(String(2))
    channel: Mapped[str | None] = mapped_column(String(16))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    office: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    category: Mapped[Category | None] = relationship()
    fund: Mapped[Fund] = relationship()


class ClosureDay(db.Model):
    """A one-off day when offices are closed (besides weekends and public holidays)."""

    __tablename__ = "closure_days"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[date] = mapped_column(Date, unique=True)
    reason_en: Mapped[str] = mapped_column(String(200))
    reason_km: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
