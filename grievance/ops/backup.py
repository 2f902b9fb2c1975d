"""Database backups: SQLite through the online backup API; PostgreSQL through pg_dump.

An SQLite backup taken with `sqlite3.Connection.backup` is a consistent snapshot even while
workers write (WAL), unlike copying the file. A restore writes the backup over the live file
through the same API, so readers never see half a file; it refuses while the database is in
use unless forced, and checks the audit chain of the result.
"""

from __future__ import annotations

import shlex
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why."""


def sqlite_path(url: str) -> Path | None:
    """The file of an SQLite URL, or None for another database (or an in-memory one)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def default_name(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(timezone.utc)).strftime("%Y%m%dT%H%M%SZ")
    return f"grievance-{stamp}.sqlite"


def create_sqlite(source: Path, out: Path) -> Path:
    """Copy the live database to `out` consistently (online backup API); returns `out`."""
    if not source.exists():
        raise BackupError(f"no database file at {source}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        raise BackupError(f"{out} already exists; choose another --out")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(out)
    try:
        src.execute("PRAGMA busy_timeout=15000")
        src.backup(dst, pages=1024)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        dst.close()
        src.close()
    check_sqlite(out)
    return out


def check_sqlite(path: Path) -> None:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        verdict = conn.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an SQLite database") from exc
    finally:
        conn.close()
    if verdict != "ok":
        raise BackupError(f"{path} fails the integrity check: {verdict}")


def in_use(target: Path) -> bool:
    """True while another connection holds the database (a worker with a read or write lock)."""
    if not target.exists():
        return False
    conn = sqlite3.connect(target, timeout=0.5, isolation_level=None)
    try:
        conn.execute("BEGIN EXCLUSIVE")
        conn.execute("ROLLBACK")
        return False
    except sqlite3.OperationalError:
        return True
    finally:
        conn.close()


def restore_sqlite(backup: Path, target: Path, *, force: bool = False, running: bool = False) -> None:
    """Write `backup` over `target`. Refused while the app may be serving unless `force`."""
    if not backup.exists():
        raise BackupError(f"no backup at {backup}")
    check_sqlite(backup)
    if (running or in_use(target)) and not force:
        raise BackupError(
            f"{target} looks in use (app servers running?). Stop them first, or pass --force to overwrite it anyway."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target, timeout=15)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def pg_commands(url: str, out: str | None = None) -> tuple[str, str]:
    """The pg_dump and pg_restore commands for a PostgreSQL URL (password via PGPASSWORD)."""
    parsed = make_url(url)
    args = []
    if parsed.host:
        args += ["-h", parsed.host]
    if parsed.port:
        args += ["-p", str(parsed.port)]
    if parsed.username:
        args += ["-U", parsed.username]
    name = parsed.database or "grievance"
    dump_file = out or default_name().replace(".sqlite", ".dump")
    common = " ".join(shlex.quote(a) for a in args)
    dump = f"pg_dump {common} --format=custom --no-owner --file {shlex.quote(dump_file)} {shlex.quote(name)}"
    restore = (
        f"pg_restore {common} --clean --if-exists --no-owner --single-transaction "
        f"--dbname {shlex.quote(name)} {shlex.quote(dump_file)}"
    )
    return dump, restore
