"""Mass incidents: declare one failure, link its cases, tell them all and answer them together.

Who (each verb checks it here, `services/permits.require`):

- **declare**: a fund's supervisor, for their own fund only; the council — its members (role
  `oversight`) and its triage desk (officers and supervisors of the NSPC fund) — for one fund
  or for every fund.
- **link / unlink**: the council on any incident, a supervisor on their fund's incidents and on
  every-fund incidents; always only cases inside the incident's fund scope, and a fund's staff
  only their own fund's cases (`permissions.can_act`). An officer links a case they handle to an
  open incident one by one (the suggestion on the case page), never by filter.
- **one update to all / resolve together**: a supervisor (of a fund or of the council's desk).
  Each linked case goes through the ordinary case service (`cases/service.public_update`,
  `acknowledge`, `resolve`) with the case's *current* version, so each case gets its own event,
  its own outcome, its own notification in the complainant's language, and its own permission
  check: a case of another fund, or one its state does not allow, is skipped and listed, never
  touched. The council's members (role oversight) act on no case, so they do neither.

A case is in at most one incident at a time. Every link row is written with an event carrying the
whole row (`link_snapshot`), mirrored by `flask audit verify` (services/audit.MIRRORS).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import Select, and_, false, func, or_, select

from grievance.cases import permissions
from grievance.cases import service as svc
from grievance.domain.calendar import TZ
from grievance.domain.workflow import OPEN_STATUS_VALUES, Status, TransitionRefused
from grievance.extensions import db
from grievance.models import Case, CaseIncident, Fund, Incident, User
from grievance.models.timeutil import from_db, to_db
from grievance.services import audit
from grievance.services.permits import require

LINKED = "incident_linked"
UNLINKED = "incident_unlinked"
DECLARED = "incident_declared"
CLOSED = "incident_closed"
# Cases one request updates or resolves; the page offers to continue with the next ones.
BATCH = 500
SUGGESTION_LIMIT = 200


class IncidentRefused(ValueError):
    """The incident or the case does not allow this (closed, outside its scope, already linked)."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


# ---------------------------------------------------------------------------------------
# Who


def is_council(user: User | None) -> bool:
    """The council for incidents: its members (role oversight) and its triage desk's staff."""
    return user is not None and (user.role == "oversight" or permissions.is_council_desk(user))


def can_declare(user: User | None, fund_id: int | None) -> bool:
    if is_council(user):
        return True
    return user is not None and user.role == "supervisor" and fund_id is not None and fund_id == user.fund_id


def can_view_incident(user: User | None, incident: Incident) -> bool:
    if user is None:
        return False
    if is_council(user) or user.role == "admin":
        return True
    return user.role in permissions.FUND_ROLES and incident.fund_id in (None, user.fund_id)


def can_manage(user: User | None, incident: Incident) -> bool:
    """Link by filter, unlink, close (each case still checked on its own).

    The council's members any incident; a fund's supervisor, and the triage desk's staff (for the
    NSPC fund's cases), the incidents of their own fund and those of every fund.
    """
    if user is None:
        return False
    if user.role == "oversight":
        return True
    staff = user.role == "supervisor" or permissions.is_council_desk(user)
    return staff and incident.fund_id in (None, user.fund_id)


def in_scope(incident: Incident, case: Case) -> bool:
    return incident.fund_id is None or incident.fund_id == case.fund_id


def can_link(user: User | None, incident: Incident, case: Case) -> bool:
    """Whether `user` may link (or unlink) this case: inside the incident's funds, and the case theirs."""
    if user is None or not in_scope(incident, case):
        return False
    if user.role == "oversight":
        return permissions.can_view(user, case)
    if not permissions.can_act(user, case):
        return False
    return can_manage(user, incident) or user.role == "officer"


def can_act_on_all(user: User | None, incident: Incident) -> bool:
    """Tell all / resolve together: fund staff who manage the incident (the council's members act on no case)."""
    return user is not None and user.role in permissions.FUND_ROLES and can_manage(user, incident)


def visible_incidents(user: User) -> Select:
    query = select(Incident)
    if is_council(user) or user.role == "admin":
        return query
    if user.role in permissions.FUND_ROLES:
        return query.where(or_(Incident.fund_id.is_(None), Incident.fund_id == user.fund_id))
    return query.where(false())


# ---------------------------------------------------------------------------------------
# Declaring


