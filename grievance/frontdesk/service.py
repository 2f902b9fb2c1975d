"""Front-desk work: file for a person present, find their complaints, record visits, count intake.

Front-desk staff are not case handlers: they see only cases filed at their office or in
their office's province, never the complainant's personal data, and they change no status.
Misconduct complaints (sensitive categories) stay with the council: a desk never finds one by
id or reference; it prints the receipt of one it filed itself, the person's code in hand.
Each verb refuses anyone but the front-desk staff concerned (services.permits).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, time, timezone

from sqlalchemy import Select, false, func, or_, select

from grievance.domain import codes
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.intake import service as intake
from grievance.models import Case, Category, Event, Office, User
from grievance.services import audit, disclosure
from grievance.services.permits import require

IN_PERSON = "in_person"


class ConsentMissing(ValueError):
    """The person has not agreed that staff file and keep their complaint."""


def office_of(user: User) -> Office | None:
    if user.role != "frontdesk" or user.office_id is None:
        return None
    office = db.session.get(Office, user.office_id)
    return office if office is not None and office.active else None  # a closed office files nothing


def scope(query: Select, user: User) -> Select:
    """Restrict a query over Case to what a front-desk officer may see: their office or province, no misconduct."""
    office = office_of(user)
    if office is None:
        return query.where(false())
    sensitive = select(Category.id).where(Category.sensitive.is_(True))
    return query.where(
        or_(Case.intake_office_id == office.id, Case.province_code == office.province_code),
        Case.category_id.not_in(sensitive),
    )


def can_file_at(user: User, office: Office) -> bool:
    return office_of(user) is not None and user.office_id == office.id


def file_in_person(
    sub: intake.Submission, office: Office, actor: User, *, key: bytes, now: datetime | None = None
) -> intake.Receipt:
    """File for a person present: same routing and clocks as the web, place taken from the office."""
    require(can_file_at(actor, office), "file at this office", actor)
    if not sub.consent_given:
        raise ConsentMissing("the person's consent is required")
    now = now or datetime.now(timezone.utc)
    sub = replace(
        sub,
        channel=IN_PERSON,
        province_code=office.province_code,
        district_code=office.district_code,
        commune_code=office.commune_code,
        sms_opt_in=bool(sub.sms_opt_in and sub.phone),
    )
    receipt = intake.submit(sub, key=key, actor=actor, now=now)
    receipt.case.intake_office_id = office.id
    db.session.flush()
    # Consent is recorded even for an anonymous person, who has no personal-data row to hold it.
    audit.append_event(
        "in_person",
        case=receipt.case,
        actor=actor,
        actor_label="staff",
        public=False,
        at=now,
        payload={"office_id": office.id, "consent": True, "sms_opt_in": sub.sms_opt_in},
    )
    return receipt


def find_by_reference(user: User, reference: str) -> Case | None:
    """The case with this reference if the officer may see it; None otherwise (and for nonsense)."""
    parsed = codes.parse_reference(reference or "")
    if parsed is None:
        return None
    query = select(Case).where(Case.year == parsed[0], Case.number == parsed[1])
    return db.session.execute(scope(query, user)).scalar_one_or_none()


def get_case(user: User, case_id: int) -> Case | None:
    return db.session.execute(scope(select(Case).where(Case.id == case_id), user)).scalar_one_or_none()


def find_by_tracking(user: User, reference: str, code: str, key: bytes) -> Case | None:
    """Reference and code must match and the case must be in the officer's scope (or filed at their office)."""
    case = intake.find_by_tracking(reference, code, key)
    if case is None:
        return None
    office = office_of(user)
    if get_case(user, case.id) is None and (office is None or case.intake_office_id != office.id):
        return None
    return case


def _desk_event(kind: str, case: Case, actor: User, now: datetime | None, **payload) -> Event:
    """An internal audit event of the desk, naming its office."""
    return audit.append_event(
        kind,
        case=case,
        actor=actor,
        actor_label="staff",
        public=False,
        at=now or datetime.now(timezone.utc),
        payload={**payload, "office_id": actor.office_id},
    )


def record_visit(case: Case, actor: User, note: str, *, now: datetime | None = None) -> Event:
    """An internal note that the person came back to the desk about this complaint."""
    _require_desk_case(case, actor, "record a visit")
    return _desk_event("visit", case, actor, now, note=note)


def record_feedback(case: Case, actor: User, answer: str, *, now: datetime | None = None) -> None:
    """The person present answers "did this solve your problem?"; a "no" opens the appeal as on the web."""
    from grievance.cases import service as case_service

    _require_desk_case(case, actor, "record the complainant's answer")
    if answer not in ("yes", "no", "council"):
        raise ValueError(f"unknown answer: {answer}")
    case_service.record_feedback(
        case, answer == "yes", now=now, council=answer == "council", via="in_person", actor=actor
    )


