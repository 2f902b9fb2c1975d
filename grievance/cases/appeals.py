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
