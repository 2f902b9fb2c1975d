"""Concurrent read-modify-write on one SQLite file loses no update (BEGIN IMMEDIATE at work).

Four worker processes each run 50 ordinary app transactions that read a counter through the
ORM and write back value + 1 — the pattern that silently loses updates when two transactions
read the same old value. With the write lock taken at BEGIN, the final value is exact.
"""

from __future__ import annotations

import multiprocessing
import time

from config import TestConfig
from grievance import create_app
from grievance.extensions import db
from grievance.models import ReferenceCounter

WORKERS = 4
TRANSACTIONS = 50
YEAR = 2026


def _file_config(path: str):
    return type("FileConfig", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})


def _increment_many(path: str, start, count: int) -> None:
    app = create_app(_file_config(path))
    with app.app_context():
        start.wait(timeout=60)
        for _ in range(count):
            counter = db.session.get(ReferenceCounter, YEAR)
            seen = counter.last_number
            time.sleep(0.001)  # widen the window between the read and the write
            counter.last_number = seen + 1
            db.session.commit()
        db.session.remove()
        db.engine.dispose()


def test_concurrent_read_then_write_loses_no_update(tmp_path):
    path = str(tmp_path / "concurrency.sqlite")
    app = create_app(_file_config(path))
    with app.app_context():
        db.create_all()
        db.session.add(ReferenceCounter(year=YEAR, last_number=0))
        db.session.commit()

    ctx = multiprocessing.get_context("spawn")
    start = ctx.Event()
    workers = [ctx.Process(target=_increment_many, args=(path, start, TRANSACTIONS)) for _ in range(WORKERS)]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=300)  # generous: a loaded CI machine is slow to spawn interpreters
        if worker.is_alive():
            worker.terminate()
    assert [w.exitcode for w in workers] == [0] * WORKERS, "a worker failed (see its traceback above)"

    with app.app_context():
        db.session.expire_all()
        assert db.session.get(ReferenceCounter, YEAR).last_number == WORKERS * TRANSACTIONS
        db.session.remove()
        db.engine.dispose()
