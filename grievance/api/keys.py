"""API keys for organisations: shown once when issued, only their SHA-256 stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

from sqlalchemy import select, update

from grievance.extensions import db
from grievance.models import ApiKey, Organisation
from grievance.models.org import API_KEY_PURPOSES
from grievance.models.timeutil import to_db

PREFIX = "grv_"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def issue(organisation: Organisation, purpose: str = "assisted") -> tuple[str, ApiKey]:
    """A new key for the organisation: (the key, to show once; its stored row)."""
    if purpose not in API_KEY_PURPOSES:
        raise ValueError(f"purpose must be one of {', '.join(API_KEY_PURPOSES)}")
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


def find(key: str | None) -> ApiKey | None:
    """The active key row matching `key` (a 256-bit random key needs no slow hash), or None."""
    if not key or not key.startswith(PREFIX) or len(key) > 128:
        return None
    row = db.session.execute(
        select(ApiKey).where(ApiKey.key_hash == _digest(key), ApiKey.active.is_(True))
    ).scalar_one_or_none()
    if row is None:
        return None
    organisation = db.session.get(Organisation, row.organisation_id)
    return row if organisation is not None and organisation.active else None


def mark_used(row: ApiKey, now: datetime | None = None) -> None:
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.id == row.id)
        .values(last_used_at=to_db(now or datetime.now(timezone.utc)))
        .execution_options(synchronize_session=False)
    )


def revoke(prefix: str) -> int:
    """Deactivate the keys that begin with `prefix`; returns how many."""
    result = db.session.execute(
        update(ApiKey).where(ApiKey.prefix == prefix, ApiKey.active.is_(True)).values(active=False)
    )
    return result.rowcount
