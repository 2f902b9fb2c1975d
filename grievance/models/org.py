"""Funds (and the oversight council) and the organisations that monitor them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow


class Fund(db.Model):
    """An agency that handles complaints: NSAF, NSSF, HEALTH, or the council's triage desk (NSPC)."""

    __tablename__ = "funds"
    __table_args__ = (CheckConstraint("kind IN ('fund', 'oversight')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_km: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="fund")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    def name(self, locale: str) -> str:
        return self.name_km if locale == "km" else self.name_en


class Organisation(db.Model):
    """A civil-society organisation or union that files for people and monitors cases."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('cso', 'union')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="cso")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
