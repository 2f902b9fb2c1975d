"""SQLite as a safe embedded database: WAL, busy timeout, foreign keys, BEGIN IMMEDIATE.

pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe) so
that we emit BEGIN ourselves: IMMEDIATE for any transaction that may write, which takes
the write lock up front. Without it, two read-then-write transactions can both read the
old state and one update is silently lost. Requests that only read (GET/HEAD) may mark
themselves with `read_only()` to use a deferred BEGIN so readers never wait on writers.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import Engine

_begin_mode: ContextVar[str] = ContextVar("sqlite_begin_mode", default="IMMEDIATE")


def set_read_only(read_only: bool):
    """Choose the BEGIN mode for this context (request); returns a token for reset."""
    return _begin_mode.set("DEFERRED" if read_only else "IMMEDIATE")


def reset(token) -> None:
    _begin_mode.reset(token)


@contextmanager
def read_only():
    token = set_read_only(True)
    try:
        yield
    finally:
        _begin_mode.reset(token)


def configure(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql(f"BEGIN {_begin_mode.get()}")
