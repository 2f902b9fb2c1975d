"""Service-level clocks: acknowledge, resolve and keep-in-loop.

All instants are timezone-aware. Durations are *working* time on a WorkingCalendar.
- Acknowledge: receipt → the fund's first public update.
- Resolve: receipt → first resolution (resolved, or rejected with a reason); it pauses
  while the case awaits the complainant and the due date moves out by the paused time.
- Keep-in-loop: at most `loop_days` working days between public updates on an open case.
Warn at `warn_percent` of the time, breach at 100 %, escalate `escalate_after_days`
working days after a breach. A breach, once recorded, is never undone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from .calendar import WorkingCalendar


class SlaState(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    ESCALATED = "escalated"


class Clock(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    RESOLVE = "resolve"
    KEEP_IN_LOOP = "keep_in_loop"
    APPEAL = "appeal"


@dataclass(frozen=True)
class Policy:
    """The terms a case's clocks run on (one field per entry of TERMS)."""

    ack_days: int
    resolve_days: int
    loop_days: int = 10
    warn_percent: int = 80
    escalate_after_days: int = 5
    reopen_window_days: int = 30
    appeal_days: int = 10


@dataclass(frozen=True)
class Term:
    """One term of the service levels: a Policy field, an SlaPolicy column, a field on the admin page."""

    name: str
    minimum: int
    maximum: int
    unit: str = "working_days"  # or "percent", "days" (calendar days)


# Every term an administrator sets, in the order the service-levels page shows them. A new clock
# (an appeal clock, say) is one more entry here, one more Policy field and SlaPolicy column, and
# its label in admin/labels.py; the page, its form, the history and the change log follow.
TERMS: tuple[Term, ...] = (
    Term("ack_days", 0, 60),
    Term("resolve_days", 1, 365),
    Term("loop_days", 1, 60),
    Term("warn_percent", 1, 99, "percent"),
    Term("escalate_after_days", 1, 60),
    Term("reopen_window_days", 1, 365, "days"),
    Term("appeal_days", 1, 60),
)


@dataclass(frozen=True)
class Deadlines:
    ack_due: datetime
    ack_warn: datetime
    resolve_due: datetime
    resolve_warn: datetime


