"""Organisations (CSOs, unions, platforms) and their Open311 API keys."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from grievance.admin.editing import EditConflict, Invalid, created, guarded_update
from grievance.admin.guard import require_admin
from grievance.api import keys
from grievance.extensions import db
from grievance.models import ApiKey, MonitorScope, Organisation, User
from grievance.models.org import API_KEY_PURPOSES, ORGANISATION_KINDS
from grievance.services.changes import record_change

ENTITY = "organisation"
FIELDS = ("name", "kind", "active")


def listing() -> list[tuple[Organisation, int, int, int]]:
    """Every organisation with its number of monitors, active keys and scope rules."""
    orgs = db.session.execute(select(Organisation).order_by(func.lower(Organisation.name))).scalars().all()

    def counts(query) -> dict[int, int]:
        return dict(db.session.execute(query).all())

    monitors = counts(
        select(User.organisation_id, func.count()).where(User.role == "monitor").group_by(User.organisation_id)
    )
    active_keys = counts(
        select(ApiKey.organisation_id, func.count()).where(ApiKey.active.is_(True)).group_by(ApiKey.organisation_id)
    )
    scopes = counts(select(MonitorScope.organisation_id, func.count()).group_by(MonitorScope.organisation_id))
    return [(o, monitors.get(o.id, 0), active_keys.get(o.id, 0), scopes.get(o.id, 0)) for o in orgs]


def _check(name: str, kind: str, exclude_id: int | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise Invalid(_l("Give the organisation's name."), "name")
    if kind not in ORGANISATION_KINDS:
        raise Invalid(_l("Choose what kind of organisation it is."), "kind")
    clash = select(Organisation.id).where(func.lower(Organisation.name) == name.lower())
    if exclude_id is not None:
        clash = clash.where(Organisation.id != exclude_id)
    if db.session.execute(clash).first():
        raise Invalid(_l("An organisation with this name already exists."), "name")
    return name


def create(actor: User | None, *, name: str, kind: str) -> Organisation:
    """A new organisation of the kind the administrator chose."""
    require_admin(actor)
    org = Organisation(name=_check(name, kind), kind=kind, active=True)
    db.session.add(org)
    created(org, actor, ENTITY, FIELDS)
    return org


def update_organisation(
    actor: User | None, org: Organisation, expected_version: int | None, *, name: str, kind: str, active: bool
) -> dict:
    """Rename, change its kind, or (de)activate it: a deactivated organisation's API keys stop working."""
    require_admin(actor)
    values = {"name": _check(name, kind, exclude_id=org.id), "kind": kind, "active": bool(active)}
    return guarded_update(org, actor, ENTITY, expected_version, values)


def keys_of(org: Organisation) -> list[ApiKey]:
    return list(
        db.session.execute(
            select(ApiKey).where(ApiKey.organisation_id == org.id).order_by(ApiKey.active.desc(), ApiKey.id.desc())
        ).scalars()
    )


def issue_key(actor: User | None, org: Organisation, purpose: str) -> tuple[str, ApiKey]:
    """A new API key (returned once, stored only as SHA-256) for an active organisation."""
    require_admin(actor)
    if purpose not in API_KEY_PURPOSES:
        raise Invalid(_l("Choose what the key is for."), "purpose")
    if not org.active:
        raise Invalid(_l("This organisation is deactivated: activate it before issuing a key."))
    key, row = keys.issue(org, purpose)
    record_change(actor, "api_key", row.id, None, {"organisation": org.name, "purpose": purpose, "prefix": row.prefix})
    return key, row


def revoke_key(actor: User | None, row: ApiKey) -> None:
    """Switch a key off for good; a second revoke of the same key is a conflict, not a second event."""
    require_admin(actor)
    result = db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == row.id, ApiKey.active.is_(True))
        .values(active=False)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise EditConflict(row)
    db.session.refresh(row)
    record_change(actor, "api_key", row.id, {"active": True}, {"active": False})
