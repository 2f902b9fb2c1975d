"""Settings an administrator changes at run time, on the admin area's "Settings" page.

So far one: whether dates and numbers read in Khmer use Khmer digits (០១២) or Western ones. It
is read wherever a date or number is written for a Khmer reader (pages, receipts, PDFs, SMS and
Telegram replies, notifications) through `khmer_digits()`. Without a saved row the deployment's
configuration (`KHMER_DIGITS`) decides.

Values are cached per process for `CACHE_SECONDS`: a change shows at once in the process that
saved it and within that time in every other worker (the value is read on every page that shows
a date, so the cache keeps pages free of a query each).
"""

from __future__ import annotations

import json
import time
from typing import Any

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from grievance.admin.editing import EditConflict
from grievance.admin.guard import require_admin
from grievance.extensions import db
from grievance.models import Setting, User
from grievance.services.changes import record_change

ENTITY = "setting"
KHMER_DIGITS = "khmer_digits"
# name -> the configuration key that gives its value while no administrator has saved one
CONFIGURED = {KHMER_DIGITS: "KHMER_DIGITS"}
CACHE_SECONDS = 30.0
_CACHE = "grievance_settings"


def _stored() -> dict[str, tuple[Any, int]]:
    cache = current_app.extensions.get(_CACHE)
    now = time.monotonic()
    if cache is None or now - cache[0] > CACHE_SECONDS:
        rows = db.session.execute(select(Setting.name, Setting.value, Setting.version)).all()
        cache = (now, {name: (json.loads(value), version) for name, value, version in rows})
        current_app.extensions[_CACHE] = cache
    return cache[1]


def forget() -> None:
    """Drop this process's cached values (after a save, and in tests)."""
    current_app.extensions.pop(_CACHE, None)


def value(name: str) -> Any:
    stored = _stored()
    if name in stored:
        return stored[name][0]
    return current_app.config.get(CONFIGURED[name])


def khmer_digits() -> bool:
    """Whether an administrator chose Khmer digits for dates and numbers read in Khmer."""
    return bool(value(KHMER_DIGITS))


def version(name: str) -> int:
    """The version of the saved value (0: none saved yet), for the page to send back with a change."""
    row = db.session.get(Setting, name)
    return 0 if row is None else row.version


def from_configuration(name: str) -> bool:
    """True while no administrator has saved this setting (the deployment's configuration decides)."""
    return db.session.get(Setting, name) is None


def update_setting(actor: User | None, name: str, expected_version: int | None, new_value: Any) -> bool:
    """Save one setting if it is still at the version the page showed; recorded before → after.

    Returns whether anything changed. A stale page raises EditConflict and writes nothing.
    """
    require_admin(actor)
    if name not in CONFIGURED:
        raise KeyError(name)
    row = db.session.get(Setting, name)
    current_version = 0 if row is None else row.version
    if expected_version is None or expected_version != current_version:
        raise EditConflict(row)
    before = value(name) if row is None else json.loads(row.value)
    if row is not None and before == new_value:
        return False
    encoded = json.dumps(new_value)
    if row is None:
        try:
            with db.session.begin_nested():
                db.session.add(Setting(name=name, value=encoded, version=1))
        except IntegrityError:
            raise EditConflict(None) from None
    else:
        result = db.session.execute(
            update(Setting)
            .where(Setting.name == name, Setting.version == expected_version)
            .values(value=encoded, version=expected_version + 1)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            raise EditConflict(row)
        db.session.expire(row)
    record_change(actor, ENTITY, name, {name: before}, {name: new_value})
    forget()
    return True
