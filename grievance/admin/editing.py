"""Guarded edits: a conditional UPDATE on the version the administrator saw, recorded with before and after.

Two administrators editing the same thing: the first save wins, the second gets EditConflict
(nothing written) and the page shows what is stored now next to the values they typed.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import update

from grievance.admin.guard import require_admin
from grievance.extensions import db
from grievance.models import User
from grievance.services.changes import record_change


class EditConflict(Exception):
    """Someone changed the record since the page was loaded; nothing was written."""

    def __init__(self, current: Any = None) -> None:
        super().__init__("changed since it was loaded")
        self.current = current


class Invalid(ValueError):
    """A value an administrator gave cannot be stored; `field` names the form field, if any."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def snapshot(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {name: plain(getattr(obj, name)) for name in fields}


def guarded_update(
    obj: Any,
    actor: User | None,
    entity: str,
    expected_version: int | None,
    values: dict[str, Any],
    *,
    note: str | None = None,
) -> dict[str, tuple[Any, Any]]:
    """Apply `values` to `obj` if it is still at `expected_version`; returns {field: (before, after)} changed.

    Nothing changed: no write, no event. Otherwise one conditional UPDATE raising the version
    and one admin_change event with the changed fields before and after.
    """
    require_admin(actor)
    if expected_version is None or obj.version != expected_version:
        raise EditConflict(obj)
    changed = {name: value for name, value in values.items() if getattr(obj, name) != value}
    if not changed:
        return {}
    before = {name: plain(getattr(obj, name)) for name in changed}
    model = type(obj)
    result = db.session.execute(
        update(model)
        .where(model.id == obj.id, model.version == expected_version)
        .values(**changed, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(obj)
        raise EditConflict(obj)
    db.session.refresh(obj)
    after = {name: plain(getattr(obj, name)) for name in changed}
    record_change(actor, entity, obj.id, before, after, note=note)
    return {name: (before[name], after[name]) for name in changed}


def created(obj: Any, actor: User | None, entity: str, fields: tuple[str, ...], *, note: str | None = None) -> None:
    """Record a new record (flushed first so it has an id)."""
    db.session.flush()
    record_change(actor, entity, obj.id, None, snapshot(obj, fields), note=note)
