"""Reply templates: ready-made public messages in Khmer and English that administrators keep and
officers insert into a public update (then edit and send like any message)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow


class ReplyTemplate(db.Model):
    __tablename__ = "reply_templates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title_km: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    body_km: Mapped[str] = mapped_column(Text)
    body_en: Mapped[str] = mapped_column(Text)
    # None: offered to every fund; otherwise only on that fund's cases.
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"), index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    def title(self, locale: str) -> str:
        return self.title_km if locale == "km" else self.title_en

    def body(self, language: str) -> str:
        return self.body_km if language == "km" else self.body_en
