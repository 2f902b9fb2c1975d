"""Read models for staff pages: the queue (scoped, filtered, keyset-paginated) and the case page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask_babel import format_number
from sqlalchemy import func, literal_column, select, tuple_

from grievance.cases import duplicates, permissions, reply_picker, workload
from grievance.cases import service as svc
from grievance.cases.actions import ACTIONS, WORKFLOW_ACTION
from grievance.domain.calendar import TZ
from grievance.domain.workflow import OPEN_STATUS_VALUES, Status, allowed_actions
from grievance.extensions import db
from grievance.forms_common import IdentityReasonForm
from grievance.models import Case, Category, Fund, User
from grievance.models.timeutil import from_db
from grievance.services import audit, disclosure, reference

PAGE_SIZE = 50
STATUS_VALUES = [s.value for s in Status]
SLA_VALUES = ["on_track", "at_risk", "breached", "escalated"]
# The queue's counts stop here ("1,000+"): each count reads at most COUNT_CAP + 1 index
# entries, so a page costs the same for a fund of 300 or of 300,000 cases.
COUNT_CAP = 1000
# The queue's sorts, by column: "due" (working days left follow the resolution due date),
# "received" and "assignee" (by name, unassigned first); a leading "-" sorts descending.
SORT_KEYS = ("due", "received", "assignee")
SORT_CHOICES = SORT_KEYS + tuple(f"-{key}" for key in SORT_KEYS)
DEFAULT_SORT = "due"


@dataclass
class QueueFilters:
    status: str = "open"
    sla_state: str = ""
    category: str = ""
    province: str = ""
    assignee: str = "anyone"
    due: str = ""  # "week" (due by the end of this working week) or "late" (breached): the workload's links
    fund: str = ""
    after: str = ""
    sort: str = DEFAULT_SORT

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
            assignee=_assignee_arg(args.get("assignee", "anyone")),
            due=pick("due", {"week", "late"}),
            fund=pick("fund", set(db.session.execute(select(Fund.code)).scalars())),
            after=args.get("after", "")[:300],
            sort=pick("sort", set(SORT_CHOICES), DEFAULT_SORT),
        )

    def as_args(self, **override) -> dict:
        values = {
            "status": self.status,
            "sla_state": self.sla_state,
            "category": self.category,
            "province": self.province,
            "assignee": self.assignee,
            "due": self.due,
            "fund": self.fund,
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        values.update(override)
        return {k: v for k, v in values.items() if v}


def _assignee_arg(value: str) -> str:
    """me, unassigned, anyone, or a staff member's id (the workload page's links)."""
    if value in ("me", "unassigned", "anyone") or (value.isdigit() and len(value) <= 18):
        return value
    return "anyone"


@dataclass(frozen=True)
class Count:
    """How many cases match: exact up to COUNT_CAP; `capped` means more than `value`."""

    value: int
    capped: bool = False

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return format_number(self.value) + ("+" if self.capped else "")

    @classmethod
    def of(cls, found: int) -> Count:
        """A count read with LIMIT COUNT_CAP + 1: finding more than the cap means "more than the cap"."""
        return cls(COUNT_CAP, True) if found > COUNT_CAP else cls(found)

    @classmethod
    def total(cls, parts: list[Count]) -> Count:
        if any(part.capped for part in parts):
            return cls(COUNT_CAP, True)
        return cls(sum(part.value for part in parts))


@dataclass
class QueuePage:
    rows: list
    next_after: str | None
    total: Count
    counts: dict = field(default_factory=dict)
    assignee_names: dict = field(default_factory=dict)

    @property
    def capped(self) -> bool:
        """Whether any count on the page stopped at the cap (the page then explains "1,000+")."""
        shown = [self.total, *self.counts.get("status", {}).values(), *self.counts.get("sla", {}).values()]
        return any(count.capped for count in shown)


def _status_values(f: QueueFilters) -> list[str]:
    if f.status == "open":
        return list(OPEN_STATUS_VALUES)
    return STATUS_VALUES if f.status == "all" else [f.status]


def _ids(f: QueueFilters) -> dict[str, int]:
    """The category and fund filters as ids, looked up once per page: the planner then sees
    constants it can seek an index on rather than a subquery."""
    ids = {}
    if f.category:
        ids["category"] = db.session.execute(select(Category.id).where(Category.code == f.category)).scalar_one()
    if f.fund:
        ids["fund"] = db.session.execute(select(Fund.id).where(Fund.code == f.fund)).scalar_one()
    return ids


def _filtered(user: User, f: QueueFilters, ids: dict[str, int], *, skip: str | None = None):
    query = permissions.visible_cases(user)
    if skip != "status" and f.status != "all":
        values = _status_values(f)
        query = query.where(Case.status.in_(values) if len(values) > 1 else Case.status == values[0])
    if f.sla_state and skip != "sla_state":
        query = query.where(Case.sla_state == f.sla_state)
    if f.category:
        query = query.where(Case.category_id == ids["category"])
    if f.province:
        query = query.where(Case.province_code == f.province)
    if f.fund:
        query = query.where(Case.fund_id == ids["fund"])
    if f.assignee == "me":
        query = query.where(Case.assignee_id == user.id)
    elif f.assignee == "unassigned":
        query = query.where(Case.assignee_id.is_(None))
    elif f.assignee.isdigit():  # one officer's cases (the workload page links here); scoped above
        query = query.where(Case.assignee_id == int(f.assignee))
    if f.due == "late":
        query = query.where(workload.breached_clause())
    elif f.due == "week":
        query = query.where(workload.due_this_week_clause(datetime.now(timezone.utc)))
    return query


def _assignee_name():
    """The assignee's name for sorting; unassigned cases sort as an empty name (first ascending)."""
    return func.coalesce(select(User.name).where(User.id == Case.assignee_id).correlate(Case).scalar_subquery(), "")


