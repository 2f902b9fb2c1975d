"""Who may download which scorecard; case documents follow the case scoping of grievance.cases."""

from __future__ import annotations

from grievance.cases.permissions import COUNCIL_ROLES
from grievance.models import User

ALL_FUNDS = "ALL"


def can_view_scorecard(user: User, scope: str) -> bool:
    """The council reads every scorecard; a fund supervisor only their own fund's."""
    if user.role in COUNCIL_ROLES:
        return True
    return user.role == "supervisor" and user.fund is not None and scope == user.fund.code


def scorecard_scopes(user: User, fund_codes: list[str]) -> list[str]:
    """The scorecards this user may open, in the order the archive lists them."""
    return [scope for scope in [ALL_FUNDS, *fund_codes] if can_view_scorecard(user, scope)]
