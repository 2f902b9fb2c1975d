"""Changes to settings and accounts, written to the audit chain with what they were before and after.

Every administrator's change (users, organisations and keys, categories, routing rules, service
levels, the working calendar, offices, information pages, monitor scopes) goes through
`record_change`, so each is an event in the hash chain that `flask audit verify` checks and the
admin area lists as "who, when, what, before → after".
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from grievance.models import Event, User
from grievance.services import audit

KIND = "admin_change"


def _plain(value: Any) -> Any:
    """A JSON-safe copy: dates as ISO text, everything else as given."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record_change(
    actor: User | None,
    entity: str,
    entity_id: int | str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    *,
    note: str | None = None,
    now: datetime | None = None,
) -> Event:
    """Append one settings change (before=None: created; after=None: removed) to the chain; flushes."""
    payload: dict[str, Any] = {
        "entity": entity,
        "id": entity_id,
        "before": _plain(before),
        "after": _plain(after),
    }
    if note:
        payload["note"] = note
    return audit.append_event(
        KIND,
        actor=actor,
        actor_label="system" if actor is None else "staff",
        payload=payload,
        at=now,
    )
