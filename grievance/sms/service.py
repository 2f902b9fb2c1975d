"""SMS: the gateway forwards what a person texted; the conversation answers through the outbox.

Texting the keyword (ប្ដឹង, COMPLAIN) files a complaint in a short exchange; a reference and a code
check its status (and then add information or answer "did this solve it?"); CODE and a reference
get a new tracking code sent to the phone on record. See grievance/chat/engine.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from grievance.chat import engine
from grievance.chat import service as chat
from grievance.domain import dates
from grievance.domain.calendar import TZ
from grievance.labels import khmer_digits_chosen
from grievance.models import Case
from grievance.models.timeutil import from_db
from grievance.sms import replies

MAX_TEXT = 320
parse = engine.parse_reference


@dataclass(frozen=True)
class Inbound:
    sender: str
    text: str
    message_id: str


def reply_for(case: Case | None) -> tuple[str, str]:
    """(text, language) of a status answer: the status in plain words, or the same 'not found' for all."""
    if case is None:
        return replies.NOT_FOUND, "km"
    from grievance.cases import appeals

    language = case.language if case.language in ("km", "en") else "km"
    latest = next(iter(appeals.appeals_of(case)[-1:]), None)
    waiting = latest is not None and latest.decided_at is None
    due_at = latest.due_at if waiting else case.resolve_due_at
    due = dates.day(from_db(due_at).astimezone(TZ), language, khmer=khmer_digits_chosen())
    escalated = case.escalated_at is not None and case.is_open and not waiting
    text = replies.status_text(
        case.reference,
        case.status,
        language,
        due,
        escalated,
        appeal_by=latest.reviewer_body if waiting else None,
        appeal_outcome=None if latest is None or waiting else latest.outcome,
    )
    return text, language


def answer(message: Inbound, *, key: bytes, now: datetime | None = None) -> bool:
    """Answer one inbound text; a repeat of the same gateway message id does nothing (returns False)."""
    if not chat.first_time("sms", message.message_id):
        return False
    conversation = engine.Conversation(chat.settings("sms", max_text=MAX_TEXT), key, now=now)
    outcome = conversation.handle(engine.Incoming(owner=message.sender, text=message.text[:MAX_TEXT]))
    chat.queue_replies(
        "sms", message.sender, outcome.replies, message_id=message.message_id, language=conversation.lang
    )
    return True
