"""The database stores naive UTC; the rest of the code works with aware datetimes."""

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Naive UTC now, for database columns."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def to_db(instant: datetime | None) -> datetime | None:
    if instant is None:
        return None
    if instant.tzinfo is None:
        raise ValueError("to_db needs an aware datetime")
    return instant.astimezone(timezone.utc).replace(tzinfo=None)


def from_db(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    return value.replace(tzinfo=timezone.utc)
