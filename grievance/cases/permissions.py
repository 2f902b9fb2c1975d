"""Who may see and act on which cases. Scoping is done in SQL, never after loading.

Cases are handled by the staff (officers and supervisors) of the fund holding them; the
council's triage desk is the staff of the oversight fund (NSPC), and only they handle the
sensitive categories (misconduct by officials). The council's readers (role oversight) and
administrators see every case and change none. Officers claim cases, supervisors assign them
and decide extensions. The case services check these rules themselves (services/permits.py).
"""

from __future__ import annotations

from sqlalchemy import Select, false, select

from grievance.models import Case, Category, User
from grievance.services import disclosure

COUNCIL_ROLES = ("oversight", "admin")
FUND_ROLES = ("officer", "supervisor")


def is_council_desk(user: User) -> bool:
    """Staff of the oversight fund: the council's triage desk, which handles misconduct complaints."""
    return user.role in FUND_ROLES and user.fund is not None and user.fund.kind == "oversight"


def scope(query: Select, user: User) -> Select:
    """Restrict a query over Case to what `user` may see."""
    if user.role in FUND_ROLES:
        query = query.where(Case.fund_id == user.fund_id)
        if is_council_desk(user):
            return query
        # Sensitive categories (misconduct by officials) stay with the council whoever holds them.
        return query.where(Case.category_id.not_in(_sensitive_ids()))
    if user.role in COUNCIL_ROLES:
        return query
    return query.where(false())


def _sensitive_ids():
    return select(Category.id).where(Category.sensitive.is_(True))


def visible_cases(user: User) -> Select:
    return scope(select(Case), user)


def can_view(user: User, case: Case) -> bool:
    if user.role in FUND_ROLES:
        return case.fund_id == user.fund_id and (not case.category.sensitive or is_council_desk(user))
    return user.role in COUNCIL_ROLES


def can_act(user: User, case: Case) -> bool:
    """Only the handling fund's staff change a case (the triage desk's for council cases); readers never."""
    return user.role in FUND_ROLES and can_view(user, case)


def can_assign(user: User, case: Case, assignee: User | None) -> bool:
    """Anyone who handles the case may claim it; giving it to someone else (or to no one) is a supervisor's."""
    if not can_act(user, case):
        return False
    return user.role == "supervisor" or (assignee is not None and assignee.id == user.id)


def can_decide_extension(user: User, case: Case) -> bool:
    return can_act(user, case) and user.role == "supervisor"


# The complainant's personal data: one rule for every role, in services/disclosure.
can_see_identity = disclosure.can_see_identity
