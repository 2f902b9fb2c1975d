"""Answering a status request sent by SMS: parse, look up, queue one reply per inbound message."""

from __future__ import annotations

import re
from dataclasses import dataclass

from grievance.domain.calendar import TZ
from grievance.intake import service as intake
from grievance.models import Case
from grievance.models.timeutil import from_db
from grievance.notifications import outbox
from grievance.sms import replies

# "GRV-2026-000123 ABCD-EFGH-JKMN-PQRS", tolerant of case, spaces and missing dashes.
_REFERENCE = re.compile(r"GRV[\s\-_.]*(\d{4})[\s\-_.]*(\d{1,9})", re.IGNORECASE)
MAX_TEXT = 320


@dataclass(frozen=True)
class Inbound:
    sender: str
    text: str
    message_id: str


def parse(text: str) -> tuple[str, str] | None:
    """(reference, code) from a free-form text; None if there is no reference at all."""
    match = _REFERENCE.search(text[:MAX_TEXT])
    if match is None:
        return None
    reference = f"GRV-{match.group(1)}-{int(match.group(2)):06d}"
    rest = (text[: match.start()] + " " + text[match.end() :])[:MAX_TEXT]
    code = "".join(ch for ch in rest if ch.isascii() and ch.isalnum())
    return reference, code


def reply_for(case: Case | None) -> tuple[str, str]:
    """(text, language) of the answer: the status in plain words, or the same 'not found' for all."""
    if case is None:
        return replies.NOT_FOUND, "km"
    due = from_db(case.resolve_due_at).astimezone(TZ).strftime("%Y-%m-%d")
    escalated = case.escalated_at is not None and case.is_open
    return replies.status_text(case.reference, case.status, case.language, due, escalated), case.language


def answer(message: Inbound, *, key: bytes) -> bool:
    """Queue the reply to one inbound message; a repeat of the same message id queues nothing."""
    parsed = parse(message.text)
    case = None if parsed is None else intake.find_by_tracking(parsed[0], parsed[1], key)
    text, language = reply_for(case)
    return outbox.enqueue(
        channel="sms",
        recipient=message.sender,
        body=text,
        key=outbox.idempotency_key("sms-inbound", message.message_id),
        case=case,
        language=language,
    )
