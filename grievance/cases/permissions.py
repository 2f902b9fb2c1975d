"""Who may see and act on which cases. Scoping is done in SQL, never after loading."""

from __future__ import annotations

from sqlalchemy import Select, false, select

from grievance.models import Case, Category, User
from grievance.services import disclosure

COUNCIL_ROLES = ("oversight", "admin")


def scope(query: Select, user: User) -> Select:
    """Restrict a query over Case to what `user` may see."""
    if user.role in ("officer", "supervisor"):
        # Sensitive categories (misconduct by officials) stay with the council whoever holds them.
        return query.where(Case.fund_id == user.fund_id, Case.category_id.not_in(_sensitive_ids()))
    if user.role in COUNCIL_ROLES:
        return query
    return query.where(false())


def _sensitive_ids():
    return select(Category.id).where(Category.sensitive.is_(True))


def visible_cases(user: User) -> Select:
    return scope(select(Case), user)


def can_view(user: User, case: Case) -> bool:
    if user.role in ("officer", "supervisor"):
        return case.fund_id == user.fund_id and not case.category.sensitive
    return user.role in COUNCIL_ROLES


def can_act(user: User, case: Case) -> bool:
    """Only the handling fund's staff change a case; the council escalation desk acts on NSPC cases."""
    if user.role in ("officer", "supervisor"):
        return case.fund_id == user.fund_id and not case.category.sensitive
    if user.role == "oversight":
        return case.fund.code == "NSPC"
    return False


# The complainant's personal data: one rule for every role, in services/disclosure.
can_see_identity = disclosure.can_see_identity