def _sort_column(key: str):
    if key == "received":
        return Case.received_at
    if key == "assignee":
        return _assignee_name()
    return Case.resolve_due_at


def _cursor_value(key: str, case: Case, names: dict[int, str]) -> str:
    if key == "assignee":
        return names.get(case.assignee_id, "")
    return (case.received_at if key == "received" else case.resolve_due_at).isoformat()


def _parse_after(after: str, key: str = DEFAULT_SORT):
    """The keyset cursor `<sort value>_<id>`, or None for anything else (an id past 64 bits included)."""
    value, _, ident = after.rpartition("_")
    try:
        cursor = (value if key == "assignee" else datetime.fromisoformat(value)), int(ident)
    except ValueError:
        return None
    return cursor if 0 <= cursor[1] < 2**63 else None


def queue_page(user: User, f: QueueFilters) -> QueuePage:
    """Cases in the chosen sort (resolution due date by default), keyset-paginated on (sort value, id)."""
    ids = _ids(f)
    query = _filtered(user, f, ids)
    key = f.sort.lstrip("-")
    descending = f.sort.startswith("-")
    column = _sort_column(key)
    cursor = _parse_after(f.after, key)
    if cursor:
        keyset = tuple_(column, Case.id)
        query = query.where(keyset < tuple_(*cursor) if descending else keyset > tuple_(*cursor))
    order = (column.desc(), Case.id.desc()) if descending else (column, Case.id)
    # The page's ids first, from an index alone (the sort, when there is one, handles index
    # entries, not whole rows); then only those rows.
    page_ids = query.with_only_columns(Case.id).order_by(*order).limit(PAGE_SIZE + 1)
    rows = db.session.execute(select(Case).where(Case.id.in_(page_ids)).order_by(*order)).scalars().all()
    assignees = {c.assignee_id for c in rows if c.assignee_id}
    names = (
        dict(db.session.execute(select(User.id, User.name).where(User.id.in_(assignees))).tuples().all())
        if assignees
        else {}
    )
    next_after = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        next_after = f"{_cursor_value(key, rows[-1], names)}_{rows[-1].id}"
    status_counts, sla_counts = _counts(user, f, ids)
    total = Count.total([status_counts[value] for value in _status_values(f)])
    return QueuePage(rows, next_after, total, {"status": status_counts, "sla": sla_counts}, names)


def _capped_count(query):
    """COUNT over at most COUNT_CAP + 1 matching rows, as a scalar subquery."""
    matches = query.with_only_columns(literal_column("1")).order_by(None).limit(COUNT_CAP + 1).subquery()
    return select(func.count()).select_from(matches).scalar_subquery()


def _counts(user: User, f: QueueFilters, ids: dict[str, int]) -> tuple[dict[str, Count], dict[str, Count]]:
    """Capped counts per status (other filters applied) and per SLA state, in one statement.

    One equality per status and per SLA state (rather than a GROUP BY over every match) lets
    each count seek its own range of the queue indexes and stop at the cap.
    """
    by_status = _filtered(user, f, ids, skip="status")
    by_sla = _filtered(user, f, ids, skip="sla_state")
    columns = [_capped_count(by_status.where(Case.status == value)) for value in STATUS_VALUES]
    columns += [_capped_count(by_sla.where(Case.sla_state == value)) for value in SLA_VALUES]
    found = db.session.execute(select(*columns)).one()
    counts = [Count.of(n) for n in found]
    status_counts = dict(zip(STATUS_VALUES, counts[: len(STATUS_VALUES)], strict=True))
    sla_counts = dict(zip(SLA_VALUES, counts[len(STATUS_VALUES) :], strict=True))
    return status_counts, sla_counts


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


