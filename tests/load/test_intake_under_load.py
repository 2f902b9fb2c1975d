"""Proof under load: 50 concurrent complainants on gunicorn with several workers.

Runs on a file SQLite database (WAL), and in the PostgreSQL run (TEST_DATABASE_URL) on a
throwaway database of that server, reached through a TCP proxy this test can stop. While
half the clients use the public form (GET for the tokens, then POST) and half the Open311 API,
one worker is killed with SIGKILL; later the database goes away for a few seconds (SQLite: a
writer holds the lock past the busy timeout, shortened to 5 s here; PostgreSQL: the proxy
stops). Rate limits are off (bench/benchapp.py): every client is 127.0.0.1.

Afterwards: every acknowledged receipt is stored exactly once, no response was a 5xx other
than the outage's 503 page, reference numbers are unique and gap-free per year, every case
has exactly its one `received` event (nothing half-saved), and the audit chain verifies.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import threading
import time
import uuid
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from bench import loadlib
from config import TestConfig
from grievance import create_app
from grievance.extensions import db
from grievance.models import Case, Event, ReferenceCounter
from grievance.seed import seed_reference
from grievance.services.audit import verify_chain
from tests.load.proxy import Proxy

pytestmark = pytest.mark.slow

CLIENTS = 50
EACH = 2
WORKERS = 4
UNAVAILABLE = "The service is briefly unavailable"


def _checker_app(url: str):
    return create_app(type("LoadCheckConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url}))


@pytest.fixture()
def target(tmp_path):
    """(kind, url the app uses, url the checks use, outage context manager factory)."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if test_url.startswith("postgresql"):
        import psycopg

        base = make_url(test_url)
        name = f"grievance_load_{uuid.uuid4().hex[:10]}"
        admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        direct = base.set(database=name)
        proxy = Proxy(direct.host or "127.0.0.1", direct.port or 5432)
        proxy.start()
        via_proxy = direct.set(host="127.0.0.1", port=proxy.port)
        try:
            yield (
                "postgresql",
                via_proxy.render_as_string(hide_password=False),
                direct.render_as_string(hide_password=False),
                proxy,
            )
        finally:
            proxy.stop()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        url = f"sqlite:///{tmp_path / 'load.sqlite'}"
        yield "sqlite", url, url, tmp_path / "load.sqlite"


def _prepare(url: str) -> None:
    app = _checker_app(url)
    with app.app_context():
        db.create_all()
        seed_reference()
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


class Outage:
    """Make the database unavailable for `seconds`, in a background thread."""

    def __init__(self, kind: str, handle, seconds: float) -> None:
        self.kind, self.handle, self.seconds = kind, handle, seconds
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        if self.kind == "postgresql":
            self.handle.stop()
            self.started.set()
            time.sleep(self.seconds)
            self.handle.start()
        else:
            holder = sqlite3.connect(self.handle, isolation_level=None, timeout=30)
            holder.execute("BEGIN EXCLUSIVE")  # every writer waits, past its busy timeout
            self.started.set()
            time.sleep(self.seconds)
            holder.execute("ROLLBACK")
            holder.close()

    def __enter__(self):
        self.thread.start()
        self.started.wait(10)
        return self

    def __exit__(self, *_exc):
        self.thread.join()


def test_every_acknowledged_submission_is_stored_exactly_once(target, tmp_path):
    kind, app_url, check_url, outage_handle = target
    _prepare(check_url)
    env = {
        "DATABASE_URL": app_url,
        "GRIEVANCE_ENV": "production",
        "SECRET_KEY": uuid.uuid4().hex * 2,
        "AUDIT_KEY": TestConfig.AUDIT_KEY,  # the checks below verify the chain with the test key
        "RATELIMIT_STORAGE_URI": "memory://",
        "SQLITE_BUSY_TIMEOUT_MS": "5000",
    }
    log = tmp_path / "gunicorn.log"
    actions = [loadlib.submit_form, loadlib.submit_api]
    with loadlib.Gunicorn("bench.benchapp:app", env, workers=WORKERS, log=log) as server:
        # 1. Fifty clients at once; a worker is killed in the middle of it.
        victims = []

        def kill_a_worker():
            time.sleep(1.0)
            pid = server.worker_pids()[0]
            victims.append(pid)
            os.kill(pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_a_worker)
        killer.start()
        load = loadlib.run_load(server.port, actions, CLIENTS, each=EACH)
        killer.join()

        # 2. The database goes away for a few seconds: clear 503s, then service resumes by itself.
        with Outage(kind, outage_handle, seconds=7):
            during = loadlib.run_load(server.port, actions, 6, seconds=2.5)
        resumed = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            attempt = loadlib.run_load(server.port, actions, 2, each=1)
            if len(attempt.ok()) == 2:
                resumed = attempt
                break
            time.sleep(0.5)
        after = loadlib.run_load(server.port, actions, 10, each=2)

    assert victims, "no worker was killed"
    statuses = Counter(o.status for o in load.outcomes)
    assert not [s for s in statuses if s >= 500], f"5xx under load: {statuses}"
    # Only the requests the killed worker was serving may have failed (as dropped connections).
    assert len(load.ok()) >= CLIENTS * EACH - 2 * len(victims), statuses
    assert not [o for o in during.outcomes if o.status >= 500 and o.status != 503], Counter(
        o.status for o in during.outcomes
    )
    refused = [o for o in during.outcomes if o.status == 503]
    assert refused, f"the outage refused nothing: {Counter(o.status for o in during.outcomes)}"
    assert resumed is not None, "service did not resume after the outage"
    assert not [o for o in after.outcomes if not o.reference], Counter(o.status for o in after.outcomes)

    acknowledged = [o.reference for r in (load, during, resumed, after) for o in r.ok()]
    assert len(acknowledged) == len(set(acknowledged)), "one reference acknowledged twice"

    app = _checker_app(check_url)
    with app.app_context():
        stored = Counter(db.session.execute(select(Case.reference)).scalars())
        assert all(stored[ref] == 1 for ref in acknowledged), "an acknowledged receipt is missing"
        assert max(stored.values()) == 1
        for year, last in db.session.execute(select(ReferenceCounter.year, ReferenceCounter.last_number)):
            numbers = sorted(db.session.execute(select(Case.number).where(Case.year == year)).scalars())
            assert numbers == list(range(1, last + 1)), f"reference numbers of {year} have gaps"
        received = Counter(db.session.execute(select(Event.case_id).where(Event.kind == "received")).scalars())
        cases = db.session.execute(select(func.count()).select_from(Case)).scalar_one()
        assert len(received) == cases and set(received.values()) == {1}, "a case without its event"
        verdict = verify_chain()
        assert verdict.ok, verdict.reason
        db.session.remove()
        db.engine.dispose()
