"""Read models for staff pages: the queue (scoped, filtered, keyset-paginated) and the case page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, select, tuple_

from grievance.cases import permissions
from grievance.cases import service as svc
from grievance.cases.actions import ACTIONS, WORKFLOW_ACTION
from grievance.domain.calendar import TZ
from grievance.domain.workflow import Status, allowed_actions
from grievance.extensions import db
from grievance.models import Case, Category, Fund, User
from grievance.models.timeutil import from_db
from grievance.services import audit, reference

PAGE_SIZE = 50
STATUS_VALUES = [s.value for s in Status]
SLA_VALUES = ["on_track", "at_risk", "breached", "escalated"]


@dataclass
class QueueFilters:
    status: str = "open"
    sla_state: str = ""
    category: str = ""
    province: str = ""
    assignee: str = "anyone"
    fund: str = ""
    after: str = ""

    @classmethod
    def from_args(cls, args) -> QueueFilters:
        def pick(name, allowed, default=""):
            value = args.get(name, default)
            return value if value in allowed else default

        categories = set(db.session.execute(select(Category.code)).scalars())
        return cls(
            status=pick("status", set(STATUS_VALUES) | {"open", "all"}, "open"),
            sla_state=pick("sla_state", set(SLA_VALUES)),
            category=pick("category", categories),
            province=pick("province", {f"{i:02d}" for i in range(1, 26)}),
            assignee=pick("assignee", {"me", "unassigned", "anyone"}, "anyone"),
            fund=pick("fund", set(db.session.execute(select(Fund.code)).scalars())),
            after=args.get("after", "")[:40],
        )

    def as_args(self, **override) -> dict:
        values = {
            "status": self.status,
            "sla_state": self.sla_state,
            "category": self.category,
            "province": self.province,
            "assignee": self.assignee,
            "fund": self.fund,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v}


@dataclass
class QueuePage:
    rows: list
    next_after: str | None
    total: int
    counts: dict = field(default_factory=dict)


def _filtered(user: User, f: QueueFilters, *, skip: str | None = None):
    query = permissions.visible_cases(user)
    if skip != "status":
        if f.status == "open":
            query = query.where(
                Case.status.in_(
                    [
                        "received",
                        "acknowledged",
                        "in_progress",
                        "awaiting_info",
                        "reopened",
                    ]
                )
            )
        elif f.status != "all":
            query = query.where(Case.status == f.status)
    if f.sla_state and skip != "sla_state":
        query = query.where(Case.sla_state == f.sla_state)
    if f.category:
        query = query.where(
            Case.category_id == select(Category.id).where(Category.code == f.category).scalar_subquery()
        )
    if f.province:
        query = query.where(Case.province_code == f.province)
    if f.fund:
        query = query.where(Case.fund_id == select(Fund.id).where(Fund.code == f.fund).scalar_subquery())
    if f.assignee == "me":
        query = query.where(Case.assignee_id == user.id)
    elif f.assignee == "unassigned":
        query = query.where(Case.assignee_id.is_(None))
    return query


def _parse_after(after: str):
    try:
        due, ident = after.split("_")
        return datetime.fromisoformat(due), int(ident)
    except ValueError:
        return None


def queue_page(user: User, f: QueueFilters) -> QueuePage:
    """Cases sorted by resolution due date, keyset-paginated on (resolve_due_at, id)."""
    query = _filtered(user, f)
    total = db.session.execute(query.with_only_columns(func.count()).order_by(None)).scalar_one()
    cursor = _parse_after(f.after)
    if cursor:
        query = query.where(tuple_(Case.resolve_due_at, Case.id) > tuple_(*cursor))
    rows = db.session.execute(query.order_by(Case.resolve_due_at, Case.id).limit(PAGE_SIZE + 1)).scalars().all()
    next_after = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        next_after = f"{last.resolve_due_at.isoformat()}_{last.id}"
    status_counts = dict(
        db.session.execute(
            _filtered(user, f, skip="status")
            .with_only_columns(Case.status, func.count())
            .group_by(Case.status)
            .order_by(None)
        ).all()
    )
    sla_counts = dict(
        db.session.execute(
            _filtered(user, f, skip="sla_state")
            .with_only_columns(Case.sla_state, func.count())
            .group_by(Case.sla_state)
            .order_by(None)
        ).all()
    )
    return QueuePage(rows, next_after, total, {"status": status_counts, "sla": sla_counts})


def working_days_left(due: datetime | None, now: datetime | None = None) -> float | None:
    if due is None:
        return None
    now = now or datetime.now(timezone.utc)
    cal = reference.working_calendar()
    due = from_db(due)
    if due >= now:
        return round(cal.working_days_between(now, due), 1)
    return -round(cal.working_days_between(due, now), 1)


def local(dt):
    return None if dt is None else from_db(dt).astimezone(TZ)


@dataclass
class TimelineItem:
    at: datetime
    kind: str
    actor: str
    public: bool
    payload: dict


def _action_forms(user: User, case: Case) -> dict:
    """The action forms this user may use on this case now."""
    if not permissions.can_act(user, case):
        return {}
    allowed = {a.value for a in allowed_actions(Status(case.status))}
    pending = svc.pending_extensions(case)
    forms = {}
    for name, spec in ACTIONS.items():
        if WORKFLOW_ACTION[name] not in allowed:
            continue
        if name == "decide_extension" and not (pending and user.role == "supervisor"):
            continue
        if name == "request_extension" and (pending or case.first_resolved_at is not None):
            continue
        if name == "escalate" and case.escalated_at is not None:
            continue
        if (name == "assign") != (user.role == "supervisor") and name in ("assign", "claim"):
            continue  # officers claim; supervisors assign
        form = spec.form(formdata=None, version=case.version)
        if name == "decide_extension":
            form.request_id.data = pending[0].id
        spec.prepare(form, case)
        forms[name] = (spec, form)
    return forms


def case_page(user: User, case: Case, *, reveal_identity: bool = False) -> dict:
    events = audit.case_events(case.id)
    actors = {
        u.id: u.name
        for u in db.session.execute(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).scalars()
    }
    timeline = [
        TimelineItem(local(e.at), e.kind, actors.get(e.actor_id, e.actor_label), e.public, json.loads(e.payload))
        for e in events
    ]
    clocks = [
        ("acknowledge", local(case.ack_due_at), case.acknowledged_at is not None, case.ack_breached_at is not None),
        (
            "resolve",
            local(case.resolve_due_at),
            case.first_resolved_at is not None,
            case.resolve_breached_at is not None,
        ),
    ]
    may_see_identity = permissions.can_see_identity(user, case)
    return {
        "case": case,
        "public_timeline": [t for t in timeline if t.public],
        "internal_timeline": [t for t in timeline if not t.public],
        "clocks": [
            (name, due, done, breached, None if done else working_days_left(from_db(due)))
            for name, due, done, breached in clocks
        ],
        "may_see_identity": may_see_identity and case.complainant is not None,
        "complainant": case.complainant if (may_see_identity and reveal_identity) else None,
        "pending_extensions": svc.pending_extensions(case),
        "attachments": case.attachments,
        "forms": _action_forms(user, case),
        "local": local,
    }


def queue_context(user: User, f: QueueFilters) -> dict:
    from grievance.geo import province_choices
    from grievance.i18n import current_locale

    council = user.role in permissions.COUNCIL_ROLES
    return {
        "page": queue_page(user, f),
        "filters": f,
        "categories": db.session.execute(select(Category).order_by(Category.position)).scalars().all(),
        "provinces": province_choices(current_locale()),
        "funds": db.session.execute(select(Fund).order_by(Fund.id)).scalars().all() if council else [],
    }
