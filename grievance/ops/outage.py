"""A database that cannot be reached is a clear 503, never a 500 with half a transaction.

When PostgreSQL restarts, a network hop drops, or an SQLite file stays locked past the busy
timeout, SQLAlchemy raises OperationalError / InterfaceError (or a DBAPIError that invalidated
its connection) or, with the pool exhausted, TimeoutError. The transaction is rolled back, the
person sees the "briefly unavailable" page in their language (JSON for the Open311 API), and
the next request gets a fresh connection (pool_pre_ping), so service resumes by itself.
"""

from __future__ import annotations

from flask import Flask, g, make_response, render_template, request
from sqlalchemy import exc as sa_exc

RETRY_AFTER_SECONDS = 30


def is_unavailable(error: BaseException) -> bool:
    """True when the error means the database cannot be used right now (not a bug in a query)."""
    if isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError | sa_exc.TimeoutError):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


def _rollback() -> None:
    from grievance.extensions import db

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection may be gone; the pool discards it
        db.session.close()


def unavailable_response():
    """The 503 answer: the spec's error list for the API (XML or JSON), the error page for everyone else."""
    from grievance.api import formats as open311

    if open311.handles(request.path):
        response = open311.error(503, open311.MESSAGES[503])
    else:
        if "_login_user" not in g:
            # Loading the user would query the database again; the page needs no account.
            from grievance.extensions import login_manager

            g._login_user = login_manager.anonymous_user()
        page = render_template("errors/error.html", code=503, name="Service Unavailable")
        response = make_response(page, 503)
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def init_app(app: Flask) -> None:
    def _database_unavailable(error: Exception):
        _rollback()
        if not is_unavailable(error):
            # A genuine bug in a statement: the same answer as any other unhandled error.
            app.logger.error("unhandled error %s on %s", type(error).__name__, request.endpoint)
            from grievance.api import formats as open311

            if open311.handles(request.path):
                return open311.error(500, open311.MESSAGES[500])
            return render_template("errors/error.html", code=500, name="Internal Server Error"), 500
        # The type only: driver messages can quote statement parameters (complaint text).
        app.logger.error("database unavailable (%s) on %s", type(error).__name__, request.endpoint)
        return unavailable_response()

    for cls in (sa_exc.DBAPIError, sa_exc.TimeoutError):
        app.register_error_handler(cls, _database_unavailable)
