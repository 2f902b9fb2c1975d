"""Session lifetime: a fresh session at login, 30 minutes idle, 12 hours at most."""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from grievance import seclog


def start(user) -> None:
    """Log in on a brand-new session (no fixation), stamping its start and last activity."""
    session.clear()
    login_user(user)
    session.permanent = True
    now = int(time.time())
    session["auth_at"] = now
    session["seen_at"] = now


def end() -> None:
    logout_user()
    session.clear()


def init_app(app: Flask) -> None:
    @app.before_request
    def _expire():
        if request.endpoint == "static" or not current_user.is_authenticated:
            return None
        now = int(time.time())
        started = session.get("auth_at", 0)
        seen = session.get("seen_at", 0)
        idle = current_app.config["IDLE_TIMEOUT_SECONDS"]
        absolute = current_app.config["PERMANENT_SESSION_LIFETIME"]
        absolute = absolute.total_seconds() if hasattr(absolute, "total_seconds") else absolute
        if now - seen > idle or now - started > absolute:
            seclog.event("session_expired", user=current_user.id, reason="idle" if now - seen > idle else "absolute")
            end()
            flash(_("Your session has ended. Please log in again."), "warning")
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.path))
            return redirect(url_for("auth.login"), 303)
        session["seen_at"] = now
        return None
