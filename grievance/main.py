"""Site-wide routes: language switch and health check."""

from flask import Blueprint, current_app, jsonify, redirect, request
from sqlalchemy import text

from grievance.extensions import db
from grievance.i18n import LANG_COOKIE
from grievance.security import is_safe_next

bp = Blueprint("main", __name__)


@bp.get("/lang/<code>")
def set_language(code: str):
    target = request.args.get("next")
    response = redirect(target if is_safe_next(target) else "/")
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(LANG_COOKIE, code, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


@bp.get("/healthz")
def healthz():
    """For the load balancer: 200 when the database answers, 503 (take me out) when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # noqa: BLE001 - any database failure means unhealthy
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone; the pool will replace it
            db.session.close()
        return jsonify(status="unavailable", database="down"), 503
    return jsonify(status="ok", database="ok")
