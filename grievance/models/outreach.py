"""Single-window offices and the public information pages on schemes and rights."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow


class Office(db.Model):
    """A district or commune single-window office where people file in person."""

    __tablename__ = "offices"
    __table_args__ = (CheckConstraint("level IN ('district', 'commune')", name="level"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_km: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    district_code: Mapped[str] = mapped_column(String(4))
    commune_code: Mapped[str | None] = mapped_column(String(6))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def name(self, locale: str) -> str:
        return self.name_km if locale == "km" else self.name_en


class InfoPage(db.Model):
    """Plain-language information on a scheme or a complaint category, edited by administrators."""

    __tablename__ = "info_pages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), unique=True)
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title_km: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_km: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
