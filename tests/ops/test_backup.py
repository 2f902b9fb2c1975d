"""flask backup create / restore: a file database comes back whole, its audit chain intact."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _flask(*args: str, db_path: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "TEST_DATABASE_URL"}}
    env.update(DATABASE_URL=f"sqlite:///{db_path}", GRIEVANCE_ENV="development", GRIEVANCE_INSTANCE=str(db_path.parent))
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def live_db(tmp_path_factory) -> Path:
    """A migrated file database with reference data and a few demo cases (events on the chain)."""
    db_path = tmp_path_factory.mktemp("backup") / "live.sqlite"
    for args in (("db", "upgrade"), ("seed", "--demo", "--cases", "12")):
        done = _flask(*args, db_path=db_path)
        assert done.returncode == 0, done.stderr
    return db_path


def _count(path: Path, table: str) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


def test_a_backup_restores_and_the_audit_chain_verifies(live_db, tmp_path):
    out = tmp_path / "copy.sqlite"
    made = _flask("backup", "create", "--out", str(out), db_path=live_db)
    assert made.returncode == 0, made.stderr
    assert _count(out, "cases") == _count(live_db, "cases") == 12

    # Disaster: the live database is lost. The restore brings back every case and event.
    target = tmp_path / "restored.sqlite"
    restored = _flask("backup", "restore", str(out), db_path=target)
    assert restored.returncode == 0, restored.stderr
    assert "audit record OK" in restored.stdout and "12 cases match their history" in restored.stdout
    assert _count(target, "events") == _count(live_db, "events") > 12
    verify = _flask("audit", "verify", db_path=target)
    assert verify.returncode == 0 and "Audit record OK" in verify.stdout


def test_restore_refuses_a_database_in_use_without_force(live_db, tmp_path):
    out = tmp_path / "copy.sqlite"
    assert _flask("backup", "create", "--out", str(out), db_path=live_db).returncode == 0
    target = tmp_path / "busy.sqlite"
    assert _flask("backup", "restore", str(out), db_path=target).returncode == 0
    holder = sqlite3.connect(target, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # a worker in the middle of a write
    try:
        refused = _flask("backup", "restore", str(out), db_path=target)
        assert refused.returncode != 0
        assert "--force" in refused.stderr
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_tampered_backup_is_named_after_restore(live_db, tmp_path):
    out = tmp_path / "copy.sqlite"
    assert _flask("backup", "create", "--out", str(out), db_path=live_db).returncode == 0
    with sqlite3.connect(out) as conn:
        conn.execute("UPDATE events SET payload = '{}' WHERE seq = 2")
    restored = _flask("backup", "restore", str(out), db_path=tmp_path / "t.sqlite")
    assert restored.returncode == 1
    assert "BROKEN at event #2" in restored.stderr


def test_an_insiders_edits_to_a_copy_are_caught_by_the_operators_verify_with_the_checkpoint(live_db, tmp_path):
    """The insider has the database file (not AUDIT_KEY, not the checkpoint file the timer keeps)."""
    checkpoints = tmp_path / "checkpoints.jsonl"
    made = _flask("audit", "checkpoint", "--out", str(checkpoints), db_path=live_db)
    assert made.returncode == 0, made.stderr
    assert "Checkpoint: event #" in made.stdout and "audit_checkpoint" in made.stderr  # the file and the log
    copy = tmp_path / "insider.sqlite"
    assert _flask("backup", "create", "--out", str(copy), db_path=live_db).returncode == 0
    with sqlite3.connect(copy) as conn:
        last = conn.execute("SELECT max(seq) FROM events").fetchone()[0]
        keep_hash = conn.execute("SELECT hash FROM events WHERE seq = ?", (last - 3,)).fetchone()[0]
        conn.execute("DELETE FROM events WHERE seq > ?", (last - 3,))
        conn.execute("UPDATE chain_head SET seq = ?, hash = ?", (last - 3, keep_hash))
        conn.execute("UPDATE cases SET status = 'closed' WHERE id = 1")
    verify = _flask("audit", "verify", "--checkpoint", str(checkpoints), db_path=copy)
    assert verify.returncode == 1
    assert f"checkpoint #{last}" in verify.stderr and f"ends at #{last - 3}" in verify.stderr
    assert "(id 1) does not match its history" in verify.stderr
    assert _flask("audit", "verify", "--checkpoint", str(checkpoints), db_path=live_db).returncode == 0


def test_on_postgresql_the_command_prints_pg_dump(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY"}}
    env.update(DATABASE_URL="postgresql://grv:pw@db.internal:5433/grievance", GRIEVANCE_ENV="development")
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "backup", "create", "--out", str(tmp_path / "g.dump")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "pg_dump -h db.internal -p 5433 -U grv --format=custom" in done.stdout
    assert ":pw@" not in done.stdout
    assert "pg_restore" in done.stdout
