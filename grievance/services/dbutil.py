"""Small portable SQL helpers (SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from grievance.extensions import db


def insert_ignore(model, **values) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on either database."""
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    db.session.execute(module.insert(model).values(**values).on_conflict_do_nothing())
