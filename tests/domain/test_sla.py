"""Service-level clocks: deadlines, the 80 % warning, pauses, escalation and the sweep's decisions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from grievance.domain import sla
from grievance.domain.calendar import WorkingCalendar
from grievance.domain.sla import ClockSnapshot, Policy, SlaState, SweepAction, SweepKind

PP = ZoneInfo("Asia/Phnom_Penh")
UTC = timezone.utc
SECOND = timedelta(seconds=1)
DAY = 86400


def pp(*args: int) -> datetime:
    return datetime(*args, tzinfo=PP)


@pytest.fixture()
def cal() -> WorkingCalendar:
    return WorkingCalendar()


POLICY = Policy(ack_days=2, resolve_days=15)
RECEIVED = pp(2026, 4, 10, 10, 0)  # Friday before Khmer New Year


# --- Initial deadlines and warnings ---------------------------------------------------------


def test_initial_deadlines_across_khmer_new_year(cal):
    d = sla.initial_deadlines(RECEIVED, POLICY, cal)
    assert d.ack_due == pp(2026, 4, 17, 23, 59, 59)
    assert d.resolve_due == pp(2026, 5, 8, 23, 59, 59)
    assert all(x.tzinfo == UTC for x in (d.ack_due, d.ack_warn, d.resolve_due, d.resolve_warn))


def test_ack_warning_at_80_percent_of_working_time(cal):
    # Working time to the ack deadline: 14 h on Fri 10, all of Mon 13, Fri 17 to 23:59:59
    # = 223,199 s; 80 % = 178,559 s. Fri 14 h + Mon 24 h leave 41,759 s on Fri 17: 11:35:59.
    d = sla.initial_deadlines(RECEIVED, POLICY, cal)
    assert d.ack_warn == pp(2026, 4, 17, 11, 35, 59)
    assert cal.working_seconds_between(RECEIVED, d.ack_warn) == 178_559


def test_resolve_warning_lands_on_the_right_working_day(cal):
    # 1,346,399 working seconds to the due date; 80 % falls on Monday 4 May (1 May is a holiday).
    d = sla.initial_deadlines(RECEIVED, POLICY, cal)
    assert d.resolve_warn == pp(2026, 5, 4, 21, 11, 59)
    total = cal.working_seconds_between(RECEIVED, d.resolve_due)
    assert cal.working_seconds_between(RECEIVED, d.resolve_warn) == total * 80 // 100


def test_warn_percent_is_policy_data(cal):
    d50 = sla.initial_deadlines(RECEIVED, Policy(2, 15, warn_percent=50), cal)
    d80 = sla.initial_deadlines(RECEIVED, POLICY, cal)
    assert d50.resolve_warn < d80.resolve_warn < d80.resolve_due
    assert d50.resolve_due == d80.resolve_due


def test_urgent_health_category_one_day_ack(cal):
    d = sla.initial_deadlines(pp(2026, 11, 20, 15, 0), Policy(ack_days=1, resolve_days=3), cal)
    assert d.ack_due == pp(2026, 11, 26, 23, 59, 59)  # weekend and Water Festival skipped
    assert d.resolve_due == pp(2026, 11, 30, 23, 59, 59)


def test_same_day_acknowledgement_of_a_weekend_complaint_warns_before_it_is_due(cal):
    d = sla.initial_deadlines(pp(2026, 6, 6, 10, 0), Policy(ack_days=0, resolve_days=5), cal)
    assert d.ack_due == pp(2026, 6, 8, 23, 59, 59)  # Monday, not the Saturday of receipt
    assert d.ack_warn < d.ack_due
    assert d.ack_warn == pp(2026, 6, 8, 19, 11, 59)  # 80 % of Monday


def test_keep_in_loop_due_ten_working_days_after_last_public_update(cal):
    # 13, 17, 20-24, 27, 28, 29 April: the weekend and Khmer New Year do not count.
    assert sla.loop_due(pp(2026, 4, 10, 10, 0), POLICY, cal) == pp(2026, 4, 29, 23, 59, 59)


# --- Pause and resume -----------------------------------------------------------------------


def _moved(cal, due, warn, paused_at, resumed_at) -> sla.Resumed:
    return sla.resume(paused_at, resumed_at, due, warn, cal)


def test_pause_over_khmer_new_year_counts_only_working_time(cal):
    d = sla.initial_deadlines(RECEIVED, POLICY, cal)
    # Paused Monday 13 April 10:00, answered Friday 17 April 10:00: 14 h + 10 h of working time.
    r = _moved(cal, d.resolve_due, d.resolve_warn, pp(2026, 4, 13, 10, 0), pp(2026, 4, 17, 10, 0))
    assert r.paused_seconds == DAY
    assert r.resolve_due == pp(2026, 5, 11, 23, 59, 59)  # Fri 8 May → Mon 11 May
    assert cal.working_seconds_between(d.resolve_due, r.resolve_due) == DAY
    assert cal.working_seconds_between(d.resolve_warn, r.resolve_warn) == DAY


def test_pause_over_a_weekend_only_counts_the_friday_and_monday_hours(cal):
    d = sla.initial_deadlines(pp(2026, 6, 1, 9, 0), POLICY, cal)
    r = _moved(cal, d.resolve_due, d.resolve_warn, pp(2026, 6, 5, 23, 0), pp(2026, 6, 8, 1, 0))
    assert r.paused_seconds == 2 * 3600
    assert cal.working_seconds_between(d.resolve_due, r.resolve_due) == 2 * 3600


def test_pause_entirely_inside_a_weekend_moves_nothing(cal):
    d = sla.initial_deadlines(pp(2026, 6, 1, 9, 0), POLICY, cal)
    r = _moved(cal, d.resolve_due, d.resolve_warn, pp(2026, 6, 6, 9, 0), pp(2026, 6, 7, 18, 0))
    assert r.paused_seconds == 0
    assert (r.resolve_due, r.resolve_warn) == (d.resolve_due, d.resolve_warn)


def test_pause_excludes_closure_days(cal):
    closed = WorkingCalendar(closures=[date(2026, 6, 3)])
    d = sla.initial_deadlines(pp(2026, 6, 1, 9, 0), POLICY, closed)
    r = _moved(closed, d.resolve_due, d.resolve_warn, pp(2026, 6, 2, 12, 0), pp(2026, 6, 4, 12, 0))
    assert r.paused_seconds == DAY  # 12 h on Tue 2, nothing on Wed 3, 12 h on Thu 4


def test_several_pauses_accumulate(cal):
    d = sla.initial_deadlines(pp(2026, 6, 1, 9, 0), POLICY, cal)
    first = _moved(cal, d.resolve_due, d.resolve_warn, pp(2026, 6, 2, 9, 0), pp(2026, 6, 2, 15, 0))
    second = _moved(cal, first.resolve_due, first.resolve_warn, pp(2026, 6, 9, 10, 0), pp(2026, 6, 11, 10, 0))
    assert first.paused_seconds == 6 * 3600
    assert second.paused_seconds == 2 * DAY
    assert cal.working_seconds_between(d.resolve_due, second.resolve_due) == 6 * 3600 + 2 * DAY
    # Originally due Tuesday 23 June 23:59:59 (15 working days from Monday 1 June; 18 June is
    # the Queen Mother's birthday); 6 h and 2 days later: Friday 26 June 05:59:59.
    assert d.resolve_due == pp(2026, 6, 23, 23, 59, 59)
    assert second.resolve_due == pp(2026, 6, 26, 5, 59, 59)


def test_pause_that_starts_after_the_deadline_does_not_move_it(cal):
    # The clock had run out before the case was paused: the breach stands.
    d = sla.initial_deadlines(pp(2026, 6, 1, 9, 0), POLICY, cal)
    after_due = d.resolve_due + timedelta(days=2)
    r = _moved(cal, d.resolve_due, d.resolve_warn, after_due, after_due + timedelta(days=7))
    assert r.resolve_due == d.resolve_due
    assert r.resolve_warn == d.resolve_warn


def test_pause_that_straddles_the_deadline_moves_it_by_the_whole_pause(cal):
    d = sla.initial_deadlines(pp(2026, 6, 1, 9, 0), POLICY, cal)  # due Tue 23 June
    r = _moved(cal, d.resolve_due, d.resolve_warn, pp(2026, 6, 23, 12, 0), pp(2026, 6, 25, 12, 0))
    assert r.paused_seconds == 2 * DAY
    assert r.resolve_due == pp(2026, 6, 25, 23, 59, 59)


# --- Extension and escalation ---------------------------------------------------------------


def test_extension_adds_working_days_to_the_due_date(cal):
    assert sla.extend(pp(2026, 4, 10, 23, 59, 59), 3, cal) == pp(2026, 4, 20, 23, 59, 59)


def test_escalation_five_working_days_after_the_breached_deadline(cal):
    ack_due = pp(2026, 4, 17, 23, 59, 59)
    assert sla.escalation_instant(ack_due, POLICY, cal) == pp(2026, 4, 24, 23, 59, 59)
    # Across New Year: a deadline on Friday 10 April escalates at the end of Wed 22 April
    # (13, 17, 20, 21, 22).
    assert sla.escalation_instant(pp(2026, 4, 10, 23, 59, 59), POLICY, cal) == pp(2026, 4, 22, 23, 59, 59)
    assert sla.escalation_instant(ack_due, Policy(2, 15, escalate_after_days=2), cal) == pp(2026, 4, 21, 23, 59, 59)


# --- What the sweep records ------------------------------------------------------------------


def snap(cal, **overrides) -> ClockSnapshot:
    d = sla.initial_deadlines(RECEIVED, POLICY, cal)
    values = dict(
        paused=False,
        acknowledged_at=None,
        first_resolved_at=None,
        ack_due=d.ack_due,
        ack_warn=d.ack_warn,
        resolve_due=d.resolve_due,
        resolve_warn=d.resolve_warn,
        loop_due=None,
        ack_warned=False,
        ack_breached=False,
        resolve_warned=False,
        resolve_breached=False,
        loop_breached=False,
        escalate_at=None,
        escalated=False,
    )
    values.update(overrides)
    return ClockSnapshot(**values)


def kinds(actions: list[SweepAction]) -> list[tuple[str, str | None]]:
    return [(a.kind.value, None if a.clock is None else a.clock.value) for a in actions]


def test_nothing_before_the_warning(cal):
    s = snap(cal)
    assert sla.sweep_actions(s, s.ack_warn - SECOND) == []


def test_ack_warning_exactly_at_the_warn_instant(cal):
    s = snap(cal)
    actions = sla.sweep_actions(s, s.ack_warn)
    assert kinds(actions) == [("warn", "acknowledge")]
    assert actions[0].due == s.ack_due


def test_ack_breach_only_after_the_due_instant(cal):
    s = snap(cal, ack_warned=True)
    assert sla.sweep_actions(s, s.ack_due) == []
    assert kinds(sla.sweep_actions(s, s.ack_due + SECOND)) == [("breach", "acknowledge")]


def test_flags_already_recorded_are_not_repeated(cal):
    s = snap(cal, ack_warned=True, ack_breached=True)
    assert sla.sweep_actions(s, s.ack_due + timedelta(hours=2)) == []


def test_an_acknowledged_case_has_no_ack_clock(cal):
    s = snap(cal, acknowledged_at=RECEIVED + timedelta(hours=1))
    assert sla.sweep_actions(s, s.ack_due + timedelta(days=1)) == []


def test_resolve_warning_and_breach(cal):
    s = snap(cal, acknowledged_at=RECEIVED + timedelta(hours=1))
    assert kinds(sla.sweep_actions(s, s.resolve_warn)) == [("warn", "resolve")]
    assert kinds(sla.sweep_actions(s, s.resolve_due + SECOND)) == [("warn", "resolve"), ("breach", "resolve")]


def test_paused_case_has_no_resolve_warning_or_breach(cal):
    s = snap(cal, acknowledged_at=RECEIVED, paused=True)
    assert sla.sweep_actions(s, s.resolve_due - timedelta(hours=1)) == []


def test_paused_after_the_deadline_the_breach_is_still_recorded(cal):
    s = snap(cal, acknowledged_at=RECEIVED, resolve_warned=True, paused=True)
    s = replace(s, paused_since=s.resolve_due + timedelta(hours=3))
    assert kinds(sla.sweep_actions(s, s.resolve_due + timedelta(hours=5))) == [("breach", "resolve")]


def test_acknowledgement_after_the_deadline_is_a_breach_even_if_no_sweep_saw_it(cal):
    s = snap(cal, acknowledged_at=pp(2026, 4, 20, 8, 0), ack_warned=False)
    actions = sla.sweep_actions(s, pp(2026, 4, 20, 9, 0))
    assert kinds(actions) == [("breach", "acknowledge")]  # no warning after the fact
    assert actions[0].due == s.ack_due


def test_replaying_an_earlier_instant_does_not_breach_a_late_acknowledgement_early(cal):
    s = snap(cal, acknowledged_at=pp(2026, 4, 20, 8, 0), ack_warned=True)
    assert sla.sweep_actions(s, s.ack_due) == []


def test_resolution_after_the_deadline_is_a_breach_but_not_escalated(cal):
    s = snap(cal, acknowledged_at=RECEIVED, resolve_warned=True, ack_warned=True)
    late = replace(s, first_resolved_at=s.resolve_due + timedelta(hours=5), is_open=False)
    assert kinds(sla.sweep_actions(late, s.resolve_due + timedelta(days=1))) == [("breach", "resolve")]
    on_time = replace(s, first_resolved_at=s.resolve_due, is_open=False)
    assert sla.sweep_actions(on_time, s.resolve_due + timedelta(days=1)) == []
    finished = replace(late, resolve_breached=True, escalate_at=s.resolve_due + timedelta(days=7))
    assert sla.sweep_actions(finished, s.resolve_due + timedelta(days=30)) == []


def test_resolved_case_has_no_resolve_clock(cal):
    s = snap(cal, acknowledged_at=RECEIVED, first_resolved_at=RECEIVED + timedelta(days=1))
    assert sla.sweep_actions(s, s.resolve_due + timedelta(days=3)) == []


def test_keep_in_loop_breach(cal):
    loop = pp(2026, 4, 28, 23, 59, 59)
    s = snap(cal, acknowledged_at=RECEIVED, loop_due=loop)
    assert sla.sweep_actions(s, loop) == []
    assert kinds(sla.sweep_actions(s, loop + SECOND)) == [("breach", "keep_in_loop")]
    assert sla.sweep_actions(replace(s, loop_breached=True), loop + SECOND) == []
    assert sla.sweep_actions(replace(s, paused=True), loop + SECOND) == []


def test_escalation_after_its_instant_and_only_once(cal):
    at = pp(2026, 4, 24, 23, 59, 59)
    s = snap(cal, ack_warned=True, ack_breached=True, escalate_at=at)
    assert sla.sweep_actions(s, at) == []
    actions = sla.sweep_actions(s, at + SECOND)
    assert kinds(actions) == [("escalate", None)]
    assert actions[0] == SweepAction(SweepKind.ESCALATE, None, at)
    assert sla.sweep_actions(replace(s, escalated=True), at + SECOND) == []


@pytest.mark.parametrize(
    ("flags", "state"),
    [
        ({"breached": False, "escalated": False, "warned": False}, SlaState.ON_TRACK),
        ({"breached": False, "escalated": False, "warned": True}, SlaState.AT_RISK),
        ({"breached": True, "escalated": False, "warned": True}, SlaState.BREACHED),
        ({"breached": True, "escalated": True, "warned": True}, SlaState.ESCALATED),
    ],
)
def test_state_of(flags, state):
    assert sla.state_of(RECEIVED, **flags) == state
