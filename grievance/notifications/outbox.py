"""The notification outbox: messages are written with the event that causes them, sent later.

Writing in the same transaction means a notification exists if and only if its event
does. Delivery is at-least-once: a message is marked sent only after the gateway accepted
it, so a process killed in between sends it again, with the same idempotency key, which
lets the receiving side drop the duplicate.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import case as sql_case
from sqlalchemy import select, update

from grievance.extensions import db
from grievance.labels import khmer_digits_chosen
from grievance.models import Case, ChatLink, OutboxMessage, User
from grievance.models.outbox import SCRUBBED
from grievance.models.timeutil import to_db
from grievance.notifications import messages

MAX_ATTEMPTS = 10
LEASE_SECONDS = 120


def idempotency_key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()


def enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    key: str,
    subject: str = "",
    case: Case | None = None,
    language="km",
    secret: str | None = None,
    transient: bool = False,
    buttons: list[str] | tuple[str, ...] = (),
) -> bool:
    """Queue one message unless one with the same key exists; returns True if queued.

    `secret` (a tracking or one-time code) replaces `{secret}` in the body only when it is sent, and
    is forgotten once the message is delivered or given up; so is the recipient of a `transient` one.
    """
    exists = db.session.execute(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key)).first()
    if exists:
        return False
    db.session.add(
        OutboxMessage(
            idempotency_key=key,
            case_id=None if case is None else case.id,
            channel=channel,
            recipient=recipient,
            subject=subject[:200],
            body=body,
            language=language,
            secret=secret,
            transient=transient or secret is not None,
            buttons=json.dumps(list(buttons), ensure_ascii=False) if buttons else None,
        )
    )
    db.session.flush()
    return True


def text_of(msg: OutboxMessage) -> str:
    """The text as sent: the secret put in its place."""
    return msg.body.replace("{secret}", msg.secret) if msg.secret else msg.body


def notify_complainant(
    case: Case, event_kind: str, event_seq: int, *, due: datetime | None = None, days: int | None = None
) -> None:
    """News of a public event, reference only (and the new answer date `due` of an extension): by SMS
    to a complainant who gave a phone and asked for updates, and to every Telegram chat that asked for
    news of this case."""
    body = messages.complainant_sms(
        event_kind, case.reference, case.language, due=due, khmer_digits=khmer_digits_chosen(), days=days
    )
    if body is None:
        return
    person = case.complainant
    if person is not None and person.phone and person.sms_opt_in and case.identity_mode != "anonymous":
        enqueue(
            channel="sms",
            recipient=person.phone,
            body=body,
            key=idempotency_key("complainant", case.id, event_seq),
            case=case,
            language=case.language,
        )
    for link in db.session.execute(select(ChatLink).where(ChatLink.case_id == case.id)).scalars():
        enqueue(
            channel=link.channel,
            recipient=link.chat_id,
            body=body,
            key=idempotency_key("chat", link.id, event_seq),
            case=case,
            language=case.language,
        )


def notify_staff(case: Case, event_kind: str, event_seq: int, *, roles: tuple[str, ...], fund_id: int | None) -> int:
    """E-mail the fund's supervisors (breach) or the council (escalation)."""
    query = select(User).where(User.active.is_(True), User.role.in_(roles))
    if fund_id is not None:
        query = query.where(User.fund_id == fund_id)
    count = 0
    for user in db.session.execute(query).scalars():
        subject, body = messages.staff_email(event_kind, case, user.locale)
        count += enqueue(
            channel="email",
            recipient=user.email,
            subject=subject,
            body=body,
            key=idempotency_key("staff", user.id, case.id, event_seq),
            case=case,
            language=user.locale,
        )
    return count


def _due(now: datetime):
    return (
        select(OutboxMessage)
        .where(OutboxMessage.status == "pending", OutboxMessage.next_attempt_at <= to_db(now))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
    )


def claim_batch(now: datetime, limit: int = 100) -> list[int]:
    """Lease due messages so a second deliverer running at once does not pick them too."""
    claimed = []
    lease_until = to_db(now + timedelta(seconds=LEASE_SECONDS))
    for msg in db.session.execute(_due(now).limit(limit)).scalars().all():
        result = db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == msg.id, OutboxMessage.next_attempt_at == msg.next_attempt_at)
            .values(next_attempt_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append(msg.id)
    return claimed


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** max(0, attempts - 1)))


def _forget(msg: OutboxMessage) -> None:
    """A delivered or abandoned message keeps no secret, nor the recipient of a transient reply."""
    msg.secret = None
    if msg.transient:
        msg.recipient = SCRUBBED


def mark_sent(message_id: int, now: datetime) -> None:
    recipient = sql_case((OutboxMessage.transient.is_(True), SCRUBBED), else_=OutboxMessage.recipient)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(
            status="sent",
            sent_at=to_db(now),
            attempts=OutboxMessage.attempts + 1,
            last_error=None,
            secret=None,
            recipient=recipient,
        )
        .execution_options(synchronize_session=False)
    )


def mark_failed(message_id: int, now: datetime, error: str) -> None:
    msg = db.session.get(OutboxMessage, message_id)
    attempts = msg.attempts + 1
    msg.attempts = attempts
    msg.last_error = error[:200]
    if attempts >= MAX_ATTEMPTS:
        msg.status = "failed"
        _forget(msg)
    else:
        msg.next_attempt_at = to_db(now + backoff(attempts))
    db.session.flush()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)
