"""An app of its own with the rate limits on (memory storage) and a fresh file database.

The limiter object is shared by every app in the process; it is reset before and after, and
switched back to what it was, so other tests never see these counters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from config import TestConfig
from grievance import create_app
from grievance.extensions import db, limiter
from grievance.seed import seed_reference


@contextmanager
def limited_app(tmp_path, setup=None, **settings) -> Iterator:
    """Yields the app; `setup(app)` runs in its context after the reference data is loaded."""
    attrs = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'limited.sqlite'}",
        **settings,
    }
    was_enabled = limiter.enabled
    app = create_app(type("Limited", (TestConfig,), attrs))
    with app.app_context():
        db.create_all()
        seed_reference()
        if setup is not None:
            setup(app)
        db.session.commit()
        db.session.remove()
    limiter.reset()
    try:
        yield app
    finally:
        limiter.reset()
        limiter.enabled = was_enabled
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
