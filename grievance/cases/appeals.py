"""Appeals: the rules of the appeal stage, kept apart from the case service.

An appeal starts when the complainant answers "not solved". It has its own clock
(`DEFAULT_APPEAL_DAYS` Cambodian working days unless the case's service-level terms say
otherwise) and is reviewed by the fund's supervisor or by a reviewer other than the
officer who resolved the case. The complainant may ask the council instead.

This module holds the pure rules (due date, who may review, the decision words); the
stored appeal row, routes and sweep wiring build on it.
"""

from __future__ import annotations

from datetime import datetime

from grievance.domain.calendar import WorkingCalendar
from grievance.services.permits import require

DEFAULT_APPEAL_DAYS = 10
REVIEWERS = ("fund", "council")
OUTCOMES = ("upheld", "overturned")


def appeal_due(started: datetime, cal: WorkingCalendar, days: int = DEFAULT_APPEAL_DAYS) -> datetime:
    """End (Phnom Penh) of the `days`-th working day after the day the appeal started, in UTC."""
    if days < 1:
        raise ValueError("an appeal service level is at least one working day")
    return cal.deadline(started, days)


def may_review(
    reviewer, *, fund_id: int | None, resolver_id: int | None, by: str = "fund", council_fund_id: int | None = None
) -> bool:
    """The fund's supervisor or another officer of the fund; for a council review, the council's
    triage desk (officers and supervisors of the NSPC fund, `council_fund_id`); never the officer
    who gave the first answer."""
    if by not in REVIEWERS:
        raise ValueError(f"unknown reviewing body: {by}")
    if reviewer is None or getattr(reviewer, "id", None) is None:
        return False
    if resolver_id is not None and reviewer.id == resolver_id:
        return False
    if by == "council":
        return (
            council_fund_id is not None
            and reviewer.role in ("supervisor", "officer")
            and (reviewer.fund_id == council_fund_id)
        )
    return reviewer.role in ("supervisor", "officer") and reviewer.fund_id == fund_id


def require_reviewer(
    reviewer, *, fund_id: int | None, resolver_id: int | None, by: str = "fund", council_fund_id: int | None = None
) -> None:
    """Raise NotPermitted unless `reviewer` may decide this appeal."""
    allowed = may_review(reviewer, fund_id=fund_id, resolver_id=resolver_id, by=by, council_fund_id=council_fund_id)
    require(allowed, "review_appeal", reviewer)


