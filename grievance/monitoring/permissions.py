"""What a monitor (a CSO or union account) may see, decided in SQL.

A monitor sees the cases its organisation filed, and the cases inside its organisation's
scope (MonitorScope rows: province and/or category; a row with both empty = every case; no
rows = no cases besides its own: a scope fails closed). Text is unmasked only on the
organisation's own cases with a named complainant; every other case is shown redacted.
"""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from grievance.models import Case, MonitorScope, Organisation, User
from grievance.services import disclosure


def is_monitor(user: User) -> bool:
    return user.is_authenticated and user.role == "monitor" and user.organisation_id is not None


def scope(query: Select, user: User) -> Select:
    """Restrict a query over Case to what this monitor may see (nothing for anyone else)."""
    if not is_monitor(user):
        return query.where(false())
    org = user.organisation_id
    active = select(Organisation.id).where(Organisation.id == org, Organisation.active.is_(True)).exists()
    matching = select(MonitorScope.id).where(
        MonitorScope.organisation_id == org,
        or_(MonitorScope.province_code.is_(None), MonitorScope.province_code == Case.province_code),
        or_(MonitorScope.category_id.is_(None), MonitorScope.category_id == Case.category_id),
    )
    return query.where(active, or_(Case.filed_by_org_id == org, matching.exists()))


def visible_cases(user: User) -> Select:
    return scope(select(Case), user)


def filed_by_own_org(user: User, case: Case) -> bool:
    return case.filed_by_org_id is not None and case.filed_by_org_id == user.organisation_id


def can_see_identity(user: User, case: Case) -> bool:
    """A named complainant of a case the monitor's organisation filed (the rule is services/disclosure's)."""
    return is_monitor(user) and disclosure.can_see_identity(user, case)
