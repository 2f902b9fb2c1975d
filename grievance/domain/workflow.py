"""The case workflow: which action may happen in which status, and where it leads.

received → acknowledged → in_progress ⇄ awaiting_info → resolved | rejected → closed;
resolved/rejected may be reopened within the reopen window (30 days by default).
A reopened case is worked like an in-progress one. Actions that do not change status
(transfer, notes, updates, assignment) are allowed only while the case is open.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    AWAITING_INFO = "awaiting_info"
    RESOLVED = "resolved"
    REJECTED = "rejected"
    CLOSED = "closed"
    REOPENED = "reopened"


OPEN_STATUSES = frozenset(
    {
        Status.RECEIVED,
        Status.ACKNOWLEDGED,
        Status.IN_PROGRESS,
        Status.AWAITING_INFO,
        Status.REOPENED,
    }
)
# The same set as plain strings, in workflow order, for SQL filters (`Case.status.in_(OPEN)`).
# This is the one definition of "open": the model, the queues, the monitors' list and the sweep use it.
OPEN_STATUS_VALUES: tuple[str, ...] = tuple(s.value for s in Status if s in OPEN_STATUSES)
FINISHED_STATUSES = frozenset({Status.RESOLVED, Status.REJECTED})
WORKING = frozenset({Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.REOPENED})


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    START = "start"
    REQUEST_INFO = "request_info"
    PROVIDE_INFO = "provide_info"
    RESOLVE = "resolve"
    REJECT = "reject"
    CLOSE = "close"
    REOPEN = "reopen"
    TRANSFER = "transfer"
    PUBLIC_UPDATE = "public_update"
    NOTE = "note"
    ASSIGN = "assign"
    ESCALATE = "escalate"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    DECIDE_APPEAL = "decide_appeal"
    REFER = "refer"
    RECATEGORISE = "recategorise"
    MARK_DUPLICATE = "mark_duplicate"


# action -> (statuses it may start from, status it leads to; None keeps the status)
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None]] = {
    Action.ACKNOWLEDGE: (frozenset({Status.RECEIVED}), Status.ACKNOWLEDGED),
    Action.START: (frozenset({Status.ACKNOWLEDGED}), Status.IN_PROGRESS),
    Action.REQUEST_INFO: (WORKING, Status.AWAITING_INFO),
    Action.PROVIDE_INFO: (frozenset({Status.AWAITING_INFO}), Status.IN_PROGRESS),
    Action.RESOLVE: (WORKING, Status.RESOLVED),
    Action.REJECT: (WORKING | {Status.RECEIVED}, Status.REJECTED),
    Action.CLOSE: (FINISHED_STATUSES, Status.CLOSED),
    Action.REOPEN: (FINISHED_STATUSES, Status.REOPENED),
    Action.TRANSFER: (OPEN_STATUSES, None),
    Action.PUBLIC_UPDATE: (OPEN_STATUSES, None),
    Action.NOTE: (OPEN_STATUSES | FINISHED_STATUSES, None),
    Action.ASSIGN: (OPEN_STATUSES, None),
    Action.ESCALATE: (OPEN_STATUSES, None),
    Action.REQUEST_EXTENSION: (OPEN_STATUSES - {Status.RECEIVED}, None),
    Action.DECIDE_EXTENSION: (OPEN_STATUSES, None),
    # An appeal is decided on the reopened case; the decision answers it again (cases/appeals.py).
    Action.DECIDE_APPEAL: (frozenset({Status.REOPENED}), None),
    Action.REFER: (OPEN_STATUSES | FINISHED_STATUSES, None),
    # Correcting the category re-checks routing; the clocks keep running (cases/service.recategorise).
    Action.RECATEGORISE: (OPEN_STATUSES, None),
    # A duplicate is answered by its original: where a rejection may be made; the status change is
    # the non-public `reject` that goes with it, so the figures see it finished (cases/duplicates.py).
    Action.MARK_DUPLICATE: (WORKING | {Status.RECEIVED}, None),
}

DEFAULT_REOPEN_WINDOW_DAYS = 30


class TransitionRefused(Exception):
    """An action is not allowed in the case's current status; `reason` says why."""

    def __init__(self, action: Action, status: Status, reason: str) -> None:
        super().__init__(reason)
        self.action = action
        self.status = status
        self.reason = reason


def next_status(
    action: Action,
    current: Status,
    *,
    now: datetime | None = None,
    finished_at: datetime | None = None,
    reopen_window_days: int = DEFAULT_REOPEN_WINDOW_DAYS,
) -> Status:
    """The status after `action`, or TransitionRefused with a reason a person can read."""
    action, current = Action(action), Status(current)
    allowed_from, target = TRANSITIONS[action]
    if current not in allowed_from:
        if current == Status.CLOSED:
            reason = f"the case is closed; '{action}' is no longer possible"
        elif current in FINISHED_STATUSES and action in (Action.RESOLVE, Action.REJECT):
            reason = f"the case is already {current}; reopen it first"
        else:
            allowed = ", ".join(sorted(allowed_from))
            reason = f"'{action}' is not allowed while the case is {current} (allowed from: {allowed})"
        raise TransitionRefused(action, current, reason)
    if action == Action.REOPEN:
        if now is None or finished_at is None:
            raise ValueError("reopen needs now and finished_at")
        if now - finished_at > timedelta(days=reopen_window_days):
            raise TransitionRefused(
                action,
                current,
                f"the case can only be reopened within {reopen_window_days} days of its resolution",
            )
    return current if target is None else target


def allowed_actions(current: Status) -> list[Action]:
    """Actions whose status precondition holds (time windows are checked on use)."""
    return [a for a, (src, _) in TRANSITIONS.items() if Status(current) in src]
