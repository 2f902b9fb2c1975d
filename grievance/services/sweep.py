"""The service-level sweep: warn, breach and escalate, idempotently.

Safe to run every few minutes: a candidate query finds only cases where something new
can happen, each step is a conditional UPDATE on a column that is still empty, and the
recorded instant is the deadline itself, not the time the sweep happened to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import and_, or_, select, update

from grievance.domain import sla
from grievance.domain.sla import Clock, SweepKind
from grievance.domain.workflow import OPEN_STATUS_VALUES as OPEN
from grievance.extensions import db
from grievance.models import Case
from grievance.models.timeutil import from_db, to_db
from grievance.notifications import outbox
from grievance.services import audit, reference, touches

_COLUMNS = {
    (SweepKind.WARN, Clock.ACKNOWLEDGE): "ack_warned_at",
    (SweepKind.BREACH, Clock.ACKNOWLEDGE): "ack_breached_at",
    (SweepKind.WARN, Clock.RESOLVE): "resolve_warned_at",
    (SweepKind.BREACH, Clock.RESOLVE): "resolve_breached_at",
    (SweepKind.BREACH, Clock.KEEP_IN_LOOP): "loop_breached_at",
    (SweepKind.ESCALATE, None): "escalated_at",
}


@dataclass
class SweepReport:
    examined: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str) -> None:
        self.counts[key] = self.counts.get(key, 0) + 1


def _candidates(now_db: datetime):
    loop_gap_open = or_(Case.loop_breached_at.is_(None), Case.loop_breached_at < Case.last_public_at)
    # Acknowledged or resolved after the deadline, before any sweep saw the deadline pass.
    stopped_late = or_(
        and_(Case.ack_breached_at.is_(None), Case.acknowledged_at > Case.ack_due_at, Case.ack_due_at < now_db),
        and_(
            Case.resolve_breached_at.is_(None),
            Case.first_resolved_at > Case.resolve_due_at,
            Case.resolve_due_at < now_db,
        ),
    )
    return (
        select(Case)
        .where(
            or_(
                stopped_late,
                and_(
                    Case.status.in_(OPEN),
                    or_(
                        and_(
                            Case.acknowledged_at.is_(None),
                            Case.ack_warned_at.is_(None),
                            Case.ack_warn_at <= now_db,
                        ),
                        and_(
                            Case.acknowledged_at.is_(None),
                            Case.ack_breached_at.is_(None),
                            Case.ack_due_at < now_db,
                        ),
                        and_(
                            Case.first_resolved_at.is_(None),
                            or_(Case.paused_at.is_(None), Case.paused_at > Case.resolve_due_at),
                            or_(
                                and_(
                                    Case.resolve_warned_at.is_(None),
                                    Case.resolve_warn_at <= now_db,
                                ),
                                and_(
                                    Case.resolve_breached_at.is_(None),
                                    Case.resolve_due_at < now_db,
                                ),
                            ),
                        ),
                        and_(Case.paused_at.is_(None), Case.loop_due_at < now_db, loop_gap_open),
                        and_(Case.escalated_at.is_(None), Case.escalate_at < now_db),
                    ),
                ),
            )
        )
        .order_by(Case.id)
    )


def snapshot(case: Case) -> sla.ClockSnapshot:
    loop_breached = case.loop_breached_at is not None and (
        case.last_public_at is None or case.loop_breached_at >= case.last_public_at
    )
    return sla.ClockSnapshot(
        paused=case.paused_at is not None,
        acknowledged_at=from_db(case.acknowledged_at),
        first_resolved_at=from_db(case.first_resolved_at),
        ack_due=from_db(case.ack_due_at),
        ack_warn=from_db(case.ack_warn_at),
        resolve_due=from_db(case.resolve_due_at),
        resolve_warn=from_db(case.resolve_warn_at),
        loop_due=from_db(case.loop_due_at),
        ack_warned=case.ack_warned_at is not None,
        ack_breached=case.ack_breached_at is not None,
        resolve_warned=case.resolve_warned_at is not None,
        resolve_breached=case.resolve_breached_at is not None,
        loop_breached=loop_breached,
        escalate_at=from_db(case.escalate_at),
        escalated=case.escalated_at is not None,
        paused_since=from_db(case.paused_at),
        is_open=case.status in OPEN,
    )


def _state_after(case: Case, kind: SweepKind) -> str:
    if kind == SweepKind.ESCALATE or case.escalated_at is not None:
        return "escalated"
    if kind == SweepKind.BREACH or case.breached:
        return "breached"
    return "at_risk"


def sweep(now: datetime | None = None, *, batch: int = 2000) -> SweepReport:
    """Record every warning, breach and escalation due by `now`; a second run changes nothing."""
    now = now or datetime.now(timezone.utc)
    now_db = to_db(now)
    cal = reference.working_calendar()
    report = SweepReport()
    last_id = 0
    while True:
        cases = db.session.execute(_candidates(now_db).where(Case.id > last_id).limit(batch)).scalars().all()
        if not cases:
            break
        for case in cases:
            last_id = case.id
            report.examined += 1
            policy = reference.case_policy(case)  # the terms the case keeps (see SlaPolicy)
            # A breach found now may already be due for escalation: re-evaluate until stable.
            for _round in range(4):
                recorded = False
                for action in sla.sweep_actions(snapshot(case), now):
                    if _record(case, action, policy, cal, now):
                        report.add(f"{action.kind}:{action.clock or 'case'}")
                        recorded = True
                if not recorded:
                    break
        db.session.flush()
    from grievance.cases import appeals  # appeal clocks: their own rows, warned and breached the same way

    appeals.sweep(now, report)
    return report


def _record(case: Case, action: sla.SweepAction, policy: sla.Policy, cal, now: datetime) -> bool:
    column = _COLUMNS[(action.kind, action.clock)]
    recorded = action.due
    if action.kind == SweepKind.WARN:
        # A warning happens at its own instant (80 %), not at the deadline it warns about.
        recorded = from_db(case.ack_warn_at if action.clock == Clock.ACKNOWLEDGE else case.resolve_warn_at)
    values = {column: to_db(recorded), "sla_state": _state_after(case, action.kind)}
    condition = getattr(Case, column).is_(None)
    if action.clock == Clock.KEEP_IN_LOOP:
        condition = or_(condition, Case.loop_breached_at < Case.last_public_at)
    if action.kind == SweepKind.BREACH and case.escalate_at is None and case.status in OPEN:
        values["escalate_at"] = to_db(sla.escalation_instant(action.due, policy, cal))
    touches.note_update(case, values)
    result = db.session.execute(
        update(Case)
        .where(Case.id == case.id, condition)
        .values(version=Case.version + 1, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    db.session.refresh(case)
    kind = {
        SweepKind.WARN: "sla_warning",
        SweepKind.BREACH: "sla_breach",
        SweepKind.ESCALATE: "escalated",
    }[action.kind]
    event = audit.append_event(
        kind,
        case=case,
        actor_label="system",
        public=action.kind == SweepKind.ESCALATE,
        at=now,
        payload={
            "clock": None if action.clock is None else action.clock.value,
            "due": action.due.isoformat(),
        },
    )
    if action.kind == SweepKind.BREACH:
        outbox.notify_staff(case, "sla_breach", event.seq, roles=("supervisor",), fund_id=case.fund_id)
    elif action.kind == SweepKind.ESCALATE:
        outbox.notify_staff(case, "escalated", event.seq, roles=("oversight",), fund_id=None)
        outbox.notify_complainant(case, "escalated", event.seq)
    return True
