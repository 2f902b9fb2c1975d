"""The notifications outbox: messages written in the same transaction as their event."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db
from grievance.models.timeutil import utcnow

SCRUBBED = "-"  # the recipient of a transient message once it has been delivered or given up


class OutboxMessage(db.Model):
    """A notification written in the same transaction as the event that causes it.

    `outbox deliver` sends it (e-mail, SMS or Telegram) with retries; the idempotency key travels
    with every attempt so the receiving side can recognise a retry.

    A message that carries a secret (a new tracking code, a one-time code) keeps it in `secret`,
    apart from the body, which says `{secret}` where it goes; the secret is dropped once the message
    is delivered or given up. A `transient` message (a reply to an SMS or a Telegram chat) also
    forgets its recipient then, so the outbox does not keep who wrote about which case.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("channel IN ('email', 'sms', 'telegram')", name="channel"),
        CheckConstraint("status IN ('pending', 'sent', 'failed')", name="status"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    channel: Mapped[str] = mapped_column(String(8))
    recipient: Mapped[str] = mapped_column(String(254))
    language: Mapped[str] = mapped_column(String(2), default="km")
    subject: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    secret: Mapped[str | None] = mapped_column(String(64))
    transient: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Telegram: the answers offered as buttons under the message (a JSON list of labels).
    buttons: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(200))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
