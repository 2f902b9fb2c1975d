"""The supervisor's desk: open, breached and due-this-week cases per officer, and the inbox of
pending extension requests. Read models only; deciding an extension stays `service.decide_extension`.

Supervisors see their own fund (the council's triage desk is the NSPC fund's supervisor); officers,
monitors, the front desk and the council's readers are refused by `permits.require`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, case, func, or_, select

from grievance.cases import permissions
from grievance.domain import sla
from grievance.domain.calendar import TZ
from grievance.domain.workflow import OPEN_STATUS_VALUES
from grievance.extensions import db
from grievance.models import Case, ExtensionRequest, User
from grievance.models.timeutil import from_db, to_db
from grievance.services import disclosure, reference
from grievance.services.permits import require

# A case counts as breached while its service level is breached or escalated (an escalation
# follows a breach); the queue's `due=late` filter uses the same clause.
BREACHED_STATES = ("breached", "escalated")


def can_see_workload(user: User) -> bool:
    """A fund's supervisor (the triage desk's for the council's own cases) watches the fund's workload."""
    return user.role == "supervisor" and user.fund_id is not None


def week_end(now: datetime) -> datetime:
    """The end of this Cambodian working week: midnight after Friday, Phnom Penh time (the next
    week's on a Saturday or Sunday)."""
    today = now.astimezone(TZ).date()
    friday = today + timedelta(days=(4 - today.weekday()) % 7)
    return datetime.combine(friday + timedelta(days=1), datetime.min.time(), TZ).astimezone(timezone.utc)


def breached_clause(cases=Case.__table__.c):
    """Breached (or escalated after a breach): the workload's "breached" column and `?due=late`."""
    return cases.sla_state.in_(BREACHED_STATES)


def due_this_week_clause(now: datetime, cases=Case.__table__.c):
    """Not breached yet, resolution due before the end of this working week: `?due=week`."""
    return and_(~breached_clause(cases), cases.resolve_due_at < to_db(week_end(now)))


@dataclass
class OfficerLoad:
    user_id: int | None  # None: the fund's unassigned cases
    name: str
    open: int
    breached: int
    due_this_week: int


def officer_workload(supervisor: User, *, now: datetime | None = None) -> list[OfficerLoad]:
    """Per officer of the supervisor's fund: open cases, breached ones and those due by the end of the week."""
    require(can_see_workload(supervisor), "see the workload", supervisor)
    now = now or datetime.now(timezone.utc)
    cases = permissions.visible_cases(supervisor).where(Case.status.in_(OPEN_STATUS_VALUES)).subquery()
    counts = db.session.execute(
        select(
            cases.c.assignee_id,
            func.count(),
            func.sum(case((breached_clause(cases.c), 1), else_=0)),
            func.sum(case((due_this_week_clause(now, cases.c), 1), else_=0)),
        ).group_by(cases.c.assignee_id)
    ).all()
    found = {row[0]: (row[1], int(row[2] or 0), int(row[3] or 0)) for row in counts}
    # The fund's active staff, and anyone else still holding its open cases (disabled, or moved).
    holders = [uid for uid in found if uid is not None]
    staff = db.session.execute(
        select(User.id, User.name)
        .where(
            or_(
                and_(
                    User.fund_id == supervisor.fund_id,
                    User.role.in_(permissions.FUND_ROLES),
                    User.active.is_(True),
                ),
                User.id.in_(holders),
            )
        )
        .order_by(User.name, User.id)
    ).all()
    loads = [OfficerLoad(uid, name, *found.pop(uid, (0, 0, 0))) for uid, name in staff]
    if None in found:
        loads.append(OfficerLoad(None, "", *found.pop(None)))
    return loads


@dataclass
class PendingExtension:
    request: ExtensionRequest
    case: Case
    officer: str
    asked_due: datetime
    reason: str


def pending_extensions(supervisor: User) -> list[PendingExtension]:
    """The fund's pending extension requests, oldest first, the reason redacted as the case page does."""
    require(can_see_workload(supervisor), "see the extension requests", supervisor)
    rows = db.session.execute(
        _pending_query(supervisor)
        .add_columns(Case, User.name)
        .join(Case, Case.id == ExtensionRequest.case_id)
        .join(User, User.id == ExtensionRequest.requested_by_id)
        .order_by(ExtensionRequest.created_at, ExtensionRequest.id)
    ).all()
    cal = reference.working_calendar()
    return [
        PendingExtension(
            request,
            found,
            name,
            sla.extend(from_db(found.resolve_due_at), request.extra_days, cal),
            disclosure.text_for(supervisor, found, request.reason),
        )
        for request, found, name in rows
    ]


def _pending_query(supervisor: User):
    visible = permissions.visible_cases(supervisor).with_only_columns(Case.id)
    return select(ExtensionRequest).where(ExtensionRequest.status == "pending", ExtensionRequest.case_id.in_(visible))


def pending_extension_count(supervisor: User) -> int:
    """How many extension requests of the supervisor's fund wait for a decision (the nav's count)."""
    require(can_see_workload(supervisor), "see the extension requests", supervisor)
    query = _pending_query(supervisor).with_only_columns(func.count()).order_by(None)
    return db.session.execute(query).scalar_one()
