"""Sessions: a fresh one at login, bound to the client that logged in, 30 minutes idle, 12 hours at most.

Binding: the session records a keyed hash of the client's user agent and address (IPv4 whole,
IPv6 by its /64; SESSION_BIND_ADDRESS=false leaves the address out). A copy of the cookie
used from another client loads no user: that request is anonymous, and the owner's own
session goes on. Flask-Login's "strong" protection did nothing here: it only marks permanent
sessions as not fresh.
"""

from __future__ import annotations

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from grievance import seclog
from grievance.security import client_address, keyed_hash


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, unchanged, with the signing serializer built once per key set.

    Flask builds a new serializer (and its signer, and probes its JSON) for every request, to
    open the session and again to save it: most of what an API call without a cookie pays for
    sessions. It is rebuilt whenever SECRET_KEY or SECRET_KEY_FALLBACKS change.
    """

    def get_signing_serializer(self, app):
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = app.extensions.get("grievance.session_serializer")
        if cached is None or cached[0] != keys:
            cached = app.extensions["grievance.session_serializer"] = (keys, super().get_signing_serializer(app))
        return cached[1]


def client_fingerprint() -> str:
    """What a session is bound to: a keyed hash of this client's user agent (and address)."""
    agent = request.headers.get("User-Agent", "")
    address = client_address() if current_app.config.get("SESSION_BIND_ADDRESS", True) else ""
    return keyed_hash("session-binding", f"{address}\x00{agent}")


def bind() -> None:
    """Bind the current session (a login, or the step between password and code) to this client."""
    session["bound"] = client_fingerprint()


def bound_here() -> bool:
    return session.get("bound") == client_fingerprint()


def load_user(user_id: str):
    """Flask-Login's loader: the account (service.load_user), only on the client the session belongs to."""
    from grievance.auth.service import load_user as load_account

    user = load_account(user_id)
    if user is not None and not bound_here():
        seclog.event("session_refused", user=user.id, reason="another_client")
        return None
    return user


def start(user) -> None:
    """Log in on a brand-new session (no fixation) bound to this client, stamping its start and last activity."""
    session.clear()
    login_user(user)
    session.permanent = True
    bind()
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
