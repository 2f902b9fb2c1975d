"""Response headers, safe redirects and the deny-by-default gate."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, redirect, request, url_for
from flask_login import current_user
from werkzeug.routing import IntegerConverter

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
    "api.token_show",
    "api.updates",
    "reports.receipt_pdf",
    "auth.login",
    "auth.totp",
    "auth.totp_enrol",  # between password and first second factor: a pending login, not a session
    "auth.forgot",
    "auth.set_password",  # one-time invitation and reset links
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


def tracking_key() -> bytes:
    """The key under which this app stores tracking codes (TRACKING_CODE_KEY, else derived from SECRET_KEY).

    Every channel that files or looks up a complaint (web form, front desk, assisted filing,
    Open311, SMS, the receipt PDF, the CLI) takes it from here, so they all agree.
    """
    from flask import current_app

    from grievance.intake.service import tracking_key as derive

    return derive(current_app.config.get("TRACKING_CODE_KEY") or current_app.config["SECRET_KEY"])


def audit_keys():
    """The audit chain's keys (AUDIT_KEY, else derived from SECRET_KEY outside production).

    Every writer and verifier of the chain (events, case digests, checkpoints, scorecards) takes
    them from here.
    """
    import hashlib

    from flask import current_app

    from grievance.domain.audit import Keys

    secret = current_app.config.get("AUDIT_KEY")
    if secret:
        return Keys.from_secret(secret.encode("utf-8"))
    derived = hashlib.sha256(b"grievance-audit-key:" + current_app.config["SECRET_KEY"].encode("utf-8")).digest()
    return Keys.from_secret(derived)


def is_safe_next(target: str | None) -> bool:
    """Only local absolute paths: '/cases/1' yes; '//evil', '/\\evil', 'https:evil' no."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and all(ord(ch) >= 32 for ch in target)


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` capped at the largest 64-bit integer: a bigger id is a 404, not a driver overflow (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**63 - 1, signed=False):  # noqa: A002 - Werkzeug's names
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_app(app: Flask) -> None:
    # Before the blueprints register their rules, so every <int:...> in the app uses it.
    app.url_map.converters["int"] = DatabaseIdConverter

    @app.before_request
    def _flag_badly_encoded_form_fields():
        # Werkzeug keeps invalid UTF-8 in url-encoded bodies as literal "%FF" text; CleanText
        # refuses the fields listed here. The intake blueprint does this itself, after lowering
        # the body limit, so its body must not be read here first; the Open311 API decodes its
        # bodies strictly itself (api/payload.parse_urlencoded).
        if (
            request.method == "POST"
            and request.mimetype == "application/x-www-form-urlencoded"
            and request.blueprint not in ("intake", "api")
        ):
            from grievance.forms_common import flag_badly_encoded

            flag_badly_encoded(request.get_data(cache=True))

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
