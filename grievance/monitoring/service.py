"""Monitoring verbs: follow, flag, comment, handle a flag, set an organisation's scope.

Each checks, changes, appends an audit event and flushes; the view commits. Each refuses a
role that may not do it (services.permits): follow, flag and comment are a monitor's, on a case
in its organisation's scope; handling a flag is the council's or the fund's supervisor's;
scopes are set by administrators.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import delete, select, update

from grievance.extensions import db
from grievance.models import Case, CaseFlag, CaseFollow, Category, MonitorScope, Organisation, User
from grievance.models.monitoring import FLAG_KINDS
from grievance.models.timeutil import to_db
from grievance.monitoring import notify, permissions
from grievance.services import audit, changes
from grievance.services.permits import require


class MonitoringRefused(Exception):
    """The action is not allowed in the current state (e.g. a flag already handled)."""


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def can_watch(user: User, case: Case) -> bool:
    """A monitor, and the case within its organisation's scope."""
    query = permissions.visible_cases(user).where(Case.id == case.id).with_only_columns(Case.id)
    return permissions.is_monitor(user) and db.session.execute(query).first() is not None


def _require_watcher(user: User, case: Case, action: str) -> None:
    require(can_watch(user, case), action, user, hidden=True)


def can_set_scopes(user: User) -> bool:
    return user.role == "admin"


def _org_name(user: User) -> str:
    return user.organisation.name if user.organisation else ""


def is_following(user: User, case: Case) -> bool:
    return (
        db.session.execute(
            select(CaseFollow.id).where(CaseFollow.user_id == user.id, CaseFollow.case_id == case.id)
        ).first()
        is not None
    )


def follow(case: Case, monitor: User, *, now: datetime | None = None) -> bool:
    """Follow a case (e-mailed on each public update); False if already following."""
    _require_watcher(monitor, case, "follow a case")
    if is_following(monitor, case):
        return False
    now = _now(now)
    db.session.add(CaseFollow(user_id=monitor.id, case_id=case.id, created_at=to_db(now)))
    db.session.flush()
    audit.append_event(
        "monitor_follow",
        case=case,
        actor=monitor,
        actor_label="monitor",
        at=now,
        payload={"organisation": _org_name(monitor)},
    )
    return True


def unfollow(case: Case, monitor: User, *, now: datetime | None = None) -> bool:
    """Stop following a case; False if the monitor was not following it."""
    _require_watcher(monitor, case, "unfollow a case")
    removed = db.session.execute(
        delete(CaseFollow)
        .where(CaseFollow.user_id == monitor.id, CaseFollow.case_id == case.id)
        .execution_options(synchronize_session=False)
    )
    if removed.rowcount != 1:
        return False
    audit.append_event(
        "monitor_unfollow",
        case=case,
        actor=monitor,
        actor_label="monitor",
        at=_now(now),
        payload={"organisation": _org_name(monitor)},
    )
    return True


def raise_flag(case: Case, monitor: User, kind: str, note: str, *, now: datetime | None = None) -> CaseFlag:
    """Flag a case for the council and the fund's supervisors; they are e-mailed through the outbox."""
    _require_watcher(monitor, case, "flag a case")
    if kind not in FLAG_KINDS:
        raise MonitoringRefused(f"unknown flag kind {kind!r}")
    now = _now(now)
    flag = CaseFlag(
        case_id=case.id,
        organisation_id=monitor.organisation_id,
        raised_by_id=monitor.id,
        kind=kind,
        note=note,
        status="open",
        created_at=to_db(now),
    )
    db.session.add(flag)
    db.session.flush()
    audit.append_event(
        "monitor_flag",
        case=case,
        actor=monitor,
        actor_label="monitor",
        at=now,
        payload={"flag_id": flag.id, "kind": kind, "note": note, "organisation": _org_name(monitor)},
    )
    notify.notify_flag(case, flag, _org_name(monitor))
    return flag


def can_handle_flag(user: User, case: Case, flag: CaseFlag | None = None) -> bool:
    """The council (or an administrator) or a supervisor of the fund now handling the case.

    A retaliation flag is the council's alone (its readers, administrators, the triage desk's
    staff): while it is open the fund's staff are locked out of the complainant's identity, and
    handling it gives that access back.
    """
    if user.role in ("oversight", "admin"):
        return True
    if flag is not None and flag.kind == "retaliation":
        from grievance.monitoring import flags

        return flags.is_council(user)
    return user.role == "supervisor" and user.fund_id == case.fund_id


def handle_flag(flag: CaseFlag, actor: User, outcome: str = "", *, now: datetime | None = None) -> None:
    """Handle an open flag with its outcome; a second attempt (or a race) is refused, not repeated."""
    case = db.session.get(Case, flag.case_id)
    require(can_handle_flag(actor, case, flag), "handle a flag", actor, hidden=True)
    outcome = (outcome or "").strip()
    if not outcome:
        raise MonitoringRefused("write the outcome: what was done about this flag")
    now = _now(now)
    done = db.session.execute(
        update(CaseFlag)
        .where(CaseFlag.id == flag.id, CaseFlag.status == "open")
        .values(status="handled", handled_by_id=actor.id, handled_at=to_db(now), outcome=outcome)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise MonitoringRefused("this flag has already been handled")
    db.session.refresh(flag)
    audit.append_event(
        "flag_handled",
        case=case,
        actor=actor,
        actor_label="staff",
        at=now,
        payload={"flag_id": flag.id, "kind": flag.kind, "outcome": outcome},
    )


def comment(case: Case, monitor: User, text: str, *, now: datetime | None = None) -> None:
    """A comment to the fund, shown in the case timeline as the organisation's."""
    _require_watcher(monitor, case, "comment on a case")
    audit.append_event(
        "monitor_comment",
        case=case,
        actor=monitor,
        actor_label="monitor",
        public=False,
        at=_now(now),
        payload={"organisation": _org_name(monitor), "message": text},
    )


def _scope_values(row: MonitorScope, category: Category | None) -> dict:
    return {
        "organisation_id": row.organisation_id,
        "province": row.province_code,
        "category": None if category is None else category.code,
    }


def add_scope(
    organisation: Organisation,
    actor: User | None,
    province_code: str | None,
    category: Category | None,
    *,
    now: datetime | None = None,
) -> MonitorScope:
    """Allow the organisation's monitors one more (province, category) pair; empty = any."""
    require(can_set_scopes(actor), "change a monitor scope", actor)
    row = MonitorScope(
        organisation_id=organisation.id,
        province_code=province_code or None,
        category_id=None if category is None else category.id,
    )
    db.session.add(row)
    db.session.flush()
    changes.record_change(actor, "monitor_scope", row.id, None, _scope_values(row, category), now=now)
    return row


def remove_scope(row: MonitorScope, actor: User, *, now: datetime | None = None) -> None:
    """Remove one scope row (removing the last one leaves the monitors only their own organisation's cases)."""
    require(can_set_scopes(actor), "change a monitor scope", actor)
    category = None if row.category_id is None else db.session.get(Category, row.category_id)
    before = _scope_values(row, category)
    row_id = row.id
    db.session.delete(row)
    db.session.flush()
    changes.record_change(actor, "monitor_scope", row_id, before, None, now=now)
