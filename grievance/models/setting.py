"""Settings an administrator changes at run time (the admin area's "Settings" page), one row per name."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow


class Setting(db.Model):
    """One named setting; `value` is JSON. No row: the deployment's configuration gives the value."""

    __tablename__ = "settings"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
