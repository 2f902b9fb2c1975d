"""Retries arriving at once give one case: gunicorn with several workers, SQLite and PostgreSQL.

A platform that timed out retries, sometimes while its first attempt is still being served.
Here eight copies of the same POST leave at the same instant (a thread barrier) for a gunicorn
with four workers, three times over: the same content (a FixMyStreet resend), the same
attribute[external_id] with different text, and the same Idempotency-Key header with
different text. Each burst must give exactly one case, every copy answered 201 with its
service_request_id, token and tracking code; numbers stay gap-free and the audit chain holds.
Runs on a file SQLite database, and in the PostgreSQL run (TEST_DATABASE_URL) on a throwaway
database of that server.
"""

from __future__ import annotations

import os
import threading
import urllib.parse
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench import loadlib
from config import TestConfig
from grievance import create_app
from grievance.extensions import db
from grievance.models import Case, ReferenceCounter
from grievance.seed import seed_reference
from grievance.services.audit import verify_chain
from tests.api.fms_client import xml_simple

pytestmark = pytest.mark.slow

COPIES = 8
WORKERS = 4


def _app(url: str):
    return create_app(type("RetryCheckConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


@pytest.fixture()
def database(tmp_path):
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'retries.sqlite'}"
        return
    import psycopg

    base = make_url(test_url)
    name = f"grievance_retry_{uuid.uuid4().hex[:10]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _burst(port: int, body, headers: dict) -> list[tuple[int, bytes]]:
    """COPIES posts at once; `body(n)` is copy n's fields."""
    gate = threading.Barrier(COPIES)
    answers: list[tuple[int, bytes]] = []
    lock = threading.Lock()

    def one(n: int):
        encoded = urllib.parse.urlencode(body(n)).encode()
        client = loadlib.Client(port)
        gate.wait()
        status, data, _h = client.request(
            "POST",
            "/open311/v2/requests.xml",
            encoded,
            {"Content-Type": "application/x-www-form-urlencoded", **headers},
        )
        client.close()
        with lock:
            answers.append((status, data))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(COPIES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def test_retries_at_once_give_one_case(database, tmp_path):
    app = _app(database)
    with app.app_context():
        db.create_all()
        seed_reference()
        db.session.commit()
    relay = loadlib.issue_relay_key(app, "FixMyStreet Cambodia")
    with app.app_context():
        db.engine.dispose()
    base = {
        "api_key": relay,
        "jurisdiction_id": "grievance.gov.kh",
        "service_code": "NSAF-CT-MISSING",
        "first_name": "Srey",
        "last_name": "Mom",
        "lat": "11.5564",
        "long": "104.9282",
    }
    bursts = [
        (lambda n: {**base, "description": "Same content, sent eight times"}, {}),
        (lambda n: {**base, "description": f"External id, text {n}", "attribute[external_id]": "777"}, {}),
        (lambda n: {**base, "description": f"Header, text {n}"}, {"Idempotency-Key": "fms-try-1"}),
    ]
    env = {
        "DATABASE_URL": database,
        "GRIEVANCE_ENV": "production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "AUDIT_KEY": TestConfig.AUDIT_KEY,  # the chain is verified afterwards with the test key
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    results = []
    with loadlib.Gunicorn("bench.benchapp:app", env, workers=WORKERS, log=tmp_path / "gunicorn.log") as server:
        for body, headers in bursts:
            results.append(_burst(server.port, body, headers))

    for answers in results:
        assert Counter(status for status, _ in answers) == {201: COPIES}, answers
        parsed = [xml_simple(data)["request"][0] for _status, data in answers]
        assert len({p["service_request_id"] for p in parsed}) == 1, parsed
        assert len({p["token"] for p in parsed}) == 1 and len({p["tracking_code"] for p in parsed}) == 1

    check = _app(database)
    with check.app_context():
        assert db.session.scalar(select(func.count()).select_from(Case)) == len(bursts)
        assert db.session.scalar(select(ReferenceCounter.last_number)) == len(bursts)  # gap-free
        assert verify_chain().ok
        db.session.remove()
        db.engine.dispose()
