"""When Redis cannot be reached, people still file and log in, and the limits still hold per worker.

The app runs with its rate-limit storage on a port where nothing listens (Redis down). Before,
every form post and every login answered 500: a Redis outage stopped national intake. Now
Flask-Limiter counts the routes' limits in the worker's memory (RATELIMIT_IN_MEMORY_FALLBACK_
ENABLED) and the login throttle does the same (auth/throttle.py), until Redis answers again.
"""

from __future__ import annotations

import re
import socket

import pytest
from sqlalchemy import func, select

from config import ProductionConfig, TestConfig
from grievance import create_app
from grievance.auth import service, throttle
from grievance.extensions import db, limiter
from grievance.models import Case
from grievance.seed import seed_reference
from tests.intake.helpers import complaint_data, text_of

PASSWORD = "the owner's own password"


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # released: nothing listens there


@pytest.fixture()
def redis_down(tmp_path):
    attrs = {
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{_closed_port()}/0",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'outage.sqlite'}",
    }
    was_enabled = limiter.enabled
    app = create_app(type("RedisDown", (TestConfig,), attrs))
    with app.app_context():
        db.create_all()
        seed_reference()
        service.create_user("owner@nsaf.example", PASSWORD, "officer", fund_code="NSAF", locale="en")
        db.session.commit()
        db.session.remove()
    try:
        yield app
    finally:
        # The limiter and the throttle are shared by every app of the process: forget the outage.
        limiter._storage_dead = False
        if getattr(limiter, "_fallback_storage", None) is not None:
            limiter._fallback_storage.reset()
        throttle._Outage.until = 0.0
        throttle._Outage.memory.reset()
        limiter.enabled = was_enabled
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def test_production_falls_back_to_memory():
    assert ProductionConfig.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED is True


def _file(client):
    page = text_of(client.get("/"))
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post("/", data=complaint_data(token))


def _login(client, password, address="203.0.113.9"):
    return client.post(
        "/auth/login", data={"email": "owner@nsaf.example", "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_people_still_file_while_redis_is_down_and_the_filing_limit_still_holds(redis_down):
    person = redis_down.test_client()
    statuses = [_file(person).status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429], "the filing limit (5 a minute) must hold in the worker's memory"
    assert _file(redis_down.test_client()).status_code == 429  # the same address: the same person here
    with redis_down.app_context():
        assert db.session.execute(select(func.count(Case.id))).scalar_one() == 5


def test_the_owner_logs_in_while_redis_is_down_and_wrong_passwords_are_still_throttled(redis_down):
    owner = redis_down.test_client()
    assert _login(owner, PASSWORD).status_code == 302  # leaves the trusted-browser cookie
    assert owner.post("/auth/logout", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 302
    attacker = redis_down.test_client()
    statuses = [_login(attacker, "a wrong guess", address="198.51.100.66").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429], "the account's delay (after 5 failures) must hold in the worker's memory"
    response = _login(owner, PASSWORD)
    assert response.status_code == 302, "the owner's own browser is let in"
    assert not response.headers["Location"].startswith("/auth/")