def _action_forms(user: User, case: Case, kept: tuple[str, dict] | None = None) -> dict:
    """The action forms this user may use on this case now.

    `kept` is (action, typed values) of an action refused because the case changed meanwhile: that
    form comes back with what the officer typed and the version saved now, to check and send again.
    """
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
        if kept is not None and kept[0] == name:
            for field in form:
                if field.name in kept[1] and field.name not in ("csrf_token", "version", "submit"):
                    field.data = kept[1][field.name]
        forms[name] = (spec, form)
    return forms


# Payload keys holding text a person typed: shown whole only to those who may see the complainant.
TEXT_KEYS = ("message", "note", "reason", "instruction", "answer", "outcome")


def _readable(user: User, case: Case, payload_text: str) -> dict:
    payload = json.loads(payload_text)
    for key in TEXT_KEYS:
        if isinstance(payload.get(key), str):
            payload[key] = disclosure.text_for(user, case, payload[key])
    return payload


def case_page(
    user: User,
    case: Case,
    *,
    reveal_identity: bool = False,
    kept: tuple[str, dict] | None = None,
    template_id: int | None = None,
) -> dict:
    """The case page; `template_id`: a reply template inserted into the public-update box (reply_picker)."""
    events = audit.case_events(case.id)
    actors = {
        u.id: u.name
        for u in db.session.execute(
            select(User).where(User.id.in_({e.actor_id for e in events if e.actor_id}))
        ).scalars()
    }
    timeline = [
        TimelineItem(
            local(e.at), e.kind, actors.get(e.actor_id, e.actor_label), e.public, _readable(user, case, e.payload)
        )
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
    forms = _action_forms(user, case, kept)
    return {
        "case": case,
        "description": disclosure.text_for(user, case, case.description),
        "identity_form": IdentityReasonForm(formdata=None),
        "public_timeline": [t for t in timeline if t.public],
        "internal_timeline": [t for t in timeline if not t.public],
        "clocks": [
            (name, due, done, breached, None if done else working_days_left(from_db(due)))
            for name, due, done, breached in clocks
        ],
        "may_see_identity": may_see_identity,
        # The identity panel has something to open: a complainant, or what a platform sent.
        "has_complainant": case.complainant is not None or case.api_submission is not None,
        "complainant": case.complainant if (may_see_identity and reveal_identity) else None,
        # What a partner platform sent through Open311 (its point, address, photos): personal data too.
        "sent": case.api_submission if (may_see_identity and reveal_identity) else None,
        "pending_extensions": svc.pending_extensions(case),
        # Evidence reaches the handling fund whatever the identity mode (anonymous is the default).
        "attachments": case.attachments if may_see_identity else [],
        "forms": forms,
        "local": local,
        "appeal_panel": _appeal_panel(user, case),
        "flag_panel": _flag_panel(user, case),
        "same_programme": duplicates.same_programme(user, case),
        "duplicate_of": duplicates.original_of(case),
        "reply_picker": reply_picker.panel(user, case, forms, template_id),
    }


def _flag_panel(user: User, case: Case) -> dict:
    from grievance.monitoring.flag_routes import panel

    return panel(user, case)


def _appeal_panel(user: User, case: Case) -> dict:
    from grievance.cases.appeal_routes import panel

    return panel(user, case)


def queue_context(user: User, f: QueueFilters) -> dict:
    from grievance.geo import province_choices
    from grievance.i18n import current_locale

    council = user.role in permissions.COUNCIL_ROLES
    return {
        "page": queue_page(user, f),
        "count_cap": format_number(COUNT_CAP),
        "filters": f,
        "categories": db.session.execute(select(Category).order_by(Category.position)).scalars().all(),
        "provinces": province_choices(current_locale()),
        "funds": db.session.execute(select(Fund).order_by(Fund.id)).scalars().all() if council else [],
        "days_left": lambda case: None if case.first_resolved_at else working_days_left(case.resolve_due_at),
        "sort_header": lambda key: sort_header(f, key),
    }


def sort_header(f: QueueFilters, key: str) -> tuple[str | None, str]:
    """A column's aria-sort value (None when the queue is not sorted by it) and the sort its link asks for."""
    if f.sort == key:
        return "ascending", f"-{key}"
    if f.sort == f"-{key}":
        return "descending", key
    return None, key