def _require_desk_case(case: Case, actor: User, action: str) -> None:
    """Refused unless the case is one this desk may open (never a misconduct complaint)."""
    require(get_case(actor, case.id) is not None, action, actor, hidden=True)


REISSUE_REASON = "new_tracking_code"


def show_identity_for_new_code(case: Case, actor: User, *, now: datetime | None = None):
    """The name and phone on record, to compare with the person's document; the view is recorded.

    None for an anonymous complaint: there is nobody on record to check, so a lost code cannot be
    recovered (the web form and the SMS exchange say so before filing).
    """
    from grievance.cases import service as case_service

    _require_desk_case(case, actor, "see the identity to issue a new code")
    if case.identity_mode == "anonymous" or case.complainant is None or not case.complainant.name:
        return None
    case_service.record_identity_view(case, actor, now=now, reason="verify")
    return case.complainant


def issue_new_code(case: Case, actor: User, document: str, *, key: bytes, now: datetime | None = None) -> str:
    """A new tracking code after the desk checked the person's identity; the old code stops working.

    The phone on record (if any) is told by SMS, so a code issued to someone else does not go unnoticed.
    """
    from grievance.cases import service as case_service
    from grievance.notifications import messages, outbox

    _require_desk_case(case, actor, "issue a new tracking code")
    if case.identity_mode == "anonymous" or case.complainant is None:
        raise ConsentMissing("an anonymous complaint has nobody on record to check")
    code = case_service.reissue_tracking_code(case, actor, key=key, how="front_desk", now=now)
    _desk_event("identity_checked", case, actor, now, document=document, reason=REISSUE_REASON)
    person = case.complainant
    if person.phone:
        outbox.enqueue(
            channel="sms",
            recipient=person.phone,
            body=messages.complainant_sms("code_reissued", case.reference, case.language),
            key=outbox.idempotency_key("code-reissued", case.id, case.version),
            case=case,
            language=case.language,
        )
    return code


def desk_timeline(case: Case) -> list[dict]:
    """What the desk may read out: the public history, the fund's public messages, its own visits.

    The complainant's own words (description, added information) are left out: the desk looks
    cases up by reference alone, so it must not repeat what a person wrote to someone else.
    """
    query = (
        select(Event)
        .where(Event.case_id == case.id, or_(Event.public.is_(True), Event.kind == "visit"))
        .order_by(Event.seq)
    )
    items = []
    for event in db.session.execute(query).scalars():
        payload = json.loads(event.payload or "{}")
        text = None
        if event.kind == "visit":
            text = payload.get("note")
        elif event.actor_label == "staff":
            text = payload.get("message")
        items.append(
            {"at": event.at, "kind": event.kind, "text": None if text is None else disclosure.redact(case, text)}
        )
    return items


def recent_at_office(office: Office, limit: int = 20) -> list[Case]:
    query = select(Case).where(Case.intake_office_id == office.id).order_by(Case.received_at.desc()).limit(limit)
    return list(db.session.execute(query).scalars())


def _month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in Phnom Penh, as naive UTC like the database."""
    nxt = date(year + month // 12, month % 12 + 1, 1)

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0), TZ).astimezone(timezone.utc).replace(tzinfo=None)

    return utc(date(year, month, 1)), utc(nxt)


def intake_by_channel_and_office(year: int, month: int, fund_id: int | None = None) -> list[dict]:
    """Complaints received in a month, counted by channel and intake office (one GROUP BY).

    Rows: {"channel", "office_id", "office_en", "office_km", "count"}; office fields are None
    for complaints not filed at an office. For the scorecard: apply its "<5" rule when printing.
    """
    start, end = _month_bounds(year, month)
    query = (
        select(
            Case.channel,
            Case.intake_office_id,
            Office.name_en,
            Office.name_km,
            func.count(Case.id),
        )
        .outerjoin(Office, Office.id == Case.intake_office_id)
        .where(Case.received_at >= start, Case.received_at < end)
        .group_by(Case.channel, Case.intake_office_id, Office.name_en, Office.name_km)
        .order_by(Case.channel, Case.intake_office_id)
    )
    if fund_id is not None:
        query = query.where(Case.fund_id == fund_id)
    return [
        {"channel": channel, "office_id": office_id, "office_en": en, "office_km": km, "count": count}
        for channel, office_id, en, km, count in db.session.execute(query)
    ]
