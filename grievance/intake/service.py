"""Intake: turning a complaint into a routed case with running clocks."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import manager_of_class, set_committed_value

from grievance.domain import codes, sla
from grievance.domain.calendar import local_date
from grievance.extensions import db
from grievance.models import Case, Complainant, ReferenceCounter
from grievance.models.timeutil import to_db, utcnow
from grievance.services import audit, reference, touches
from grievance.services.dbutil import insert_ignore
from grievance.services.permits import require
from grievance.services.prepared import Prepared


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


_COUNTERS = ReferenceCounter.__table__
# Built once (each submission only binds the year), run on the connection: a plain statement,
# without the ORM's bulk-update bookkeeping.
_TAKE_NUMBER = Prepared(
    update(_COUNTERS)
    .where(_COUNTERS.c.year == bindparam("counter_year"))
    .values(last_number=_COUNTERS.c.last_number + 1)
    .returning(_COUNTERS.c.last_number)
)


def _next_number(year: int, connection) -> int:
    """Atomically take the next reference number of the year (gap-free: rolls back with the case)."""
    number = _TAKE_NUMBER.scalar(connection, {"counter_year": year})
    if number is None:  # the year's first complaint: create its counter, then take from it
        insert_ignore(ReferenceCounter, year=year, last_number=0)
        number = _TAKE_NUMBER.scalar(connection, {"counter_year": year})
    return number


_CASES = Case.__table__
_CASE_INSERT = insert(_CASES)  # built once: each submission only binds its values
_CASE_MANAGER = manager_of_class(Case)
# Every column gets a value, so the ORM object made from them below is complete (nothing to load).
_CASE_DEFAULTS = {
    column.name: column.default.arg if column.default is not None and column.default.is_scalar else None
    for column in _CASES.columns
    if column.name != "id"
}
# The same INSERT as one driver call (services/prepared), its id returned by the statement.
_CASE_INSERT_RETURNING = Prepared(insert(_CASES).returning(_CASES.c.id), _CASE_DEFAULTS)


def _insert_case(values: dict, form_token: str | None, connection) -> Case:
    """INSERT the case as one plain statement, and the same row as a persistent Case in the session.

    The ORM's unit of work for a 45-column row costs more than the rest of the INSERT; the
    statement is the same one the ORM would send. What the ORM hooks would have noted for a
    new case (services/touches: instants before this month) is noted here.
    """
    row = {**_CASE_DEFAULTS, **values, "created_at": utcnow()}
    if form_token is None:
        # Nothing here can be a duplicate: no savepoint (two statements) to guard the INSERT.
        case_id = _CASE_INSERT_RETURNING.scalar(connection, row)
    else:
        try:
            # A duplicate INSERT inside the savepoint spoils only the savepoint. The connection is
            # asked for inside the block: that is what emits the SAVEPOINT (a Connection taken
            # before it would run the INSERT outside it, and PostgreSQL then aborts the whole
            # transaction on the duplicate).
            with db.session.begin_nested():
                case_id = db.session.connection().execute(_CASE_INSERT, row).inserted_primary_key[0]
        except IntegrityError:
            # The form token is unique: a second submission of the same form lands here (and only
            # here, so the usual case pays for no look-up); the caller rolls the number back.
            if (existing := find_by_form_token(form_token)) is not None:
                raise DuplicateSubmission(existing.reference) from None
            raise
    touches.note(db.session(), *(row[name] for name in touches.INSTANTS))
    # The object is filled as the ORM fills one it loads (values straight into its __dict__, no
    # attribute events: Case(**row) costs more than the INSERT), then made persistent as if
    # loaded: no INSERT of its own at the next flush, nothing to load.
    case = _CASE_MANAGER.new_instance()
    case.__dict__.update(row, id=case_id)
    make_transient_to_detached(case)
    db.session.add(case)
    db.session.info.setdefault(_INSERTED, []).append(case)
    return case


_INSERTED = "intake_inserted_cases"


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back_cases(session: Session) -> None:
    # A pending object leaves the session when its transaction rolls back; these were added as
    # already persistent, so they are sent away here (their row, and maybe their id, are gone).
    for case in session.info.pop(_INSERTED, []):
        if case in session:
            session.expunge(case)


@event.listens_for(Session, "after_commit")
def _committed_cases(session: Session) -> None:
    session.info.pop(_INSERTED, None)


_COMPLAINANT_COLUMNS = (
    "case_id",
    "name",
    "phone",
    "email",
    "programme_number",
    "programme_hash",
    "consent_given",
    "sms_opt_in",
)
_COMPLAINANT_INSERT = Prepared(insert(Complainant.__table__), _COMPLAINANT_COLUMNS)  # one driver call


def _add_complainant(case: Case, sub: Submission, connection) -> None:
    """Personal details in their own row; an anonymous complaint keeps none (but a programme number)."""
    if sub.identity_mode != "anonymous" and any([sub.name, sub.phone, sub.email, sub.programme_number]):
        row = {
            "name": sub.name,
            "phone": sub.phone,
            "email": sub.email,
            "programme_number": sub.programme_number,
            "consent_given": sub.consent_given,
            "sms_opt_in": bool(sub.sms_opt_in and sub.phone),
        }
    elif sub.programme_number or sub.consent_given:
        # An anonymous complainant may still give a programme number: it is personal data too.
        # Filed on someone's behalf, the row also records that they consented.
        row = {"name": None, "phone": None, "email": None, "sms_opt_in": False}
        row.update(programme_number=sub.programme_number, consent_given=sub.consent_given)
    else:
        return
    from grievance.cases.duplicates import programme_hash

    row["programme_hash"] = programme_hash(sub.programme_number)
    _COMPLAINANT_INSERT.rowcount(connection, {"case_id": case.id, **row})


def find_by_form_token(token: str) -> Case | None:
    return db.session.execute(select(Case).where(Case.form_token == token)).scalar_one_or_none()


def may_file_for_someone(actor, organisation) -> bool:
    """Front-desk staff, or a monitor filing in the name of their own organisation."""
    if actor.role == "frontdesk":
        return actor.office_id is not None
    return actor.role == "monitor" and organisation is not None and actor.organisation_id == organisation.id


def submit(
    sub: Submission,
    *,
    key: bytes,
    actor=None,
    organisation=None,
    organisation_id: int | None = None,
    now: datetime | None = None,
    tracking_code: str | None = None,
) -> Receipt:
    """Create the case: route it, number it, start its clocks, record the first event.

    `actor` is whoever files for the person: front-desk staff in person, or a monitor for their
    own organisation (assisted filing); anyone else is refused. Nobody is the person themselves.
    `organisation_id` names the filing organisation when the caller has no Organisation object
    (the Open311 API knows it from the key). `tracking_code` is for a channel that must be able
    to give the same code again (the Open311 API answering a retry); every other channel lets a
    random one be drawn here.
    """
    if actor is not None:
        require(may_file_for_someone(actor, organisation), "file a complaint for someone", actor)
    now = now or datetime.now(timezone.utc)
    category = reference.category_by_code(sub.category_code)
    if category is None:
        raise LookupError(f"no category {sub.category_code!r}")
    fund, office = reference.routing_decision(category, sub.province_code, sub.channel)
    terms = reference.terms_at(category, now)
    cal = reference.working_calendar()
    deadlines = sla.initial_deadlines(now, terms.policy, cal)

    year = local_date(now).year
    connection = db.session.connection()  # the transaction's, taken once for the statements below
    number = _next_number(year, connection)
    code = tracking_code or codes.new_tracking_code()
    values = dict(
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
        filed_by_org_id=organisation_id if organisation is None else organisation.id,
        filed_by_user_id=None if actor is None else actor.id,
        received_at=to_db(now),
        ack_due_at=to_db(deadlines.ack_due),
        ack_warn_at=to_db(deadlines.ack_warn),
        resolve_due_at=to_db(deadlines.resolve_due),
        resolve_warn_at=to_db(deadlines.resolve_warn),
    )
    case = _insert_case(values, sub.form_token, connection)
    set_committed_value(case, "category", category)
    set_committed_value(case, "fund", fund)
    _add_complainant(case, sub, connection)
    audit.append_event_row(  # no Event object: nothing here reads it back
        "received",
        case_id=case.id,
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
        connection=connection,
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
