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

    default_fund: Mapped[Fund] = relationship()

    def name(self, locale: str) -> str:
        return self.name_km if locale == "km" else self.name_en


class SlaPolicy(db.Model):
    """Service levels in working days; the row without a category holds the defaults."""

    __tablename__ = "sla_policies"
    __table_args__ = (
        CheckConstraint("ack_days >= 0 AND resolve_days >= 1 AND loop_days >= 1", name="days"),
        CheckConstraint("warn_percent BETWEEN 1 AND 99", name="warn_percent"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), unique=True)
    ack_days: Mapped[int] = mapped_column(Integer)
    resolve_days: Mapped[int] = mapped_column(Integer)
    loop_days: Mapped[int] = mapped_column(Integer, default=10)
    warn_percent: Mapped[int] = mapped_column(Integer, default=80)
    escalate_after_days: Mapped[int] = mapped_column(Integer, default=5)
    reopen_window_days: Mapped[int] = mapped_column(Integer, default=30)

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