def check_outcome(outcome: str, reason: str) -> tuple[str, str]:
    """An appeal decision is upheld or overturned, always with a reason."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown appeal outcome: {outcome}")
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("an appeal decision needs a reason")
    return outcome, reason


# ---------------------------------------------------------------------------------------
# The stored appeal: start, decide, sweep, referrals

OUTSIDE_BODIES = ("ssr", "arbitration", "labour", "acu", "court", "other")
REGULATED_FUND = "NSSF"  # its final answers tell of the Social Security Regulator
APPEAL_EVENT_KINDS = ("appeal", "appeal_decided", "appeal_warning", "appeal_breach")


def _iso(value) -> str | None:
    from grievance.models.timeutil import from_db

    return None if value is None else from_db(value).isoformat()


def snapshot(appeal) -> dict:
    """The whole appeal row, carried by every event that writes it (the audit mirror checks it)."""
    return {
        "appeal_id": appeal.id,
        "started_at": _iso(appeal.started_at),
        "due_at": _iso(appeal.due_at),
        "warn_at": _iso(appeal.warn_at),
        "appeal_days": appeal.appeal_days,
        "reviewer_body": appeal.reviewer_body,
        "via": appeal.via,
        "resolver_id": appeal.resolver_id,
        "reviewer_id": appeal.reviewer_id,
        "outcome": appeal.outcome,
        "reason": appeal.reason,
        "decided_at": _iso(appeal.decided_at),
        "warned_at": _iso(appeal.warned_at),
        "breached_at": _iso(appeal.breached_at),
    }


def appeals_of(case) -> list:
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import Appeal

    return list(db.session.execute(select(Appeal).where(Appeal.case_id == case.id).order_by(Appeal.id)).scalars())


def open_appeal(case):
    """The appeal waiting for a decision on this case, if any."""
    return next((a for a in appeals_of(case) if a.decided_at is None), None)


def council_fund_id() -> int | None:
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import Fund

    return db.session.execute(select(Fund.id).where(Fund.kind == "oversight").order_by(Fund.id)).scalars().first()


def _last_answer(case):
    """The latest resolve/reject event of the case: who gave the answer, and which it was."""
    from sqlalchemy import select

    from grievance.extensions import db
    from grievance.models import Event

    return db.session.execute(
        select(Event.actor_id, Event.kind)
        .where(Event.case_id == case.id, Event.kind.in_(("resolve", "reject")))
        .order_by(Event.seq.desc())
        .limit(1)
    ).first()


def may_decide(user, case) -> bool:
    """Whether `user` may decide the open appeal of `case` (what the case page offers; the service checks)."""
    appeal = open_appeal(case)
    if appeal is None or user is None or not getattr(user, "is_authenticated", False):
        return False
    return _may_review_appeal(user, case, appeal)


def _may_review_appeal(user, case, appeal) -> bool:
    from grievance.cases import permissions

    if appeal.reviewer_body == "council":
        if user.role == "oversight" and (appeal.resolver_id is None or user.id != appeal.resolver_id):
            return True  # the council's own members review what was sent to the council
        return may_review(
            user, fund_id=case.fund_id, resolver_id=appeal.resolver_id, by="council", council_fund_id=council_fund_id()
        )
    return permissions.can_act(user, case) and may_review(
        user, fund_id=case.fund_id, resolver_id=appeal.resolver_id, by="fund"
    )


def start(case, *, by: str = "fund", via: str = "web", now: datetime):
    """Open the appeal after a "not solved" reopened the case: its own clock, the first answer's author noted."""
    from grievance.domain import sla
    from grievance.extensions import db
    from grievance.models import Appeal
    from grievance.models.timeutil import to_db
    from grievance.monitoring import notify as monitoring_notify
    from grievance.notifications import outbox
    from grievance.services import audit, reference

    if by not in REVIEWERS:
        raise ValueError(f"unknown reviewing body: {by}")
    policy = reference.case_policy(case)
    cal = reference.working_calendar()
    due = appeal_due(now, cal, policy.appeal_days)
    warn = sla.warn_instant(now, due, policy.warn_percent, cal)
    last = _last_answer(case)
    appeal = Appeal(
        case_id=case.id,
        started_at=to_db(now),
        due_at=to_db(due),
        warn_at=to_db(warn),
        appeal_days=policy.appeal_days,
        reviewer_body=by,
        via=via,
        resolver_id=None if last is None else last.actor_id,
    )
    db.session.add(appeal)
    db.session.flush()
    event = audit.append_event(
        "appeal", case=case, actor_label="complainant", public=True, at=now, payload=snapshot(appeal)
    )
    outbox.notify_complainant(case, "appeal", event.seq, due=due)
    if by == "council":
        outbox.notify_staff(case, "appeal_opened", event.seq, roles=("oversight",), fund_id=None)
    else:
        outbox.notify_staff(case, "appeal_opened", event.seq, roles=("supervisor",), fund_id=case.fund_id)
    monitoring_notify.notify_followers(case, "appeal", event.seq)
    return appeal


def decide(
    case,
    reviewer,
    outcome: str,
    reason: str,
    *,
    new_outcome: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
):
    """The reviewer's decision: the first answer upheld, or overturned with a new outcome; the case is answered.

    Refused to the officer who gave the first answer and to anyone not of the reviewing body.
    The case returns to resolved (or rejected, when a rejection is upheld) and the complainant
    is told, in their language; for the Social Security Fund, of the route to its regulator.
    """
    from grievance.cases import service as svc
    from grievance.domain.workflow import Action, Status, TransitionRefused
    from grievance.extensions import db
    from grievance.models.timeutil import from_db, to_db
    from grievance.monitoring import notify as monitoring_notify
    from grievance.notifications import outbox
    from grievance.services import audit
    from grievance.services.permits import require

    now = svc._now(now)
    appeal = open_appeal(case)
    if appeal is None:
        require(reviewer is not None and svc.permissions.can_view(reviewer, case), "review_appeal", reviewer)
        raise TransitionRefused(Action.DECIDE_APPEAL, Status(case.status), "the case has no appeal waiting")
    require(_may_review_appeal(reviewer, case, appeal), "review_appeal", reviewer)
    outcome, reason = check_outcome(outcome, reason)
    if outcome == "overturned":
        from grievance.cases.forms import OUTCOME_CHOICES

        if new_outcome not in {value for value, _label in OUTCOME_CHOICES}:
            raise TransitionRefused(
                Action.DECIDE_APPEAL, Status(case.status), "an overturned answer needs the new outcome"
            )
    last = _last_answer(case)
    if outcome == "upheld":
        status = Status.REJECTED if last is not None and last.kind == "reject" else Status.RESOLVED
        final_outcome = case.outcome
    else:
        status, final_outcome = Status.RESOLVED, new_outcome
    if case.status != Status.REOPENED:
        raise TransitionRefused(Action.DECIDE_APPEAL, Status(case.status), "the appeal is decided on a reopened case")
    values = svc._public_update_values(case, now, status)
    values.update(status=status.value, outcome=final_outcome, finished_at=to_db(now))
    before = case.status
    svc._apply(case, expected_version, **values)
    appeal.outcome, appeal.reason, appeal.reviewer_id, appeal.decided_at = outcome, reason, reviewer.id, to_db(now)
    if appeal.breached_at is None and now > from_db(appeal.due_at):
        appeal.breached_at = appeal.due_at  # decided late, before any sweep saw the deadline pass
    db.session.flush()
    regulated = case.fund.code == REGULATED_FUND
    payload = snapshot(appeal)
    if regulated:
        payload["regulator_days"] = regulator_days()
    event = audit.append_event(
        "appeal_decided", case=case, actor=reviewer, actor_label="staff", public=True, at=now, payload=payload
    )
    audit.append_event(
        "resolve" if status == Status.RESOLVED else "reject",
        case=case,
        actor=reviewer,
        actor_label="staff",
        public=False,
        at=now,
        payload={"from": before, "to": status.value, "outcome": final_outcome, "appeal_id": appeal.id},
    )
    if regulated:
        outbox.notify_complainant(case, "appeal_decided_regulated", event.seq, days=payload["regulator_days"])
    else:
        outbox.notify_complainant(case, "appeal_decided", event.seq)
    monitoring_notify.notify_followers(case, "appeal_decided", event.seq)
    return appeal


