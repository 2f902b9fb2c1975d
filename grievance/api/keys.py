"""API keys for organisations: shown once when issued, only their SHA-256 stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import bindparam, select, update

from grievance.extensions import db
from grievance.models import ApiKey, Organisation
from grievance.models.org import API_KEY_PURPOSES
from grievance.models.timeutil import to_db
from grievance.services.prepared import Prepared

PREFIX = "grv_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue(organisation: Organisation, purpose: str = "assisted") -> tuple[str, ApiKey]:
    """A new key for the organisation: (the key, to show once; its stored row)."""
    if purpose not in API_KEY_PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(API_KEY_PURPOSES)}")
    key = PREFIX + secrets.token_urlsafe(32)
    while key[len(PREFIX)] == "-":  # `apikeys revoke -x…` would read the prefix as an option
        key = PREFIX + secrets.token_urlsafe(32)
    row = ApiKey(
        organisation_id=organisation.id,
        key_hash=_digest(key),
        prefix=key[len(PREFIX) : len(PREFIX) + 8],
        purpose=purpose,
    )
    db.session.add(row)
    db.session.flush()
    return key, row


@dataclass(frozen=True)
class ValidKey:
    """What a request needs of a valid key: plain values, read in one statement."""

    id: int
    organisation_id: int
    purpose: str
    last_used_at: datetime | None


_keys, _organisations = ApiKey.__table__, Organisation.__table__
# Built once: the statement is the same for every request, only the digest changes.
_FIND = Prepared(
    select(_keys.c.id, _keys.c.organisation_id, _keys.c.purpose, _keys.c.last_used_at)
    .join(_organisations, _organisations.c.id == _keys.c.organisation_id)
    .where(_keys.c.key_hash == bindparam("digest"), _keys.c.active.is_(True), _organisations.c.active.is_(True))
)


def find(key: str | None) -> ValidKey | None:
    """The active key of an active organisation matching `key` (a 256-bit random key needs no slow hash)."""
    if not key or not key.startswith(PREFIX) or len(key) > 128:
        return None
    row = _FIND.first(db.session.connection(), {"digest": _digest(key)})
    return None if row is None else ValidKey(*row)


# last_used_at says when a key was last used, to the minute: writing it on every request would
# add a contended row update to each filing of a busy platform.
USED_RESOLUTION = timedelta(minutes=1)


def mark_used(row: ValidKey, now: datetime | None = None) -> None:
    now = now or datetime.now(timezone.utc)
    if row.last_used_at is not None and to_db(now) - row.last_used_at < USED_RESOLUTION:
        return
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == row.id)
        .values(last_used_at=to_db(now))
        .execution_options(synchronize_session=False)
    )


def revoke(prefix: str) -> int:
    """Deactivate the keys that begin with `prefix`; returns how many."""
    result = db.session.execute(
        update(ApiKey).where(ApiKey.prefix == prefix, ApiKey.active.is_(True)).values(active=False)
    )
    return result.rowcount
