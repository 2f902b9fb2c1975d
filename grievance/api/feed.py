"""What the Open311 API reads: the public request feed, one request, a token, the updates.

Every text goes through the one redaction (services/disclosure) before it leaves; the loading
here only makes sure each case's complainant and submission come in one query per page, not
one per case.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, selectinload

from grievance.api import present
from grievance.domain import codes
from grievance.extensions import db
from grievance.intake.presenter import EVENT_WORDS, STATUS_WORDS
from grievance.models import ApiSubmission, Case, Category, Event
from grievance.services import disclosure

WINDOW = timedelta(days=90)


class QueryRefused(ValueError):
    """The query cannot be answered as asked; the message says why (a 400)."""


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime


def window(start: datetime | None, end: datetime | None, now: datetime) -> Window:
    """The spec's range: the last 90 days by default, never more than 90 days (times in UTC, naive)."""
    if start is None and end is None:
        return Window(now - WINDOW, now)
    if start is None:
        return Window(end - WINDOW, end)
    if end is None:
        return Window(start, start + WINDOW)
    if end < start:
        raise QueryRefused("end_date is before start_date")
    if end - start > WINDOW:
        raise QueryRefused("start_date and end_date may not span more than 90 days")
    return Window(start, end)


def _with_what_redaction_needs(query):
    return query.options(
        joinedload(Case.category),
        joinedload(Case.fund),
        selectinload(Case.complainant),
        selectinload(Case.api_submission),
    )


def _by_reference(references: list[str]):
    wanted = [parsed for parsed in (codes.parse_reference(r) for r in references) if parsed is not None]
    if not wanted:
        return None
    return or_(*[(Case.year == year) & (Case.number == number) for year, number in wanted])


def requests_page(
    *,
    ids: list[str],
    service_codes: list[str],
    status: str | None,
    span: Window,
    page: int,
    size: int,
) -> tuple[list[Case], bool]:
    """One page of cases, newest first, and whether another page follows.

    `ids` (service_request_id) overrides every other filter, as the specification says.
    """
    query = _with_what_redaction_needs(select(Case))
    if ids:
        matching = _by_reference(ids)
        if matching is None:
            return [], False
        query = query.where(matching)
    else:
        query = query.where(Case.received_at >= span.start, Case.received_at <= span.end)
        if service_codes:
            query = query.where(Case.category_id.in_(select(Category.id).where(Category.code.in_(service_codes))))
        if status == "open":
            query = query.where(Case.status.not_in(present.CLOSED_STATUSES))
        elif status == "closed":
            query = query.where(Case.status.in_(present.CLOSED_STATUSES))
    rows = (
        db.session.execute(
            query.order_by(Case.received_at.desc(), Case.id.desc()).offset((page - 1) * size).limit(size + 1)
        )
        .unique()
        .scalars()
        .all()
    )
    return rows[:size], len(rows) > size


def request_by_reference(reference: str) -> Case | None:
    matching = _by_reference([reference])
    if matching is None:
        return None
    return db.session.execute(_with_what_redaction_needs(select(Case)).where(matching)).unique().scalar_one_or_none()


def reference_for_token(token: str) -> str | None:
    return db.session.execute(
        select(Case.reference).join(ApiSubmission, ApiSubmission.case_id == Case.id).where(ApiSubmission.token == token)
    ).scalar_one_or_none()


# Events that are not updates to a platform: the filing itself and the complainant's own answers.
_NOT_UPDATES = ("received", "feedback")


def _update_text(case: Case, event: Event, payload: dict, changed: bool, new_status: str) -> str:
    message = payload.get("message") if event.public and event.actor_label == "staff" else None
    if message:
        return disclosure.redact(case, message)
    if changed:
        return str(STATUS_WORDS[new_status])
    return str(EVENT_WORDS.get(event.kind, "")) if event.public else ""


def updates(span: Window, limit: int) -> list[dict]:
    """Each case's public updates and status changes in the window, oldest first, redacted."""
    in_window = (
        select(Event.case_id)
        .where(Event.case_id.is_not(None), Event.at >= span.start, Event.at <= span.end)
        .where(Event.kind.not_in(_NOT_UPDATES))
        .distinct()
    )
    cases = {
        c.id: c
        for c in db.session.execute(_with_what_redaction_needs(select(Case)).where(Case.id.in_(in_window)))
        .unique()
        .scalars()
    }
    events = db.session.execute(
        select(Event).where(Event.case_id.in_(list(cases)), Event.at <= span.end).order_by(Event.case_id, Event.seq)
    ).scalars()
    found = []
    status: dict[int, str] = {}
    for event in events:
        payload = json.loads(event.payload)
        previous = status.get(event.case_id, "received")
        new_status = payload.get("to", previous)
        status[event.case_id] = new_status
        changed = new_status != previous
        if event.at < span.start or event.kind in _NOT_UPDATES:
            continue
        if not (changed or (event.public and event.actor_label == "staff")):
            continue  # internal notes, assignments, the sweep's marks, monitors' comments
        case = cases[event.case_id]
        text = _update_text(case, event, payload, changed, new_status)
        found.append((event.seq, present.update(event.seq, case.reference, new_status, event.at, text)))
    found.sort(key=lambda pair: pair[0])
    return [update for _seq, update in found[:limit]]