def _day_start(day: date) -> datetime:
    """Midnight of a Phnom Penh day as naive UTC, the way received_at is stored."""
    return datetime.combine(day, time(0), TZ).astimezone(timezone.utc).replace(tzinfo=None)


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[first day's midnight, the day after the last's midnight) in naive UTC."""
    return _day_start(start), _day_start(end + timedelta(days=1))


def declare(
    actor: User,
    *,
    title: str,
    period_start: date,
    period_end: date,
    fund: Fund | None = None,
    category_id: int | None = None,
    province_code: str | None = None,
    district_code: str | None = None,
    description: str = "",
    now: datetime | None = None,
) -> Incident:
    """Declare an incident: a supervisor for their own fund, the council for one fund or every fund."""
    fund_id = None if fund is None else fund.id
    if actor is not None and actor.role == "supervisor" and not is_council(actor) and fund_id is None:
        fund_id = actor.fund_id  # a fund's supervisor declares for their fund
    require(can_declare(actor, fund_id), "declare_incident", actor)
    title = (title or "").strip()
    if not title:
        raise IncidentRefused("an incident needs a title")
    if period_end < period_start:
        raise IncidentRefused("the period ends before it starts")
    if district_code and (not province_code or not district_code.startswith(province_code)):
        raise IncidentRefused("the district is not in the province")
    now = _now(now)
    incident = Incident(
        title=title[:300],
        description=(description or "").strip(),
        fund_id=fund_id,
        category_id=category_id,
        province_code=province_code or None,
        district_code=district_code or None,
        period_start=period_start,
        period_end=period_end,
        status="open",
        declared_by_id=actor.id,
        declared_at=to_db(now),
    )
    db.session.add(incident)
    db.session.flush()
    audit.append_event(DECLARED, actor=actor, at=now, payload=_incident_payload(incident))
    return incident


def _incident_payload(incident: Incident) -> dict:
    return {
        "incident_id": incident.id,
        "title": incident.title,
        "fund_id": incident.fund_id,
        "category_id": incident.category_id,
        "province_code": incident.province_code,
        "district_code": incident.district_code,
        "period_start": incident.period_start.isoformat(),
        "period_end": incident.period_end.isoformat(),
        "status": incident.status,
    }


def close(incident: Incident, actor: User, *, now: datetime | None = None) -> None:
    """Close an incident: its links stay (the figures keep counting its cases apart); no more links."""
    require(can_manage(actor, incident), "close_incident", actor)
    if incident.status != "open":
        raise IncidentRefused("the incident is already closed")
    now = _now(now)
    incident.status = "closed"
    incident.closed_at = to_db(now)
    incident.version += 1
    db.session.flush()
    audit.append_event(CLOSED, actor=actor, at=now, payload=_incident_payload(incident))


# ---------------------------------------------------------------------------------------
# Linking


def link_snapshot(link: CaseIncident) -> dict:
    """The whole link row, carried by every event that writes it (the audit mirror checks it)."""

    def iso(value):
        return None if value is None else from_db(value).isoformat()

    return {
        "link_id": link.id,
        "incident_id": link.incident_id,
        "current_case_id": link.current_case_id,
        "how": link.how,
        "linked_by_id": link.linked_by_id,
        "linked_at": iso(link.linked_at),
        "unlinked_by_id": link.unlinked_by_id,
        "unlinked_at": iso(link.unlinked_at),
    }


def current_link(case: Case) -> CaseIncident | None:
    return db.session.execute(select(CaseIncident).where(CaseIncident.current_case_id == case.id)).scalar_one_or_none()


def incident_of(case: Case) -> Incident | None:
    link = current_link(case)
    return None if link is None else db.session.get(Incident, link.incident_id)


def _check_link(incident: Incident, actor: User, case: Case) -> None:
    require(can_link(actor, incident, case), "link_incident", actor, hidden=not permissions.can_view(actor, case))
    if incident.status != "open":
        raise IncidentRefused("the incident is closed")


def link(incident: Incident, actor: User, case: Case, *, how: str = "one", now: datetime | None = None) -> CaseIncident:
    """Link one case (an event on the case); refused if it is already in an incident."""
    _check_link(incident, actor, case)
    if current_link(case) is not None:
        raise IncidentRefused("the case is already linked to an incident")
    return _link_all(incident, actor, [case], how, _now(now))[0]


def _link_all(incident: Incident, actor: User, cases: list[Case], how: str, now: datetime) -> list[CaseIncident]:
    rows = [
        CaseIncident(
            incident_id=incident.id,
            case_id=case.id,
            current_case_id=case.id,
            how=how,
            linked_by_id=actor.id,
            linked_at=to_db(now),
        )
        for case in cases
    ]
    db.session.add_all(rows)
    db.session.flush()
    audit.append_events(
        [
            {"kind": LINKED, "case_id": row.case_id, "actor": actor, "at": now, "payload": link_snapshot(row)}
            for row in rows
        ]
    )
    return rows


def unlink(incident: Incident, actor: User, case: Case, *, now: datetime | None = None) -> None:
    """Take a case out of the incident (linked by mistake); the row stays as history."""
    allowed = can_link(actor, incident, case) and can_manage(actor, incident)
    require(allowed, "unlink_incident", actor, hidden=not permissions.can_view(actor, case))
    row = current_link(case)
    if row is None or row.incident_id != incident.id:
        raise IncidentRefused("the case is not linked to this incident")
    now = _now(now)
    row.current_case_id = None
    row.unlinked_by_id = actor.id
    row.unlinked_at = to_db(now)
    db.session.flush()
    audit.append_event(UNLINKED, case=case, actor=actor, at=now, payload=link_snapshot(row))


@dataclass
class Filter:
    """Which cases "link by filter" takes: each field defaults to the incident's own."""

    category_id: int | None = None
    province_code: str | None = None
    district_code: str | None = None
    received_from: date | None = None
    received_to: date | None = None

    @classmethod
    def of(cls, incident: Incident) -> Filter:
        return cls(
            incident.category_id,
            incident.province_code,
            incident.district_code,
            incident.period_start,
            incident.period_end,
        )


