"""Security headers on every response, error pages included; error pages give nothing away."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from config import TestConfig
from grievance import create_app
from grievance.extensions import db as _db
from tests.security.routes import routes, url_for_route

LEAKS = ("Traceback", 'File "', "SELECT", "sqlalchemy", "psycopg", "sqlite3", "RuntimeError", "Werkzeug Debugger")


def csp_directives(response) -> dict[str, list[str]]:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_security_headers(response, where: str, *, cacheable: bool = False) -> None:
    csp = csp_directives(response)
    script_src = csp.get("script-src", csp.get("default-src"))
    assert script_src is not None, f"{where}: no CSP script-src"
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src, f"{where}: {script_src}"
    assert csp.get("frame-ancestors") == ["'none'"], f"{where}: frame-ancestors {csp.get('frame-ancestors')}"
    assert csp.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("X-Frame-Options") == "DENY", where
    # Not no-referrer: Flask-WTF refuses HTTPS form posts that carry no same-origin Referer.
    assert response.headers.get("Referrer-Policy") == "same-origin", where
    if not cacheable:
        assert "no-store" in response.headers.get("Cache-Control", ""), f"{where}: may be cached"


def assert_no_inline_script(response, where: str) -> None:
    if response.mimetype != "text/html":
        return
    page = response.get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page, re.I):
        assert "src=" in tag, f"{where}: inline <script> (the CSP would block it)"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", page, re.I), f"{where}: inline event handler"


def assert_error_page_is_bare(response, where: str) -> None:
    page = response.get_data(as_text=True)
    for leak in LEAKS:
        assert leak not in page, f"{where}: the error page shows {leak!r}"


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "admin", "monitor_in", "frontdesk"])
def test_every_route_answers_with_the_security_headers(app, client, world, role):
    world.login(client, role)
    for route in routes(app):
        if route.endpoint == "auth.logout":
            continue
        url = url_for_route(route, world, app=app)
        response = client.open(url, method=route.method, data={"version": 1, "message": "x"})
        where = f"{route} as {role} ({response.status_code})"
        assert_security_headers(response, where, cacheable=route.endpoint == "static")
        assert_no_inline_script(response, where)
        if response.status_code >= 400:
            assert_error_page_is_bare(response, where)


def test_static_files_may_be_cached_but_keep_the_other_headers(app, client, db):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert_security_headers(response, "static", cacheable=True)
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_pages_with_case_data_are_never_cached(client, world):
    world.login(client, "officer_a")
    case = world.cases["a"]
    reason = {"reason": "contact"}
    for response in (
        client.get(f"/cases/{case.id}"),
        client.post(f"/cases/{case.id}/identity", data=reason),
        client.post(f"/cases/{case.id}/attachments/{world.attachments['a'].id}", data=reason),
        client.get(f"/reports/case/{case.id}.pdf"),
        client.post(f"/reports/case/{case.id}.pdf", data=reason),
    ):
        assert response.status_code == 200
        assert "no-store" in response.headers["Cache-Control"]
    tracked = client.post("/track", data={"reference": case.reference, "code": world.codes["a"]})
    assert tracked.status_code == 200 and "no-store" in tracked.headers["Cache-Control"]


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/no-such-page", 404),
        ("GET", "/open311/v2/requests/GRV-2026-999999.json", 404),
        ("GET", "/track/feedback", 405),
        ("PUT", "/open311/v2/requests.json", 405),
    ],
)
def test_404_and_405_pages_carry_the_headers(client, db, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert_security_headers(response, path)
    assert_error_page_is_bare(response, path)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "application/x-www-form-urlencoded"),
        ("/track", "application/x-www-form-urlencoded"),
        ("/open311/v2/requests.json", "application/json"),
        ("/auth/login", "application/x-www-form-urlencoded"),
    ],
)
def test_413_pages_carry_the_headers(app, client, db, path, content_type):
    body = b"description=" + b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post(path, data=body, content_type=content_type)
    assert response.status_code == 413
    assert_security_headers(response, f"413 {path}")
    assert_error_page_is_bare(response, f"413 {path}")


class _Separate(TestConfig):
    SQLALCHEMY_DATABASE_URI = "sqlite://"


def _separate_app(**settings):
    config = type("SeparateConfig", (_Separate,), settings)
    return create_app(config)


def test_429_pages_carry_the_headers():
    app = _separate_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://")
    client = app.test_client()
    # Empty forms are no wrong passwords: only the bound on all login posts (60 a minute) stops them.
    codes = [client.post("/auth/login", data={"email": "", "password": ""}).status_code for _ in range(61)]
    assert codes[-1] == 429
    response = client.post("/auth/login", data={"email": "", "password": ""})
    assert response.status_code == 429
    assert_security_headers(response, "429")
    assert_error_page_is_bare(response, "429")


SECRET_IN_EXCEPTION = "Canary-Exception GRV-2026-000001 SELECT name FROM complainants"


def _public(monkeypatch, *endpoints):
    from grievance import security

    monkeypatch.setattr(security, "PUBLIC_ENDPOINTS", security.PUBLIC_ENDPOINTS | set(endpoints))


def test_500_page_shows_no_traceback_sql_or_message(monkeypatch):
    """A test-only failing route, on an app instance of its own (never on the real one)."""
    app = _separate_app()
    _public(monkeypatch, "boom", "bad_sql")

    @app.get("/test-only/boom")
    def boom():
        raise RuntimeError(SECRET_IN_EXCEPTION)

    @app.get("/test-only/bad-sql")
    def bad_sql():
        _db.session.execute(text("SELECT name FROM no_such_table WHERE name = 'Canary-Exception'"))

    client = app.test_client()
    # SQLite reports a missing table as an OperationalError, which the app treats as "database
    # unavailable" (503); PostgreSQL's is a ProgrammingError (500). Either way: no detail shown.
    for path, statuses in (("/test-only/boom", (500,)), ("/test-only/bad-sql", (500, 503))):
        response = client.get(path)
        assert response.status_code in statuses, path
        assert_security_headers(response, path)
        assert_error_page_is_bare(response, path)
        assert "Canary-Exception" not in response.get_data(as_text=True)


def test_503_page_when_the_database_is_unreachable(monkeypatch):
    app = _separate_app()
    _public(monkeypatch, "db_down")

    @app.get("/test-only/db-down")
    def db_down():
        raise sa_exc.OperationalError("SELECT name FROM complainants", {"name": "Canary-Exception"}, Exception("down"))

    client = app.test_client()
    response = client.get("/test-only/db-down")
    assert response.status_code == 503
    assert response.headers.get("Retry-After")
    assert_security_headers(response, "503")
    assert_error_page_is_bare(response, "503")
    assert "Canary-Exception" not in response.get_data(as_text=True)


def test_debug_mode_is_off_in_every_configuration():
    from config import CONFIGS

    for name, config in CONFIGS.items():
        assert not getattr(config, "DEBUG", False), f"{name} runs with the debugger on"
