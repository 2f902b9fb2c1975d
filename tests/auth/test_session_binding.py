"""Sessions belong to the client that logged in; password changes are limited; two-step setup is safe."""

from __future__ import annotations

import time

import pytest

from config import TestConfig
from grievance import create_app
from grievance.auth import service
from grievance.domain import totp
from grievance.extensions import db as _db
from tests.factories import PASSWORD
from tests.limited import limited_app

OWNER = {"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "Mozilla/5.0 (Linux; Android 13) Chrome/120"}
THIEF_AGENT = {"REMOTE_ADDR": "192.0.2.10", "HTTP_USER_AGENT": "curl/8.5"}
THIEF_ADDRESS = {"REMOTE_ADDR": "203.0.113.66", "HTTP_USER_AGENT": OWNER["HTTP_USER_AGENT"]}
COOKIE = TestConfig.SESSION_COOKIE_NAME


def _client(app, environ):
    client = app.test_client()
    client.environ_base.update(environ)
    return client


def _login(client, user, password=PASSWORD):
    return client.post("/auth/login", data={"email": user.email, "password": password})


def _logged_in(client) -> bool:
    return client.get("/cases/").status_code == 200


def _copy_session(source, target) -> None:
    target.set_cookie(COOKIE, source.get_cookie(COOKIE).value)


@pytest.mark.parametrize("thief", [THIEF_AGENT, THIEF_ADDRESS], ids=["other-agent", "other-address"])
def test_a_copied_session_cookie_does_not_work_from_another_client(app, make, thief):
    user = make.user("officer", fund="NSAF")
    owner = _client(app, OWNER)
    assert _login(owner, user).status_code == 302
    stolen = _client(app, thief)
    _copy_session(owner, stolen)
    response = stolen.get("/cases/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    assert stolen.post(f"/cases/{make.case()[0].id}/note", data={"message": "x"}).status_code == 401
    assert _logged_in(owner), "the owner's own session must go on"


def test_an_ipv6_client_keeps_its_session_across_its_own_64(app, make):
    user = make.user("officer", fund="NSAF")
    first = {"REMOTE_ADDR": "2001:db8:1:2::10", "HTTP_USER_AGENT": "Firefox"}
    owner = _client(app, first)
    _login(owner, user)
    same_host = _client(app, {**first, "REMOTE_ADDR": "2001:db8:1:2:aaaa:bbbb:cccc:dddd"})
    _copy_session(owner, same_host)
    assert _logged_in(same_host)
    elsewhere = _client(app, {**first, "REMOTE_ADDR": "2001:db8:1:3::10"})
    _copy_session(owner, elsewhere)
    assert not _logged_in(elsewhere)


def test_binding_to_the_address_can_be_switched_off_but_not_to_the_agent(tmp_path):
    config = type(
        "Roaming",
        (TestConfig,),
        {"SESSION_BIND_ADDRESS": False, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'roam.sqlite'}"},
    )
    app = create_app(config)
    with app.app_context():
        _db.create_all()
        from grievance.seed import seed_reference

        seed_reference()
        user = service.create_user("roaming@nsaf.example", PASSWORD, "officer", fund_code="NSAF")
        _db.session.commit()
        owner = _client(app, OWNER)
        _login(owner, user)
        moved = _client(app, THIEF_ADDRESS)
        _copy_session(owner, moved)
        assert _logged_in(moved)
        other_agent = _client(app, THIEF_AGENT)
        _copy_session(owner, other_agent)
        assert not _logged_in(other_agent)
        _db.session.remove()
        _db.engine.dispose()


def test_behind_the_proxy_the_binding_uses_the_forwarded_client(tmp_path):
    def officer(_app):
        service.create_user("proxied@nsaf.example", PASSWORD, "officer", fund_code="NSAF")

    with limited_app(tmp_path, setup=officer, TRUSTED_PROXIES=1) as app:
        via = {"REMOTE_ADDR": "127.0.0.1", "HTTP_USER_AGENT": "Chrome"}
        owner = _client(app, {**via, "HTTP_X_FORWARDED_FOR": "198.51.100.1"})
        owner.post("/auth/login", data={"email": "proxied@nsaf.example", "password": PASSWORD})
        assert _logged_in(owner)
        neighbour = _client(app, {**via, "HTTP_X_FORWARDED_FOR": "198.51.100.2"})
        _copy_session(owner, neighbour)
        assert not _logged_in(neighbour), "behind the proxy every session looked as if it came from 127.0.0.1"


def test_the_step_between_password_and_code_is_bound_too(app, make):
    user = make.user("oversight", fund=None)
    secret = totp.new_secret()
    service.enable_totp(user, secret, totp.code_at(secret, int(time.time() // 30) - 1), proof=PASSWORD)
    _db.session.commit()
    owner = _client(app, OWNER)
    assert _login(owner, user).headers["Location"].startswith("/auth/totp")
    thief = _client(app, THIEF_AGENT)
    _copy_session(owner, thief)
    code = totp.code_at(secret, int(time.time() // 30))
    assert thief.post("/auth/totp", data={"code": code}).headers["Location"].startswith("/auth/login")
    assert owner.post("/auth/totp", data={"code": code}).status_code == 302
    assert _logged_in(owner)


# --- password changes ----------------------------------------------------------------------------


def test_password_changes_are_limited_per_account(tmp_path):
    def officers(_app):
        service.create_user("guessed@nsaf.example", PASSWORD, "officer", fund_code="NSAF")
        service.create_user("bystander@nsaf.example", PASSWORD, "officer", fund_code="NSAF")

    with limited_app(tmp_path, setup=officers) as app:
        thief = _client(app, OWNER)
        thief.post("/auth/login", data={"email": "guessed@nsaf.example", "password": PASSWORD})
        guess = {"current": "a wrong guess at it", "new": "a brand new password", "confirm": "a brand new password"}
        statuses = [thief.post("/auth/password", data=guess).status_code for _ in range(6)]
        assert statuses == [400] * 5 + [429]
        right = {**guess, "current": PASSWORD}
        assert thief.post("/auth/password", data=right).status_code == 429  # the right one too, for an hour
        other = _client(app, {**OWNER, "REMOTE_ADDR": "192.0.2.11"})
        other.post("/auth/login", data={"email": "bystander@nsaf.example", "password": PASSWORD})
        assert other.post("/auth/password", data={**right}).status_code == 302


# --- two-step setup -----------------------------------------------------------------------------


def _setup_secret(client) -> str:
    client.get("/auth/totp/setup")
    with client.session_transaction() as sess:
        return sess["totp_setup"]


def _now_code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, int(time.time() // 30) + offset)


def test_two_step_setup_uses_the_servers_secret_not_a_posted_one(client, make):
    user = make.user("admin", fund=None)
    _login(client, user)
    served = _setup_secret(client)
    chosen = totp.new_secret()  # an attacker's own phone
    response = client.post("/auth/totp/setup", data={"secret": chosen, "code": _now_code(chosen), "proof": PASSWORD})
    assert response.status_code == 400
    _db.session.refresh(user)
    assert user.totp_secret is None
    assert client.post("/auth/totp/setup", data={"code": _now_code(served), "proof": PASSWORD}).status_code == 302
    _db.session.refresh(user)
    assert user.totp_secret == served


def test_turning_two_step_login_on_needs_the_password(client, make):
    user = make.user("admin", fund=None)
    _login(client, user)
    secret = _setup_secret(client)
    response = client.post("/auth/totp/setup", data={"code": _now_code(secret), "proof": "not the password"})
    assert response.status_code == 400 and "password" in response.get_data(as_text=True).lower()
    _db.session.refresh(user)
    assert user.totp_secret is None


def test_a_live_session_cannot_move_two_step_login_without_the_current_code(client, make):
    user = make.user("admin", fund=None)
    first = totp.new_secret()
    service.enable_totp(user, first, _now_code(first, -1), proof=PASSWORD)
    _db.session.commit()
    _login(client, user)
    with client.session_transaction() as sess:  # the browser logged in with its code: a live session
        assert "pending_user" in sess
    client.post("/auth/totp", data={"code": _now_code(first)})
    new = _setup_secret(client)
    refused = client.post("/auth/totp/setup", data={"code": _now_code(new), "proof": PASSWORD})
    assert refused.status_code == 400  # the password is not enough once it is on
    _db.session.refresh(user)
    assert user.totp_secret == first
    moved = client.post("/auth/totp/setup", data={"code": _now_code(new), "proof": _now_code(first, 1)})
    assert moved.status_code == 302
    _db.session.refresh(user)
    assert user.totp_secret == new