def warn_instant(start: datetime, due: datetime, percent: int, cal: WorkingCalendar) -> datetime:
    """The instant at which `percent` % of the working time from start to due has passed."""
    total = cal.working_seconds_between(start, due)
    return cal.add_working_seconds(start, total * percent // 100)


def initial_deadlines(received: datetime, policy: Policy, cal: WorkingCalendar) -> Deadlines:
    ack_due = cal.deadline(received, policy.ack_days)
    resolve_due = cal.deadline(received, policy.resolve_days)
    return Deadlines(
        ack_due=ack_due,
        ack_warn=warn_instant(received, ack_due, policy.warn_percent, cal),
        resolve_due=resolve_due,
        resolve_warn=warn_instant(received, resolve_due, policy.warn_percent, cal),
    )


def loop_due(last_public: datetime, policy: Policy, cal: WorkingCalendar) -> datetime:
    """When the next public update is due at the latest."""
    return cal.deadline(last_public, policy.loop_days)


@dataclass(frozen=True)
class Resumed:
    paused_seconds: int  # working seconds of this pause
    resolve_due: datetime
    resolve_warn: datetime


def resume(
    paused_at: datetime,
    resumed_at: datetime,
    resolve_due: datetime,
    resolve_warn: datetime,
    cal: WorkingCalendar,
) -> Resumed:
    """Move the resolve clock out by the working time spent awaiting the complainant."""
    paused = cal.working_seconds_between(paused_at, resumed_at)
    if paused_at > resolve_due:
        # The clock had already run out when the case was paused: the breach stands.
        return Resumed(paused_seconds=paused, resolve_due=resolve_due, resolve_warn=resolve_warn)
    return Resumed(
        paused_seconds=paused,
        resolve_due=cal.add_working_seconds(resolve_due, paused),
        resolve_warn=cal.add_working_seconds(resolve_warn, paused),
    )


def extend(resolve_due: datetime, extra_days: int, cal: WorkingCalendar) -> datetime:
    """An approved extension: the new due date is `extra_days` working days later."""
    return cal.deadline(resolve_due, extra_days)


def escalation_instant(breach_due: datetime, policy: Policy, cal: WorkingCalendar) -> datetime:
    """Escalate at the end of the n-th working day after the day the deadline passed."""
    return cal.deadline(breach_due, policy.escalate_after_days)


@dataclass(frozen=True)
class ClockSnapshot:
    """What the sweep needs to know of one case (open, or finished after a deadline)."""

    paused: bool
    acknowledged_at: datetime | None
    first_resolved_at: datetime | None
    ack_due: datetime
    ack_warn: datetime
    resolve_due: datetime
    resolve_warn: datetime
    loop_due: datetime | None
    ack_warned: bool
    ack_breached: bool
    resolve_warned: bool
    resolve_breached: bool
    loop_breached: bool  # for the current gap between public updates
    escalate_at: datetime | None
    escalated: bool
    paused_since: datetime | None = None  # when the current pause began
    is_open: bool = True

    @property
    def resolve_clock_stopped(self) -> bool:
        """Paused before the resolve deadline; a pause begun after it does not hide the breach."""
        return self.paused and (self.paused_since is None or self.paused_since <= self.resolve_due)


class SweepKind(StrEnum):
    WARN = "warn"
    BREACH = "breach"
    ESCALATE = "escalate"


@dataclass(frozen=True)
class SweepAction:
    kind: SweepKind
    clock: Clock | None
    due: datetime | None


def sweep_actions(snap: ClockSnapshot, now: datetime) -> list[SweepAction]:
    """What the sweep must record now for one case; empty when nothing is new."""
    actions: list[SweepAction] = []
    # A deadline is breached when it passed before the clock stopped, even if the clock was
    # stopped (acknowledged, resolved) late but before any sweep ran to see it.
    if snap.acknowledged_at is None and not snap.ack_warned and now >= snap.ack_warn:
        actions.append(SweepAction(SweepKind.WARN, Clock.ACKNOWLEDGE, snap.ack_due))
    if (
        not snap.ack_breached
        and now > snap.ack_due
        and (snap.acknowledged_at is None or snap.acknowledged_at > snap.ack_due)
    ):
        actions.append(SweepAction(SweepKind.BREACH, Clock.ACKNOWLEDGE, snap.ack_due))
    resolve_running = snap.first_resolved_at is None and not snap.resolve_clock_stopped
    if resolve_running and not snap.resolve_warned and now >= snap.resolve_warn:
        actions.append(SweepAction(SweepKind.WARN, Clock.RESOLVE, snap.resolve_due))
    if (
        not snap.resolve_breached
        and now > snap.resolve_due
        and (resolve_running or (snap.first_resolved_at is not None and snap.first_resolved_at > snap.resolve_due))
    ):
        actions.append(SweepAction(SweepKind.BREACH, Clock.RESOLVE, snap.resolve_due))
    if (
        snap.acknowledged_at is not None
        and not snap.paused
        and snap.loop_due is not None
        and not snap.loop_breached
        and now > snap.loop_due
    ):
        actions.append(SweepAction(SweepKind.BREACH, Clock.KEEP_IN_LOOP, snap.loop_due))
    if snap.is_open and not snap.escalated and snap.escalate_at is not None and now > snap.escalate_at:
        actions.append(SweepAction(SweepKind.ESCALATE, None, snap.escalate_at))
    return actions


def state_of(
    now: datetime,
    *,
    breached: bool,
    escalated: bool,
    warned: bool,
) -> SlaState:
    if escalated:
        return SlaState.ESCALATED
    if breached:
        return SlaState.BREACHED
    if warned:
        return SlaState.AT_RISK
    return SlaState.ON_TRACK
