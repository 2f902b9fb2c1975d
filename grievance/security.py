"""Response headers, safe redirects and the deny-by-default gate."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user

from grievance import seclog

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Endpoints anyone may reach without logging in. Everything else needs a user.
PUBLIC_ENDPOINTS = {
    "static",
    "intake.form",
    "intake.submit",
    "intake.track",
    "intake.track_lookup",
    "intake.add_information",
    "intake.feedback",
    "intake.choose_place",
    "api.discovery",
    "api.openapi",
    "api.services",
    "api.service_definition",
    "api.requests_list",
    "api.requests_create",
    "api.request_show",
    "reports.receipt_pdf",
    "auth.login",
    "auth.totp",
    "main.set_language",
    "main.healthz",
    "info.index",
    "info.page",
    "sms.inbound",  # the SMS gateway: checked by a shared secret, not a login
    "transparency.page",
    "transparency.figures_csv",
}


def client_key() -> str:
    """Rate-limit key for the caller's address, as a keyed hash: raw addresses are never stored."""
    import hashlib
    import hmac

    from flask import current_app

    address = request.remote_addr or "-"
    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return "addr:" + hmac.new(secret, address.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def is_safe_next(target: str | None) -> bool:
    """Only local absolute paths: '/cases/1' yes; '//evil', '/\\evil', 'https:evil' no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and all(ord(ch) >= 32 for ch in target)


def init_app(app: Flask) -> None:
    @app.before_request
    def _deny_by_default():
        endpoint = request.endpoint
        if endpoint is None:
            return None  # 404/405 handled by Flask
        if endpoint in PUBLIC_ENDPOINTS:
            return None
        if not current_user.is_authenticated:
            seclog.event("refused", reason="anonymous", endpoint=endpoint, method=request.method)
            if request.method == "GET":
                return redirect(url_for("auth.login", next=request.path))
            abort(401)
        return None

    @app.after_request
    def _headers(response):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
