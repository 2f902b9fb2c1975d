"""Authentication and sessions: fresh at login, ended everywhere on logout/password change/deactivation."""

from __future__ import annotations

import logging
import time

import pytest

from grievance import create_app
from grievance.auth import service
from grievance.domain import totp
from grievance.extensions import db as _db
from tests.factories import PASSWORD


def _login(client, user, password=PASSWORD, next_url=None):
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    return client.post(url, data={"email": user.email, "password": password})


def _logged_in(client) -> bool:
    return client.get("/cases/").status_code == 200


def test_login_starts_a_fresh_session(client, make):
    user = make.user("officer", fund="NSAF")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    assert _login(client, user).status_code == 302
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_unknown_user_and_wrong_password_get_the_same_answer(client, make):
    user = make.user("officer", fund="NSAF")
    wrong = client.post("/auth/login", data={"email": user.email, "password": "not the password!"})
    unknown = client.post("/auth/login", data={"email": "nobody@example.org", "password": "not the password!"})
    assert wrong.status_code == unknown.status_code == 200
    # The form keeps what was typed; apart from that echo, the two answers are identical.
    assert wrong.data.replace(user.email.encode(), b"EMAIL") == unknown.data.replace(b"nobody@example.org", b"EMAIL")


def test_logout_ends_every_session_of_that_user(app, make):
    user = make.user("officer", fund="NSAF")
    phone, laptop = app.test_client(), app.test_client()
    _login(phone, user)
    _login(laptop, user)
    assert _logged_in(phone) and _logged_in(laptop)
    phone.post("/auth/logout")
    assert not _logged_in(phone)
    assert not _logged_in(laptop), "a session on another device survived logout"


def test_password_change_ends_other_sessions_and_keeps_this_one(app, make):
    user = make.user("officer", fund="NSAF")
    here, elsewhere = app.test_client(), app.test_client()
    _login(here, user)
    _login(elsewhere, user)
    new = "a brand new long password"
    response = here.post("/auth/password", data={"current": PASSWORD, "new": new, "confirm": new})
    assert response.status_code == 302
    assert _logged_in(here)
    assert not _logged_in(elsewhere)
    fresh = app.test_client()
    assert _login(fresh, user, password=PASSWORD).status_code == 200  # old password refused
    assert _login(fresh, user, password=new).status_code == 302


def test_password_change_checks_length_and_current_password(client, make):
    user = make.user("officer", fund="NSAF")
    _login(client, user)
    short = client.post("/auth/password", data={"current": PASSWORD, "new": "short", "confirm": "short"})
    assert short.status_code == 200 and b"12" in short.data
    wrong = client.post("/auth/password", data={"current": "wrong password!!", "new": "x" * 20, "confirm": "x" * 20})
    assert wrong.status_code == 400
    too_long = "y" * 129
    assert client.post("/auth/password", data={"current": PASSWORD, "new": too_long, "confirm": too_long}).status_code
    assert _logged_in(client)


def test_deactivation_ends_every_session(app, make):
    user = make.user("officer", fund="NSAF")
    client = app.test_client()
    _login(client, user)
    assert _logged_in(client)
    service.deactivate(_db.session.get(type(user), user.id))
    _db.session.commit()
    assert not _logged_in(client)
    assert _login(app.test_client(), user).status_code == 200  # cannot log in again


@pytest.mark.parametrize("key,age", [("seen_at", 31 * 60), ("auth_at", 12 * 3600 + 60)])
def test_idle_and_absolute_timeouts(client, make, key, age):
    user = make.user("officer", fund="NSAF")
    _login(client, user)
    with client.session_transaction() as sess:
        sess[key] = int(time.time()) - age
    response = client.get("/cases/")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    assert not _logged_in(client)


def test_activity_keeps_the_session_alive(client, make):
    user = make.user("officer", fund="NSAF")
    _login(client, user)
    with client.session_transaction() as sess:
        sess["seen_at"] = int(time.time()) - 29 * 60
    assert _logged_in(client)
    with client.session_transaction() as sess:
        assert time.time() - sess["seen_at"] < 5


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "/\\evil.example", "https:evil.example", "javascript:alert(1)", "https://evil.example/"],
)
def test_next_redirects_only_to_local_paths(client, make, target):
    user = make.user("officer", fund="NSAF")
    response = _login(client, user, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/cases/"


def test_local_next_is_honoured(client, make):
    user = make.user("officer", fund="NSAF")
    assert _login(client, user, next_url="/cases/?status=all").headers["Location"] == "/cases/?status=all"


def test_session_cookie_flags(client, make):
    user = make.user("officer", fund="NSAF")
    cookie = _login(client, user).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("GRIEVANCE_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AUDIT_KEY", "a" * 40)
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_password_length_is_checked_before_hashing(db, monkeypatch):
    calls = []
    monkeypatch.setattr(service, "generate_password_hash", lambda *a, **k: calls.append(1) or "x")
    for bad in ("short", "z" * 129):
        with pytest.raises(service.AccountError):
            service.create_user("new@example.org", bad, "admin")
    assert calls == []


def test_totp_second_factor_each_code_usable_once(app, make):
    user = make.user("oversight", fund=None)
    secret = totp.new_secret()
    now = time.time()
    service.enable_totp(user, secret, totp.code_at(secret, int(now // 30) - 1), proof=PASSWORD, now=now)
    _db.session.commit()
    client = app.test_client()
    assert _login(client, user).headers["Location"].startswith("/auth/totp")
    assert not _logged_in(client), "the password alone must not log in"
    code = totp.code_at(secret, int(time.time() // 30))
    assert client.post("/auth/totp", data={"code": code}).status_code == 302
    assert _logged_in(client)
    replay = app.test_client()
    _login(replay, user)
    again = replay.post("/auth/totp", data={"code": code})
    assert again.status_code == 200 and not _logged_in(replay), "a used code was accepted twice"
    wrong = app.test_client()
    _login(wrong, user)
    assert wrong.post("/auth/totp", data={"code": "000000" if code != "000000" else "111111"}).status_code == 200


def test_security_events_are_logged_with_control_characters_escaped(client, make):
    records: list[str] = []
    handler = logging.Handler()
    handler.emit = lambda record: records.append(handler.format(record))
    from grievance.seclog import SafeFormatter

    handler.setFormatter(SafeFormatter())
    logger = logging.getLogger("grievance")
    logger.addHandler(handler)
    try:
        user = make.user("officer", fund="NSAF")
        client.post("/auth/login", data={"email": "x\r\nINFO login ok", "password": "wrong wrong wrong"})
        _login(client, user)
    finally:
        logger.removeHandler(handler)
    assert any("event=login_failed" in r for r in records)
    assert any("event=login" in r and f"user={user.id}" in r for r in records)
    assert all("\n" not in r and "\r" not in r for r in records)
    assert not any(PASSWORD in r for r in records)


@pytest.mark.parametrize(
    "role,home", [("officer", "/cases/"), ("monitor", "/monitor/"), ("oversight", "/cases/"), ("supervisor", "/cases/")]
)
def test_each_role_lands_on_its_own_home_page(client, make, role, home):
    user = make.user(role, fund="NSAF" if role in ("officer", "supervisor") else None)
    response = _login(client, user)
    assert response.headers["Location"] == home
    assert client.get(home).status_code == 200
