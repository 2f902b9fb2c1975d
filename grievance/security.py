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
    "intake.show_step",
    "intake.save_step",
    "intake.send",
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
    "telegram.webhook",  # Telegram: checked by the webhook's secret token, not a login
    "transparency.page",
    "transparency.figures_csv",
}


def client_address() -> str:
    """The client's address as limits and session binding see it: IPv4 whole, IPv6 by its /64.

    Behind TRUSTED_PROXIES proxies it is the address they passed on (ProxyFix), else the
    peer's. An IPv6 host picks any address in its /64 at will, so the /64 is the one that
    names it. Never stored or logged: callers keep only a keyed hash of it.
    """
    import ipaddress

    raw = request.remote_addr or "-"
    try:
        address = ipaddress.ip_address(raw.split("%", 1)[0])
    except ValueError:
        return raw
    if address.version == 6 and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def keyed_hash(purpose: str, value: str) -> str:
    """HMAC-SHA-256 of `value` under SECRET_KEY, separated by `purpose`: for keys that must not hold the value."""
    import hashlib
    import hmac

    from flask import current_app

    secret = current_app.config["SECRET_KEY"].encode("utf-8")
    return hmac.new(secret, f"{purpose}\x00{value}".encode(), hashlib.sha256).hexdigest()[:32]


def client_key() -> str:
    """Rate-limit key for the client (see client_address), as a keyed hash: raw addresses are never stored."""
    return "addr:" + keyed_hash("client", client_address())


def header_secret_ok(header: str, setting: str) -> bool:
    """A webhook's caller proves itself with a shared secret in a header (SMS gateway, Telegram).

    Compared as bytes in constant time; an unset secret refuses every request.
    """
    import hmac

    from flask import current_app

    expected = current_app.config.get(setting) or ""
    given = request.headers.get(header, "")
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def keyed_limit_key(prefix: str, value: str) -> str:
    """A rate-limit key for a sender or a chat, as a keyed hash: the number itself is never stored."""
    import hashlib
    import hmac

    from flask import current_app

    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), value.encode(), hashlib.sha256).hexdigest()
    return f"{prefix}:{digest[:32]}"


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


def accepts_uploads(view):
    """Mark a view whose form carries files: a multipart body may reach MAX_CONTENT_LENGTH.

    Every other request body is held to MAX_FORM_MEMORY_SIZE (200 KB), before anything reads it.
    """
    view.accepts_uploads = True
    return view


# Blueprints whose bodies are held to less than MAX_FORM_MEMORY_SIZE (the Open311 API's 64 KB):
# checked here, before anything reads the body, not in the blueprint's own before_request (which
# runs after bound_body has already read and cached an url-encoded body).
_BLUEPRINT_BODY_LIMITS: dict[str, int] = {}


def limit_bodies(blueprint: str, size: int) -> None:
    """Hold every request body of `blueprint` to `size` bytes (a 413 above it)."""
    _BLUEPRINT_BODY_LIMITS[blueprint] = size


def body_limit() -> int:
    """The largest body this request's endpoint accepts."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_uploads", False) and request.mimetype == "multipart/form-data":
        limit = current_app.config["MAX_CONTENT_LENGTH"]
    else:
        limit = current_app.config["MAX_FORM_MEMORY_SIZE"]
    return min(limit, _BLUEPRINT_BODY_LIMITS.get(request.blueprint or "", limit))


def bound_body() -> None:
    """Refuse an oversized body before it is read (413), and bound one sent without a length.

    Werkzeug applies MAX_FORM_MEMORY_SIZE only to multipart text parts: an url-encoded body (what
    most forms send) was read whole up to MAX_CONTENT_LENGTH (16 MB), parsed, validated and
    echoed back. Then url-encoded fields that are not valid UTF-8 (Werkzeug keeps the bytes as
    literal "%FF" text) are listed for the forms to refuse; outside the public side (where the
    forms say so next to the field) and the API (which answers in its own JSON), the whole
    request is refused: no browser sends them.
    """
    if request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    limit = body_limit()
    if request.max_content_length is None or request.max_content_length > limit:
        request.max_content_length = limit
    if request.content_length is not None and request.content_length > limit:
        abort(413)
    if request.content_length is None and request.environ.get("wsgi.input_terminated"):
        _measure_unsized_body(limit)
    # The Open311 API decodes its url-encoded bodies strictly itself (a 422 on bytes that are not
    # UTF-8, api/payload.parse_urlencoded): the flags would only be computed to be ignored.
    if request.mimetype == "application/x-www-form-urlencoded" and request.blueprint != "api":
        from grievance.forms_common import flag_badly_encoded

        flagged = flag_badly_encoded(request.get_data(cache=True))
        if flagged and request.blueprint not in ("intake", "api"):
            abort(400)


def _measure_unsized_body(limit: int) -> None:
    """A chunked body (no Content-Length): read at most limit + 1 bytes; over the limit is a 413.

    Werkzeug would otherwise cut such a body silently at the limit and parse what it got.
    """
    import io

    data = request.environ["wsgi.input"].read(limit + 1)
    if len(data) > limit:
        abort(413)
    request.environ["wsgi.input"] = io.BytesIO(data)
    request.environ["CONTENT_LENGTH"] = str(len(data))
    request.environ.pop("wsgi.input_terminated", None)


def init_app(app: Flask) -> None:
    # Before the blueprints register their rules, so every <int:...> in the app uses it.
    app.url_map.converters["int"] = DatabaseIdConverter

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
        # Same-origin requests keep their Referer: Flask-WTF's HTTPS check refuses a form post
        # without one (behind TLS nobody could log in or file); other sites still get none.
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static":
            response.headers["Cache-Control"] = "no-store"
        return response