def _unlinked_open(user: User, incident: Incident, f: Filter) -> Select:
    """Open cases this user may link, inside the incident's funds, matching `f`, in no incident."""
    query = permissions.visible_cases(user).where(
        Case.status.in_(OPEN_STATUS_VALUES),
        ~select(CaseIncident.id).where(CaseIncident.current_case_id == Case.id).exists(),
    )
    if incident.fund_id is not None:
        query = query.where(Case.fund_id == incident.fund_id)
    if user.role in permissions.FUND_ROLES:
        query = query.where(Case.fund_id == user.fund_id)  # a fund's staff link their own fund's cases
    if f.category_id is not None:
        query = query.where(Case.category_id == f.category_id)
    if f.province_code:
        query = query.where(Case.province_code == f.province_code)
    if f.district_code:
        query = query.where(Case.district_code == f.district_code)
    if f.received_from is not None:
        query = query.where(Case.received_at >= _day_start(f.received_from))
    if f.received_to is not None:
        query = query.where(Case.received_at < _day_start(f.received_to + timedelta(days=1)))
    return query


def suggestions(incident: Incident, user: User, *, limit: int = SUGGESTION_LIMIT) -> list[Case]:
    """Open cases not yet linked that match the incident's category, place and period."""
    if incident.status != "open":
        return []
    query = _unlinked_open(user, incident, Filter.of(incident))
    return list(db.session.execute(query.order_by(Case.received_at, Case.id).limit(limit)).scalars())


def count_matching(incident: Incident, user: User, f: Filter) -> int:
    query = _unlinked_open(user, incident, f).with_only_columns(func.count(Case.id))
    return db.session.execute(query).scalar_one()


def link_by_filter(
    incident: Incident, actor: User, f: Filter, *, limit: int = BATCH * 10, now: datetime | None = None
) -> int:
    """Link every open, unlinked case matching `f` that the actor may link; returns how many."""
    require(can_manage(actor, incident) and actor.role != "admin", "link_incident", actor)
    if incident.status != "open":
        raise IncidentRefused("the incident is closed")
    query = _unlinked_open(actor, incident, f).order_by(Case.id).limit(limit)
    cases = [c for c in db.session.execute(query).scalars() if can_link(actor, incident, c)]
    if not cases:
        return 0
    _link_all(incident, actor, cases, "filter", _now(now))
    return len(cases)


def matching_incidents(case: Case, user: User) -> list[Incident]:
    """Open incidents this case may belong to (category, place and period match), for the case page."""
    received = from_db(case.received_at).astimezone(TZ).date()
    query = visible_incidents(user).where(
        Incident.status == "open",
        or_(Incident.fund_id.is_(None), Incident.fund_id == case.fund_id),
        or_(Incident.category_id.is_(None), Incident.category_id == case.category_id),
        or_(Incident.province_code.is_(None), Incident.province_code == case.province_code),
        or_(Incident.district_code.is_(None), Incident.district_code == case.district_code),
        and_(Incident.period_start <= received, Incident.period_end >= received),
    )
    return list(db.session.execute(query.order_by(Incident.declared_at.desc(), Incident.id.desc())).scalars())


