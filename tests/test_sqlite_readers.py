"""Readers never take the write lock: a staff page loads while another process holds it.

The app runs on an SQLite file with a short busy timeout. Another connection (a long write: a
sweep, a restore, another worker's transaction) takes the write lock with BEGIN IMMEDIATE and
keeps it. A logged-in officer's pages (GET) must still answer; a write (POST) must wait for the
lock and, after the timeout, get the clear 503 page — which shows the lock is real.
"""

from __future__ import annotations

import sqlite3

import pytest

from config import TestConfig
from grievance import create_app
from grievance.auth.service import create_user
from grievance.extensions import db
from grievance.intake.service import Submission, submit
from grievance.seed import seed_reference

PASSWORD = "an officer's password"
BUSY_MS = 700


@pytest.fixture()
def locked_app(tmp_path):
    path = tmp_path / "readers.sqlite"
    config = type(
        "ReaderConfig",
        (TestConfig,),
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SQLITE_BUSY_TIMEOUT_MS": BUSY_MS},
    )
    app = create_app(config)
    with app.app_context():
        db.create_all()
        seed_reference()
        create_user("reader@nsaf.example", PASSWORD, "officer", fund_code="NSAF")
        case = submit(Submission(category_code="NSAF-CT-MISSING", description="ខ្ញុំមិនទាន់បានប្រាក់។"), key=b"k" * 32).case
        db.session.commit()
        case_id = case.id
        db.session.remove()
    yield app, path, case_id
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _writer_holding_the_lock(path) -> sqlite3.Connection:
    writer = sqlite3.connect(path, isolation_level=None, timeout=0)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE reference_counters SET last_number = last_number WHERE 1 = 0")
    return writer


def test_a_staff_get_proceeds_while_a_writer_holds_the_lock(locked_app):
    app, path, case_id = locked_app
    client = app.test_client()
    assert client.post("/auth/login", data={"email": "reader@nsaf.example", "password": PASSWORD}).status_code == 302
    writer = _writer_holding_the_lock(path)
    try:
        for page in ("/cases/", f"/cases/{case_id}"):
            # A GET that began IMMEDIATE would wait out the busy timeout, then fail with 503.
            response = client.get(page)
            assert response.status_code == 200, f"GET {page}: {response.status_code} while a writer held the lock"
        # A write does queue behind the writer, and says so plainly when the lock does not come.
        note = client.post(f"/cases/{case_id}/note", data={"message": "called the commune", "version": 1})
        assert note.status_code == 503
    finally:
        writer.rollback()
        writer.close()
    assert client.get("/cases/").status_code == 200
