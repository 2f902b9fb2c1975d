"""Turning cases into what the public side shows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from grievance import labels
from grievance.domain.calendar import TZ
from grievance.models import Case
from grievance.models.timeutil import from_db
from grievance.services import audit, disclosure, reference

SITUATIONS = [
    ("money", _l("Money or support I should receive")),
    ("work", _l("Work, my employer and social security")),
    ("health", _l("Health care and health facilities")),
    ("other", _l("Officials and other problems")),
]

STATUS_WORDS = {
    "received": _l("We have received your complaint. The fund has not answered yet."),
    "acknowledged": _l("The fund has seen your complaint and will look into it."),
    "in_progress": _l("The fund is working on your complaint."),
    "awaiting_info": _l("The fund needs more information from you. Please answer below."),
    "resolved": _l("The fund has answered your complaint."),
    "rejected": _l("The fund decided it cannot act on your complaint, and said why."),
    "closed": _l("Your complaint is closed."),
    "reopened": _l("Your complaint was opened again and the fund is looking at it."),
}

EVENT_WORDS = {
    "received": _l("Complaint received"),
    "acknowledge": _l("Acknowledged by the fund"),
    "public_update": _l("Update from the fund"),
    "request_info": _l("The fund asked for information"),
    "provide_info": _l("Information added"),
    "note": _l("Information added"),
    "resolve": _l("Answered"),
    "reject": _l("Not accepted"),
    "reopen": _l("Opened again"),
    "transfer": _l("Passed to another fund"),
    "feedback": _l("Your answer about the result"),
    "escalated": _l("Sent to the oversight council"),
    "code_reissued": _l("A new tracking code was issued"),
    "due_moved": _l("Dates moved: offices closed"),
    "due_extended": _l("More time to answer"),
    "appeal": _l("Appeal opened"),
    "appeal_decided": _l("Appeal decided"),
    "referral": _l("Referred to another body"),
    "duplicate": _l("Answered with another complaint"),
}


def category_groups(locale: str) -> list[tuple[str, list[tuple[reference.CategoryChoice, str]]]]:
    categories = reference.active_categories()
    groups = []
    for key, label in SITUATIONS:
        items = [(c, c.name(locale)) for c in categories if c.situation == key]
        if items:
            groups.append((label, items))
    return groups


@dataclass(frozen=True)
class ReceiptView:
    """What the receipt page shows, taken before the commit: the page then needs no database."""

    reference: str
    fund_km: str
    fund_en: str
    ack_due: datetime
    resolve_due: datetime


def receipt_view(case: Case) -> ReceiptView:
    return ReceiptView(
        case.reference, case.fund.name("km"), case.fund.name("en"), local(case.ack_due_at), local(case.resolve_due_at)
    )


@dataclass
class PublicEvent:
    at: datetime
    label: str
    message: str | None


@dataclass
class PublicView:
    reference: str
    category: str
    fund: str
    status: str
    status_words: str
    received_at: datetime
    ack_due: datetime
    resolve_due: datetime
    events: list[PublicEvent]
    can_add_information: bool
    can_give_feedback: bool
    appeal: AppealView | None = None


@dataclass
class AppealView:
    """The latest appeal as the complainant reads it (no reviewer's name)."""

    started_at: datetime
    due: datetime
    by_council: bool
    decided_at: datetime | None
    outcome: str | None
    late: bool


def local(dt: datetime | None) -> datetime | None:
    return None if dt is None else from_db(dt).astimezone(TZ)


def _public_message(case: Case, kind: str, payload: dict, locale: str = "km") -> str | None:
    """The text shown under a history line, as whoever holds the code may read it.

    What a person typed (a message, a reason) goes through the one redaction, disclosure.redact;
    the system's own words and dates, said in the reader's language, are put around it afterwards
    (masking a whole line would take a date such as 2026-04-14 for an ID number).
    """
    if kind == "due_moved":
        day = _day(payload.get("day"), locale)
        if payload.get("closed"):
            reason = disclosure.redact(case, payload.get("reason_km" if locale == "km" else "reason_en") or "")
            return str(
                _l(
                    "Offices are closed on %(day)s (%(reason)s): the dates above moved one working day later.",
                    day=day,
                    reason=reason,
                )
            )
        return str(_l("%(day)s is a working day again: the dates above moved one working day earlier.", day=day))
    if kind == "due_extended":
        return str(
            _l(
                "The fund needs more time to answer: the new date for an answer is %(day)s. Reason: %(reason)s",
                day=labels.day(local(datetime.fromisoformat(payload["resolve_due"])), locale),
                reason=disclosure.redact(case, payload.get("reason") or ""),
            )
        )
    if kind == "feedback":
        return str(_l("Yes") if payload.get("solved") else _l("No"))
    if kind in ("appeal", "appeal_decided", "referral"):
        return _appeal_message(case, kind, payload, locale)
    if kind == "duplicate":
        return str(
            _l(
                "This complaint is the same as complaint %(original)s, which the fund is handling: the answer "
                "will be given there. Follow it with that reference and its tracking code. If you did not file "
                "%(original)s, answer below that this did not solve your problem.",
                original=payload.get("original"),
            )
        )
    if kind == "reopen" and payload.get("appeal"):
        return str(_l("You said the answer did not solve your problem, so your complaint is now an appeal."))
    message = payload.get("message")
    return None if message is None else disclosure.redact(case, message)


def _appeal_message(case: Case, kind: str, payload: dict, locale: str) -> str:
    """The appeal's steps in the reader's words; the reviewer's reason through the one redaction."""
    if kind == "referral":
        body = str(labels.OUTSIDE_BODY.get(payload.get("body"), payload.get("body")))
        text = str(
            _l(
                "Your complaint was referred to %(body)s on %(day)s.",
                body=body,
                day=_day(payload.get("referred_on"), locale),
            )
        )
        note = disclosure.redact(case, payload.get("note") or "")
        return f"{text} {note}".strip()
    due = labels.day(local(datetime.fromisoformat(payload["due_at"])), locale)
    if kind == "appeal":
        if payload.get("reviewer_body") == "council":
            return str(
                _l("The National Social Protection Council will review your appeal and decide by %(day)s.", day=due)
            )
        return str(_l("A reviewer who did not give the first answer will decide your appeal by %(day)s.", day=due))
    text = (
        str(labels.APPEAL_OUTCOME.get(payload.get("outcome"), ""))
        + ". "
        + str(_l("Reason: %(reason)s", reason=disclosure.redact(case, payload.get("reason") or "")))
    )
    if payload.get("regulator_days"):
        text += " " + str(regulator_words(payload["regulator_days"]))
    return text


def regulator_words(days: int) -> str:
    return str(
        _l(
            "This is the fund's final answer. If you disagree, you may take your complaint to the Social Security "
            "Regulator within %(days)s days of this answer.",
            days=days,
        )
    )


def _day(iso: str | None, locale: str) -> str:
    """A day stored as ISO text, as the reader writes it."""
    return labels.day(date.fromisoformat(iso), locale) if iso else ""


def public_view(case: Case, locale: str) -> PublicView:
    """What the tracking page shows: public events only, no internal notes, no staff names, text redacted
    (whoever holds the code reads it, on a phone that may not be theirs)."""
    import json

    events = []
    for ev in audit.case_events(case.id, public_only=True):
        payload = json.loads(ev.payload)
        events.append(
            PublicEvent(
                local(ev.at), str(EVENT_WORDS.get(ev.kind, ev.kind)), _public_message(case, ev.kind, payload, locale)
            )
        )
    return PublicView(
        reference=case.reference,
        category=case.category.name(locale),
        fund=case.fund.name(locale),
        status=case.status,
        status_words=str(STATUS_WORDS[case.status]),
        received_at=local(case.received_at),
        ack_due=local(case.ack_due_at),
        resolve_due=local(case.resolve_due_at),
        events=events,
        can_add_information=case.is_open,
        can_give_feedback=case.status in ("resolved", "rejected") and case.satisfied is None,
        appeal=_appeal_view(case),
    )


def _appeal_view(case: Case) -> AppealView | None:
    from grievance.cases import appeals

    found = appeals.appeals_of(case)
    if not found:
        return None
    a = found[-1]
    return AppealView(
        started_at=local(a.started_at),
        due=local(a.due_at),
        by_council=a.reviewer_body == "council",
        decided_at=local(a.decided_at),
        outcome=None if a.outcome is None else str(labels.APPEAL_OUTCOME[a.outcome]),
        late=a.breached_at is not None,
    )
