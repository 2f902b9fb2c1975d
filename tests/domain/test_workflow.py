"""The case workflow, checked over the whole Status x Action grid against a table written here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grievance.domain.workflow import Action, Status, TransitionRefused, allowed_actions, next_status

R, A, P, W = Status.RECEIVED, Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.AWAITING_INFO
S, J, C, RO = Status.RESOLVED, Status.REJECTED, Status.CLOSED, Status.REOPENED
OPEN = (R, A, P, W, RO)
SAME = "same"  # the action is allowed and keeps the status

# action -> {status it may start from: status it leads to}; every pair not listed is refused.
EXPECTED: dict[Action, dict[Status, Status | str]] = {
    Action.ACKNOWLEDGE: {R: A},
    Action.START: {A: P},
    Action.REQUEST_INFO: {A: W, P: W, RO: W},
    Action.PROVIDE_INFO: {W: P},
    Action.RESOLVE: {A: S, P: S, RO: S},
    Action.REJECT: {R: J, A: J, P: J, RO: J},
    Action.CLOSE: {S: C, J: C},
    Action.REOPEN: {S: RO, J: RO},
    Action.TRANSFER: {s: SAME for s in OPEN},
    Action.PUBLIC_UPDATE: {s: SAME for s in OPEN},
    Action.NOTE: {s: SAME for s in (*OPEN, S, J)},
    Action.ASSIGN: {s: SAME for s in OPEN},
    Action.ESCALATE: {s: SAME for s in OPEN},
    Action.REQUEST_EXTENSION: {A: SAME, P: SAME, W: SAME, RO: SAME},
    Action.DECIDE_EXTENSION: {s: SAME for s in OPEN},
    # The appeal is decided on the reopened case (the service then answers it: cases/appeals.py).
    Action.DECIDE_APPEAL: {RO: SAME},
    Action.REFER: {s: SAME for s in (*OPEN, S, J)},
    Action.RECATEGORISE: {s: SAME for s in OPEN},
    Action.MARK_DUPLICATE: {R: SAME, A: SAME, P: SAME, RO: SAME},
}

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=timezone.utc)
GRID = [(action, status) for action in Action for status in Status]


def test_the_expected_table_names_every_action():
    assert set(EXPECTED) == set(Action)
    assert len(GRID) == len(Action) * len(Status) == 19 * 8


def _attempt(action: Action, status: Status) -> Status:
    return next_status(action, status, now=NOW, finished_at=NOW - timedelta(days=1))


@pytest.mark.parametrize(("action", "status"), GRID, ids=[f"{a}-from-{s}" for a, s in GRID])
def test_transition_grid(action, status):
    expected = EXPECTED[action].get(status)
    if expected is None:
        with pytest.raises(TransitionRefused) as refused:
            _attempt(action, status)
        err = refused.value
        assert err.action == action and err.status == status
        # The reason is a sentence a person can read: it names the action or the situation.
        assert err.reason == str(err)
        assert "Status." not in err.reason and "Action." not in err.reason
        assert str(status) in err.reason
        assert len(err.reason.split()) >= 5
    else:
        assert _attempt(action, status) == (status if expected == SAME else expected)


@pytest.mark.parametrize("status", list(Status))
def test_allowed_actions_lists_exactly_the_allowed_ones(status):
    expected = {action for action, table in EXPECTED.items() if status in table}
    assert set(allowed_actions(status)) == expected


def test_closed_case_allows_nothing():
    assert allowed_actions(Status.CLOSED) == []


def test_refusal_reasons_read_well():
    with pytest.raises(TransitionRefused) as closed:
        next_status(Action.NOTE, Status.CLOSED)
    assert closed.value.reason == "the case is closed; 'note' is no longer possible"

    with pytest.raises(TransitionRefused) as again:
        next_status(Action.RESOLVE, Status.RESOLVED)
    assert again.value.reason == "the case is already resolved; reopen it first"

    with pytest.raises(TransitionRefused) as early:
        next_status(Action.START, Status.RECEIVED)
    assert "'start' is not allowed while the case is received" in early.value.reason
    assert "acknowledged" in early.value.reason


def test_plain_strings_are_accepted_for_action_and_status():
    assert next_status("acknowledge", "received") == Status.ACKNOWLEDGED


# --- Reopen window ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S, J])
@pytest.mark.parametrize(
    ("elapsed", "allowed"),
    [
        (timedelta(0), True),
        (timedelta(days=29, hours=23), True),
        (timedelta(days=30), True),
        (timedelta(days=30, seconds=1), False),
        (timedelta(days=45), False),
    ],
)
def test_reopen_window_of_30_days(status, elapsed, allowed):
    finished = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    if allowed:
        assert next_status(Action.REOPEN, status, now=finished + elapsed, finished_at=finished) == RO
    else:
        with pytest.raises(TransitionRefused) as refused:
            next_status(Action.REOPEN, status, now=finished + elapsed, finished_at=finished)
        assert refused.value.reason == "the case can only be reopened within 30 days of its resolution"


def test_reopen_window_is_configurable():
    finished = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)
    later = finished + timedelta(days=10)
    assert next_status(Action.REOPEN, S, now=later, finished_at=finished, reopen_window_days=10) == RO
    with pytest.raises(TransitionRefused, match="within 7 days"):
        next_status(Action.REOPEN, S, now=later, finished_at=finished, reopen_window_days=7)


def test_reopen_without_dates_is_a_programming_error():
    with pytest.raises(ValueError):
        next_status(Action.REOPEN, S)


def test_the_open_statuses_are_spelt_out_only_in_the_workflow():
    """One definition of "open": no other module lists the open statuses itself."""
    import re
    from pathlib import Path

    from grievance.domain.workflow import OPEN_STATUS_VALUES

    root = Path(__file__).resolve().parents[2]
    quoted = [re.compile(rf"[\"']{status}[\"']") for status in OPEN_STATUS_VALUES]
    spelt = []
    for path in [*root.glob("grievance/**/*.py"), *root.glob("bench/*.py"), *root.glob("reports/**/*.py")]:
        if path.name == "workflow.py" and path.parent.name == "domain":
            continue
        for line_no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if sum(1 for pattern in quoted if pattern.search(line)) >= 3:
                spelt.append(f"{path.relative_to(root)}:{line_no}")
    assert spelt == []