def regulator_days() -> int:
    """The time limit (days) to take a Social Security Fund answer to the Social Security Regulator."""
    from flask import current_app

    return int(current_app.config.get("NSSF_REGULATOR_DAYS", 30))


def refer(case, actor, body: str, referred_on, note: str = "", *, now: datetime | None = None):
    """Record that the case was referred to a body outside the system (its date, which body, a note)."""
    from grievance.cases import permissions
    from grievance.cases import service as svc
    from grievance.domain.workflow import Action, Status, TransitionRefused
    from grievance.services import audit
    from grievance.services.permits import require

    now = svc._now(now)
    allowed = actor is not None and (
        permissions.can_act(actor, case) or (actor.role == "oversight" and permissions.can_view(actor, case))
    )
    require(allowed, "refer", actor, hidden=actor is None or not permissions.can_view(actor, case))
    if body not in OUTSIDE_BODIES:
        raise ValueError(f"unknown outside body: {body}")
    if case.status == Status.CLOSED:
        raise TransitionRefused(Action.REFER, Status(case.status), "the case is closed")
    if referred_on > now.date():
        raise TransitionRefused(Action.REFER, Status(case.status), "a referral is recorded once it was made")
    event = audit.append_event(
        "referral",
        case=case,
        actor=actor,
        actor_label="staff",
        public=True,
        at=now,
        payload={"body": body, "referred_on": referred_on.isoformat(), "note": (note or "").strip()},
    )
    from grievance.notifications import outbox

    outbox.notify_complainant(case, "referral", event.seq)
    return event


def sweep(now: datetime, report=None) -> int:
    """Warn and breach appeal clocks like any clock: idempotent, recorded at the clock's own instant."""
    from sqlalchemy import and_, or_, select, update

    from grievance.extensions import db
    from grievance.models import Appeal, Case
    from grievance.models.timeutil import from_db, to_db
    from grievance.notifications import outbox
    from grievance.services import audit

    now_db = to_db(now)
    due = (
        select(Appeal)
        .where(
            Appeal.decided_at.is_(None),
            or_(
                and_(Appeal.warned_at.is_(None), Appeal.warn_at <= now_db),
                and_(Appeal.breached_at.is_(None), Appeal.due_at < now_db),
            ),
        )
        .order_by(Appeal.id)
    )
    recorded = 0
    for appeal in db.session.execute(due).scalars().all():
        steps = []
        if appeal.warned_at is None and from_db(appeal.warn_at) <= now:
            steps.append(("warned_at", appeal.warn_at, "appeal_warning"))
        if appeal.breached_at is None and from_db(appeal.due_at) < now:
            steps.append(("breached_at", appeal.due_at, "appeal_breach"))
        for column, instant, kind in steps:
            result = db.session.execute(
                update(Appeal)
                .where(Appeal.id == appeal.id, getattr(Appeal, column).is_(None), Appeal.decided_at.is_(None))
                .values({column: instant})
                .execution_options(synchronize_session=False)
            )
            if result.rowcount != 1:
                continue
            db.session.refresh(appeal)
            case = db.session.get(Case, appeal.case_id)
            event = audit.append_event(
                kind, case=case, actor_label="system", public=False, at=now, payload=snapshot(appeal)
            )
            if kind == "appeal_breach":
                if appeal.reviewer_body == "council":
                    outbox.notify_staff(case, "appeal_breach", event.seq, roles=("oversight",), fund_id=None)
                else:
                    outbox.notify_staff(case, "appeal_breach", event.seq, roles=("supervisor",), fund_id=case.fund_id)
            recorded += 1
            if report is not None:
                report.add(f"{'warn' if kind == 'appeal_warning' else 'breach'}:appeal")
    db.session.flush()
    return recorded
