"""Intake: turning a complaint into a routed case with running clocks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grievance.domain import codes, sla
from grievance.domain.calendar import local_date
from grievance.extensions import db
from grievance.models import Case, Category, Complainant, ReferenceCounter
from grievance.models.timeutil import to_db
from grievance.services import audit, reference
from grievance.services.dbutil import insert_ignore


@dataclass
class Submission:
    """What a complainant (or someone on their behalf) tells us; already validated."""

    category_code: str
    description: str
    channel: str = "web"
    identity_mode: str = "anonymous"
    language: str = "km"
    occurred_on: date | None = None
    province_code: str | None = None
    district_code: str | None = None
    commune_code: str | None = None
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    programme_number: str | None = None
    consent_given: bool = False
    sms_opt_in: bool = False
    gender: str | None = None
    age_band: str | None = None
    disability: bool | None = None
    idpoor: bool | None = None
    informal_worker: bool | None = None
    indigenous: bool | None = None
    people_affected: int = 1
    form_token: str | None = None
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Receipt:
    case: Case
    tracking_code: str  # shown once, never stored


class DuplicateSubmission(Exception):
    """The same form was submitted twice; `reference` is the case the first one created."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


def tracking_key(secret: str) -> bytes:
    return hashlib.sha256(b"grievance-tracking-code:" + secret.encode("utf-8")).digest()


def _next_number(year: int) -> int:
    """Atomically take the next reference number of the year (gap-free: rolls back with the case)."""
    take = (
        update(ReferenceCounter)
        .where(ReferenceCounter.year == year)
        .values(last_number=ReferenceCounter.last_number + 1)
        .returning(ReferenceCounter.last_number)
    )
    number = db.session.execute(take).scalar_one_or_none()
    if number is None:  # the year's first complaint: create its counter, then take from it
        insert_ignore(ReferenceCounter, year=year, last_number=0)
        number = db.session.execute(take).scalar_one()
    return number


def find_by_form_token(token: str) -> Case | None:
    return db.session.execute(select(Case).where(Case.form_token == token)).scalar_one_or_none()


def submit(
    sub: Submission,
    *,
    key: bytes,
    actor=None,
    organisation=None,
    now: datetime | None = None,
) -> Receipt:
    """Create the case: route it, number it, start its clocks, record the first event."""
    now = now or datetime.now(timezone.utc)
    category = db.session.execute(select(Category).where(Category.code == sub.category_code)).scalar_one()
    fund, office = reference.routing_decision(category, sub.province_code, sub.channel)
    terms = reference.terms_at(category, now)
    cal = reference.working_calendar()
    deadlines = sla.initial_deadlines(now, terms.policy, cal)

    year = local_date(now).year
    number = _next_number(year)
    code = codes.new_tracking_code()
    case = Case(
        reference=codes.format_reference(year, number),
        year=year,
        number=number,
        tracking_hash=codes.tracking_hash(code, key),
        form_token=sub.form_token,
        category_id=category.id,
        sla_policy_id=terms.id,
        fund_id=fund.id,
        office=office,
        channel=sub.channel,
        status="received",
        sla_state="on_track",
        identity_mode=sub.identity_mode,
        language=sub.language,
        description=sub.description,
        occurred_on=sub.occurred_on,
        province_code=sub.province_code,
        district_code=sub.district_code,
        commune_code=sub.commune_code,
        gender=sub.gender,
        age_band=sub.age_band,
        disability=sub.disability,
        idpoor=sub.idpoor,
        informal_worker=sub.informal_worker,
        indigenous=sub.indigenous,
        people_affected=sub.people_affected,
        filed_by_org_id=None if organisation is None else organisation.id,
        filed_by_user_id=None if actor is None else actor.id,
        received_at=to_db(now),
        ack_due_at=to_db(deadlines.ack_due),
        ack_warn_at=to_db(deadlines.ack_warn),
        resolve_due_at=to_db(deadlines.resolve_due),
        resolve_warn_at=to_db(deadlines.resolve_warn),
    )
    case.category = category
    case.fund = fund
    try:
        # The case is added inside the savepoint: begin_nested() flushes what is pending before
        # it starts, and a duplicate INSERT there would spoil the whole transaction.
        with db.session.begin_nested():
            db.session.add(case)
            db.session.flush()
    except IntegrityError:
        # The form token is unique: a second submission of the same form lands here (and only
        # here, so the usual case pays for no look-up); the caller rolls the number back.
        if sub.form_token and (existing := find_by_form_token(sub.form_token)) is not None:
            raise DuplicateSubmission(existing.reference) from None
        raise
    if sub.identity_mode != "anonymous" and any([sub.name, sub.phone, sub.email, sub.programme_number]):
        db.session.add(
            Complainant(
                case_id=case.id,
                name=sub.name,
                phone=sub.phone,
                email=sub.email,
                programme_number=sub.programme_number,
                consent_given=sub.consent_given,
                sms_opt_in=bool(sub.sms_opt_in and sub.phone),
            )
        )
    elif sub.programme_number or sub.consent_given:
        # An anonymous complainant may still give a programme number: it is personal data too.
        # Filed on someone's behalf, the row also records that they consented.
        db.session.add(
            Complainant(case_id=case.id, programme_number=sub.programme_number, consent_given=sub.consent_given)
        )
    audit.append_event(
        "received",
        case=case,
        actor=actor,
        actor_label="complainant" if actor is None else ("monitor" if organisation else "staff"),
        public=True,
        at=now,
        payload={
            "reference": case.reference,
            "category": category.code,
            "fund": fund.code,
            "channel": sub.channel,
            "ack_due": deadlines.ack_due.isoformat(),
            "resolve_due": deadlines.resolve_due.isoformat(),
        },
    )
    return Receipt(case=case, tracking_code=code)


def find_by_tracking(reference_text: str, code: str, key: bytes) -> Case | None:
    """The case whose reference AND tracking code match; None reveals nothing about which was wrong."""
    parsed = codes.parse_reference(reference_text)
    digest = codes.tracking_hash(code, key)
    if parsed is None or digest is None:
        return None
    case = db.session.execute(select(Case).where(Case.tracking_hash == digest)).scalar_one_or_none()
    if case is None or (case.year, case.number) != parsed:
        return None
    return case
