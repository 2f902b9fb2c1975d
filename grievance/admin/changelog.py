"""The human-readable list of administrators' changes: who, when, what, before → after.

It reads the `admin_change` events of the audit chain (services.changes.record_change), so what
it shows is what `flask audit verify` checks. Ids are shown as the names they stand for, codes
as words, in the reader's language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from grievance.admin import labels
from grievance.extensions import db
from grievance.geo import province_name
from grievance.labels import CHANNEL, localtime
from grievance.models import Category, Event, Fund, Office, Organisation, User
from grievance.services.changes import KIND

PAGE_SIZE = 50


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class Line:
    seq: int
    at: datetime
    who: str
    entity: str
    entity_code: str
    entity_id: Any
    action: str  # "created", "changed", "removed"
    note: str | None
    fields: list[FieldChange]


class _Names:
    """Names for the ids a change records, looked up once per page."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self._cache: dict[tuple[str, int], str] = {}

    def _lookup(self, model, ident: int, show) -> str:
        key = (model.__name__, ident)
        if key not in self._cache:
            row = db.session.get(model, ident)
            self._cache[key] = f"#{ident}" if row is None else show(row)
        return self._cache[key]

    def value(self, field: str, value: Any) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if field in ("fund_id", "default_fund_id"):
            return self._lookup(Fund, value, lambda f: f.code)
        if field == "category_id":
            return self._lookup(Category, value, lambda c: f"{c.code} — {c.name(self.locale)}")
        if field == "organisation_id":
            return self._lookup(Organisation, value, lambda o: o.name)
        if field == "office_id":
            return self._lookup(Office, value, lambda o: o.name(self.locale))
        if field == "province_code":
            return province_name(value, self.locale)
        if field == "channel":
            return str(CHANNEL.get(value, value))
        words = {
            "role": labels.ROLE,
            "kind": labels.ORG_KIND,
            "purpose": labels.KEY_PURPOSE,
            "priority": labels.PRIORITY,
            "situation": labels.SITUATION,
            "level": labels.LEVEL,
            "locale": labels.LANGUAGE,
        }.get(field)
        if words is not None:
            return str(words.get(value, value))
        if isinstance(value, list):
            return " · ".join(f"#{v}" for v in value)
        if field == "two_step":
            return _("on") if value == "on" else _("off")
        text = str(value)
        return text if len(text) <= 160 else text[:157] + "…"

    def who(self, event: Event) -> str:
        if event.actor_id is None:
            return _("Operator (command line)")
        return self._lookup(User, event.actor_id, lambda u: f"{u.name} ({u.email})")


def _line(event: Event, names: _Names) -> Line:
    payload = json.loads(event.payload)
    before, after = payload.get("before"), payload.get("after")
    action = "created" if before is None else "removed" if after is None else "changed"
    # The chain stores keys sorted; show them in the order the pages do (labels.FIELD's order).
    order = {name: i for i, name in enumerate(labels.FIELD)}
    keys = sorted(dict.fromkeys([*(after or {}), *(before or {})]), key=lambda k: order.get(k, len(order)))
    fields = [
        FieldChange(
            str(labels.FIELD.get(key, key)),
            names.value(key, (before or {}).get(key)) if before is not None else "",
            names.value(key, (after or {}).get(key)) if after is not None else "",
        )
        for key in keys
    ]
    note = payload.get("note")
    entity = payload.get("entity", "")
    return Line(
        seq=event.seq,
        at=localtime(event.at),
        who=names.who(event),
        entity=str(labels.ENTITY.get(entity, entity)),
        entity_code=entity,
        entity_id=payload.get("id"),
        action=action,
        note=None if note is None else str(labels.NOTE.get(note, note)),
        fields=fields,
    )


def entity_filter(entity: str):
    """Events of one kind of setting: the canonical JSON payload holds "entity":"<name>"."""
    pattern = '%"entity":' + json.dumps(entity) + "%"
    return Event.payload.like(pattern)


def page(locale: str, *, entity: str = "", entity_id: Any = None, number: int = 1) -> tuple[list[Line], int]:
    """One page of changes, newest first, and how many there are in all."""
    query = select(Event).where(Event.kind == KIND)
    if entity:
        query = query.where(entity_filter(entity))
    if entity_id is not None:
        ident = '%"id":' + json.dumps(entity_id)
        query = query.where(or_(Event.payload.like(ident + ",%"), Event.payload.like(ident + "}%")))
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    offset = (max(number, 1) - 1) * PAGE_SIZE
    events = db.session.execute(query.order_by(Event.seq.desc()).limit(PAGE_SIZE).offset(offset)).scalars()
    names = _Names(locale)
    return [_line(e, names) for e in events], total


def recent(locale: str, entity: str, entity_id: Any, limit: int = 10) -> list[Line]:
    """The latest changes of one record, for its edit page."""
    lines, _total = page(locale, entity=entity, entity_id=entity_id)
    return lines[:limit]