def linked_cases(
    incident: Incident, user: User | None = None, *, after: int = 0, limit: int | None = None
) -> list[Case]:
    """The cases linked now, in id order; with `user`, only those they may see."""
    query = select(Case) if user is None else permissions.visible_cases(user)
    query = query.join(CaseIncident, CaseIncident.current_case_id == Case.id).where(
        CaseIncident.incident_id == incident.id, Case.id > after
    )
    query = query.order_by(Case.id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.execute(query).scalars())


def linked_count(incident: Incident) -> int:
    query = select(func.count(CaseIncident.id)).where(
        CaseIncident.incident_id == incident.id, CaseIncident.current_case_id.is_not(None)
    )
    return db.session.execute(query).scalar_one()


# ---------------------------------------------------------------------------------------
# Acting on every linked case


@dataclass
class Outcome:
    """What one "to all" action did: the cases done, those skipped (with why), and where to go on."""

    done: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    next_after: int | None = None  # more linked cases after this id: continue from here


def _each_linked(incident: Incident, actor: User, after: int, batch: int, run) -> Outcome:
    outcome = Outcome()
    cases = linked_cases(incident, None, after=after, limit=batch + 1)
    if len(cases) > batch:
        cases = cases[:batch]
        outcome.next_after = cases[-1].id
    for case in cases:
        if not permissions.can_act(actor, case):
            outcome.skipped.append((case.reference, "not a case you handle (another fund's)"))
            continue
        db.session.refresh(case)  # its current version: acted on as it is now
        try:
            run(case)
        except TransitionRefused as refused:
            outcome.skipped.append((case.reference, refused.reason))
            continue
        except svc.CaseConflict:
            db.session.refresh(case)  # changed between our read and our write: once more, as it is now
            try:
                run(case)
            except (TransitionRefused, svc.CaseConflict) as again:
                outcome.skipped.append((case.reference, getattr(again, "reason", "changed meanwhile")))
                continue
        outcome.done.append(case.reference)
    return outcome


def update_all(
    incident: Incident, actor: User, message: str, *, after: int = 0, batch: int = BATCH, now: datetime | None = None
) -> Outcome:
    """One public update to every linked case, each through the case service (its own event and message).

    A case not yet acknowledged is acknowledged by it (the first public update is the
    acknowledgement); a finished case is skipped. At most `batch` cases per call, in id order
    after `after`: `next_after` says where the next call starts.
    """
    require(can_act_on_all(actor, incident), "update_incident", actor)
    message = (message or "").strip()
    if not message:
        raise IncidentRefused("the update has no text")
    now = _now(now)

    def run(case: Case) -> None:
        if case.status == Status.RECEIVED:
            svc.acknowledge(case, actor, message, expected_version=case.version, now=now)
        else:
            svc.public_update(case, actor, message, expected_version=case.version, now=now)

    return _each_linked(incident, actor, after, batch, run)


def resolve_all(
    incident: Incident,
    actor: User,
    outcome: str,
    explanation: str,
    *,
    after: int = 0,
    batch: int = BATCH,
    now: datetime | None = None,
) -> Outcome:
    """Resolve every linked case that can be, each with its own resolve event and outcome.

    Cases in a state that cannot be resolved (received, awaiting the complainant, already
    answered) and cases waiting on an appeal (the service refuses them) are skipped and listed.
    """
    require(can_act_on_all(actor, incident), "resolve_incident", actor)
    explanation = (explanation or "").strip()
    if not explanation:
        raise IncidentRefused("the answer has no text")
    now = _now(now)

    def run(case: Case) -> None:
        svc.resolve(case, actor, outcome, explanation, expected_version=case.version, now=now)

    return _each_linked(incident, actor, after, batch, run)


def linked_case_ids_at(end: datetime, case_ids=None) -> Select:
    """SQL: ids of the cases linked to an incident at the instant `end` (naive UTC).

    As at the end of a period, like every figure of the scorecard: a case linked later does not
    rewrite an ended month.
    """
    query = select(CaseIncident.case_id).where(
        CaseIncident.linked_at < end, or_(CaseIncident.unlinked_at.is_(None), CaseIncident.unlinked_at >= end)
    )
    if case_ids is not None:
        query = query.where(CaseIncident.case_id.in_(case_ids))
    return query
