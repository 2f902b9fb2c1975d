"""flask --app wsgi backup create [--out PATH] | backup restore PATH [--force]."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from grievance.ops import backup as ops

backup = AppGroup("backup", help="Back up and restore the database.")


def _database_url() -> str:
    return current_app.config["SQLALCHEMY_DATABASE_URI"]


@backup.command("create")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="Where to write the backup file.")
def backup_create(out: str | None) -> None:
    """SQLite: a consistent copy through the online backup API. PostgreSQL: prints the pg_dump command."""
    url = _database_url()
    source = ops.sqlite_path(url)
    if source is None:
        if url.startswith("sqlite"):
            raise click.ClickException("an in-memory database cannot be backed up")
        dump, restore = ops.pg_commands(url, out)
        click.echo("PostgreSQL: back up with pg_dump (set PGPASSWORD or use ~/.pgpass):")
        click.echo(f"  {dump}")
        click.echo("Restore into an empty or existing database with:")
        click.echo(f"  {restore}")
        click.echo("then: flask --app wsgi audit verify")
        return
    target = Path(out) if out else source.parent / "backups" / ops.default_name()
    try:
        ops.create_sqlite(source, target)
    except ops.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written: {target} ({target.stat().st_size:,} bytes)")


@backup.command("restore")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite the database even if it looks in use.")
def backup_restore(path: str, force: bool) -> None:
    """Replace the SQLite database with a backup, then verify its audit record (chain and case rows)."""
    from grievance.extensions import db
    from grievance.services.audit import verify_record

    url = _database_url()
    target = ops.sqlite_path(url)
    if target is None:
        _dump, restore = ops.pg_commands(url, path)
        raise click.ClickException(f"PostgreSQL is restored with pg_restore:\n  {restore}")
    db.session.remove()
    db.engine.dispose()  # this process's own connections must not count as "in use"
    try:
        ops.restore_sqlite(Path(path), target, force=force)
    except ops.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    report = verify_record()
    db.session.rollback()
    if not report.ok:
        first = (
            f"at event #{report.chain.bad_seq}: {report.chain.reason}" if not report.chain.ok else report.problems[0]
        )
        click.echo(f"Restored, but the audit record is BROKEN {first} (flask audit verify lists it all)", err=True)
        sys.exit(1)
    click.echo(
        f"Restored {target} from {path}; audit record OK: {report.chain.checked} events verified, "
        f"{report.cases} cases match their history."
    )
