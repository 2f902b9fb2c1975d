"""Two-step login is required for the roles TWO_STEP_ROLES lists (admin, supervisor, oversight in
production): they set it up before their first session starts, and log in with a code afterwards."""

from __future__ import annotations

import re
import time

import pytest

from grievance.admin import users as admin_users
from grievance.domain import totp
from grievance.extensions import db
from grievance.models import User
from tests.factories import PASSWORD


@pytest.fixture()
def required(app, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_STEP_ROLES", ("admin", "supervisor", "oversight"))


def _login(client, user):
    return client.post("/auth/login", data={"email": user.email, "password": PASSWORD})


def _code(secret: str, offset: int = 0) -> str:
    return totp.code_at(secret, int(time.time() // 30) + offset)


def test_production_requires_it_for_admin_supervisor_and_oversight():
    from config import Config

    assert set(Config.TWO_STEP_ROLES) == {"admin", "supervisor", "oversight"}


@pytest.mark.parametrize("role", ["admin", "supervisor", "oversight"])
def test_a_role_that_needs_it_sets_it_up_before_any_session(app, make, required, role):
    user = make.user(role)
    client = app.test_client()
    response = _login(client, user)
    assert response.status_code == 302 and response.headers["Location"].startswith("/auth/totp/enrol")
    assert client.get("/cases/").status_code == 302, "a session started before the second factor"
    page = client.get("/auth/totp/enrol")
    secret = re.search(r'name="secret" type="hidden" value="([A-Z2-7]+)"', page.get_data(as_text=True)).group(1)
    wrong = client.post(
        "/auth/totp/enrol", data={"secret": secret, "code": "000000" if _code(secret) != "000000" else "111111"}
    )
    assert wrong.status_code == 200 and client.get("/cases/").status_code == 302
    assert client.post("/auth/totp/enrol", data={"secret": secret, "code": _code(secret)}).status_code == 302
    assert client.get("/cases/").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret == secret
    # The next login asks for a code, and the enrolment page is closed.
    later = app.test_client()
    assert _login(later, user).headers["Location"].startswith("/auth/totp")
    assert later.get("/auth/totp/enrol").status_code == 302
    assert later.post("/auth/totp", data={"code": _code(secret, 1)}).status_code == 302
    assert later.get("/cases/").status_code == 200


def test_an_officer_is_not_asked(app, make, required):
    user = make.user("officer")
    client = app.test_client()
    assert _login(client, user).headers["Location"] == "/cases/"


def test_an_administrator_resets_a_lost_authenticator(app, make, required):
    supervisor = make.user("supervisor")
    secret = totp.new_secret()
    from grievance.auth import service

    assert service.enable_totp(supervisor, secret, _code(secret))
    db.session.commit()
    admin = make.user("admin")
    admin_users.reset_two_step(admin, supervisor, supervisor.version)
    db.session.commit()
    response = _login(app.test_client(), supervisor)
    assert response.headers["Location"].startswith("/auth/totp/enrol")
