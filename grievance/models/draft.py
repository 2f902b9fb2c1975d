"""What is put together before a case exists: a web form filled in steps, an SMS or Telegram exchange.

Every channel that asks its questions one at a time keeps the answers here, on the server, under a
keyed hash of who is answering (a random token for the web, the phone number for SMS, the chat for
Telegram), so nothing typed is lost between steps and nothing identifying is stored in the clear.
Chosen files wait as pending uploads until the complaint is sent. Drafts expire and are purged.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.extensions import db
from grievance.models.case import StoredFile
from grievance.models.timeutil import utcnow

DRAFT_CHANNELS = ("web", "sms", "telegram")
UPLOAD_TYPES = ("image/jpeg", "image/png", "application/pdf")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Draft(db.Model):
    """Answers given so far, one row per channel and person; `data` is JSON, `step` the next question."""

    __tablename__ = "drafts"
    __table_args__ = (
        UniqueConstraint("channel", "owner_hash"),
        CheckConstraint(_in("channel", DRAFT_CHANNELS), name="channel"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    owner_hash: Mapped[str] = mapped_column(String(64))
    flow: Mapped[str] = mapped_column(String(16), default="file")
    step: Mapped[str] = mapped_column(String(24), default="")
    language: Mapped[str] = mapped_column(String(2), default="km")
    data: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    uploads: Mapped[list[PendingUpload]] = relationship(
        back_populates="draft", order_by="PendingUpload.id", cascade="all, delete-orphan", passive_deletes=True
    )


class PendingUpload(StoredFile, db.Model):
    """A file already checked and cleaned, waiting under a random name for its complaint to be sent."""

    __tablename__ = "pending_uploads"
    __table_args__ = (CheckConstraint(_in("content_type", UPLOAD_TYPES), name="type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    draft: Mapped[Draft] = relationship(back_populates="uploads")


class InboundMessage(db.Model):
    """An SMS or Telegram update already handled (by the gateway's id, hashed): a redelivery does nothing."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("channel", "message_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    message_key: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class ChatLink(db.Model):
    """A Telegram chat that asked for news of a case: the chat id is kept only because the person agreed."""

    __tablename__ = "chat_links"
    __table_args__ = (UniqueConstraint("case_id", "channel", "chat_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16), default="telegram")
    chat_hash: Mapped[str] = mapped_column(String(64), index=True)
    chat_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
