"""What SMS and Telegram share around a conversation: each inbound message handled once, replies
queued in the outbox (retried until the gateway or Telegram takes them), news links for chats."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from grievance.chat.engine import Reply, Settings
from grievance.extensions import db
from grievance.models import Case, ChatLink, InboundMessage
from grievance.notifications import outbox


def settings(channel: str, *, max_text: int, files: bool = False) -> Settings:
    """The conversation's settings for a channel, from the app's configuration."""
    from grievance.labels import khmer_digits_chosen

    config = current_app.config
    return Settings(
        channel=channel,
        lifetime=timedelta(minutes=config["CHAT_SESSION_MINUTES"]),
        upload_dir=config["UPLOAD_DIR"],
        max_text=max_text,
        files=files,
        sms_limit=channel == "sms",
        khmer_digits=khmer_digits_chosen(),
    )


def first_time(channel: str, message_id: str) -> bool:
    """Note an inbound message by the gateway's id; False if it was handled before (a redelivery)."""
    key = hashlib.sha256(f"{channel}|{message_id}".encode()).hexdigest()
    if db.session.execute(
        select(InboundMessage.id).where(InboundMessage.channel == channel, InboundMessage.message_key == key)
    ).first():
        return False
    try:
        with db.session.begin_nested():
            db.session.add(InboundMessage(channel=channel, message_key=key))
            db.session.flush()
    except IntegrityError:
        return False  # the same message, handled at this very moment by another worker
    return True


def queue_replies(channel: str, sender: str, replies: list[Reply], *, message_id: str, language: str) -> int:
    """Put the replies in the outbox, keyed by the inbound message so a retry queues nothing new."""
    queued = 0
    for n, reply in enumerate(replies):
        # The first reply keeps the key status checks always used (sms-inbound, message id).
        parts = (f"{channel}-inbound", message_id) if n == 0 else (f"{channel}-inbound", message_id, n)
        queued += outbox.enqueue(
            channel=channel,
            recipient=reply.to or sender,
            body=reply.text,
            key=outbox.idempotency_key(*parts),
            case=reply.case,
            language=language,
            secret=reply.secret,
            transient=True,
            buttons=reply.options if channel == "telegram" else (),
        )
    return queued


def subscribe(case: Case, channel: str, chat_hash: str, chat_id: str) -> None:
    """This chat asked for news of the case: keep its id (the person agreed) next to its hash."""
    exists = db.session.execute(
        select(ChatLink.id).where(ChatLink.case_id == case.id, ChatLink.chat_hash == chat_hash)
    ).first()
    if not exists:
        db.session.add(ChatLink(case_id=case.id, channel=channel, chat_hash=chat_hash, chat_id=chat_id))
        db.session.flush()


def unsubscribe(chat_hash: str) -> int:
    """The chat wants no more news: every link of it goes, its id with them."""
    return db.session.execute(delete(ChatLink).where(ChatLink.chat_hash == chat_hash)).rowcount or 0
