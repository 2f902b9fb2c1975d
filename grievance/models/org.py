"""Funds (and the oversight council), the organisations that monitor them, and their API keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


# A civil-society organisation, a union, or a platform that relays people's own reports
# (a FixMyStreet installation, a city's 311 tool). An administrator chooses it.
ORGANISATION_KINDS = ("cso", "union", "platform")


class Organisation(db.Model):
    """A civil-society organisation, union or platform that files for people and monitors cases."""

    __tablename__ = "organisations"
    __table_args__ = (CheckConstraint("kind IN ('cso', 'union', 'platform')", name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="cso")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


# What a key is for. A relay key belongs to a platform that passes on people's own reports
# (a FixMyStreet installation, a city's 311 tool); an assisted key to an organisation filing on
# someone's behalf, which must record that person's consent.
API_KEY_PURPOSES = ("relay", "assisted")


class ApiKey(db.Model):
    """A partner organisation's key for the Open311 API; only its SHA-256 is stored."""

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint("purpose IN ('relay', 'assisted')", name="purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(8))
    purpose: Mapped[str] = mapped_column(String(16), default="assisted", server_default="assisted")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()
