"""Commands: flask --app wsgi seed | users | sla | audit."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from grievance.api import cli as api_cli
from grievance.extensions import db
from grievance.ops import cli as ops_cli
from grievance.reports import cli as reports_cli
from grievance.security import tracking_key


def _parse_now(value: str | None) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@click.command("seed")
@click.option(
    "--demo",
    is_flag=True,
    help="Also create demo accounts and a few hundred demo cases.",
)
@click.option("--cases", "n_cases", default=300, show_default=True, help="Number of demo cases.")
def seed_command(demo: bool, n_cases: int) -> None:
    """Load reference data from domain.md (idempotent); with --demo, demo users and cases."""
    from grievance.seed import seed_reference

    added = seed_reference()
    db.session.commit()
    click.echo("Reference data: " + ", ".join(f"{v} {k} added" for k, v in added.items()))
    if demo:
        from grievance.demo import DEMO_PASSWORD, DEMO_USERS, seed_demo

        made = seed_demo(
            n_cases,
            key=tracking_key(),
            progress=lambda n: click.echo(f"  … {n}/{n_cases} demo cases"),
        )
        db.session.commit()
        click.echo(f"Demo cases: {made} created" if made else "Demo cases: already present, nothing changed")
        click.echo(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
        for email, role, fund, org, _name in DEMO_USERS:
            click.echo(f"  {role:<10} {email:<38} {fund or org or ''}")


users = AppGroup("users", help="Manage staff and monitor accounts.")


@users.command("create")
@click.argument("email")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "oversight", "supervisor", "officer", "monitor", "frontdesk"]),
)
@click.option(
    "--fund",
    "fund_code",
    help="Fund code (NSAF, NSSF, HEALTH) for officers and supervisors.",
)
@click.option("--org", "org_name", help="Organisation name for monitors.")
@click.option(
    "--org-kind",
    type=click.Choice(["cso", "union", "platform"]),
    default="cso",
    show_default=True,
    help="Kind of the organisation, if --org names a new one.",
)
@click.option("--office", "office_id", type=int, help="Office id for front-desk staff.")
@click.option("--name", help="Display name.")
def users_create(
    email: str,
    role: str,
    fund_code: str | None,
    org_name: str | None,
    org_kind: str,
    office_id: int | None,
    name: str | None,
) -> None:
    """Create an account; the password is read from a prompt, or from stdin when piped."""
    from grievance.auth.service import AccountError, create_user

    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        user = create_user(
            email,
            password,
            role,
            name=name,
            fund_code=fund_code,
            org_name=org_name,
            org_kind=org_kind,
            office_id=office_id,
        )
        db.session.commit()
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.role} {user.email}")


sla = AppGroup("sla", help="Service-level clocks.")


@sla.command("sweep")
@click.option(
    "--now",
    "now_text",
    help="Pretend it is this instant (ISO 8601); for tests and replays.",
)
def sla_sweep(now_text: str | None) -> None:
    """Warn at 80 %, mark breaches, escalate 5 working days after a breach. Idempotent."""
    from grievance.api.service import forget_expired
    from grievance.services.sweep import sweep

    now = _parse_now(now_text)
    report = sweep(now)
    db.session.commit()
    summary = ", ".join(f"{k}={v}" for k, v in sorted(report.counts.items())) or "nothing new"
    click.echo(f"Examined {report.examined} cases: {summary}")
    # The Open311 API keeps what answers a retry for 24 hours (api/service.py); then it goes.
    forgotten = forget_expired(now)
    db.session.commit()
    if forgotten:
        click.echo(f"Open311: forgot the replay secrets of {forgotten} request(s) older than 24 hours")


audit = AppGroup("audit", help="The tamper-evident audit record: verify, checkpoint, rekey.")


def _progress(line: str) -> None:
    click.echo(f"  … {line}", err=True)


@audit.command("verify")
@click.option(
    "--checkpoint",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint file (flask audit checkpoint): the chain must still extend every head it holds.",
)
def audit_verify(checkpoint_file: Path | None) -> None:
    """Exit 0 if the whole record holds; exit 1 naming everything found otherwise.

    Checks the keyed chain, every case row (with its complainant and attachments) against the
    digest of its latest event, identity views and alerts against their events, and, with
    --checkpoint, that the chain still extends the signed heads in the file.
    """
    from grievance import sqlite
    from grievance.services.audit import verify_record

    with sqlite.read_only():
        report = verify_record(checkpoint_file, progress=_progress)
    if report.ok:
        mirrored = ", ".join(f"{n:,} {label}s" for label, n in report.mirrored.items())
        click.echo(
            f"Audit record OK: {report.chain.checked:,} events verified (keyed with AUDIT_KEY"
            + (f" from event #{report.keyed_from}" if report.keyed_from else "")
            + f"); {report.cases:,} cases match their history; {mirrored} on record."
        )
        if report.checkpoint:
            cp = report.checkpoint
            click.echo(f"Extends checkpoint #{cp['seq']} of {cp['at']}.")
        return
    click.echo("Audit record BROKEN:", err=True)
    if report.chain is not None and not report.chain.ok:
        click.echo(f"  chain BROKEN at event #{report.chain.bad_seq}: {report.chain.reason}", err=True)
    for problem in report.problems:
        click.echo(f"  {problem}", err=True)
    if report.more:
        click.echo(f"  … and {report.more:,} more", err=True)
    sys.exit(1)


@audit.command("checkpoint")
@click.option(
    "--out",
    "out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The checkpoint file to append to (default: AUDIT_CHECKPOINT_FILE).",
)
def audit_checkpoint(out: Path | None) -> None:
    """Append the signed chain head to the checkpoint file and the log (run after each sweep).

    First checks that the chain still extends the previous checkpoint and that every event since
    links and hashes right; if not, writes nothing, logs the alarm and exits 1.
    """
    from grievance import seclog, sqlite
    from grievance.services.audit import CheckpointRefused, write_checkpoint

    path = out or Path(current_app.config["AUDIT_CHECKPOINT_FILE"])
    try:
        with sqlite.read_only():
            record = write_checkpoint(path, progress=_progress)
    except CheckpointRefused as refused:
        seclog.log.error("event=audit_checkpoint_refused reason=%s", seclog.escape(refused))
        click.echo(f"Checkpoint REFUSED: {refused}", err=True)
        sys.exit(1)
    click.echo(
        f"Checkpoint: event #{record['seq']} {record['hash']} at {record['at']} "
        f"({record['verified']:,} new events verified) -> {path}"
    )


@audit.command("rekey")
@click.option(
    "--checkpoint-file",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Refuse if this checkpoint file holds a head (default: AUDIT_CHECKPOINT_FILE).",
)
def audit_rekey(checkpoint_file: Path | None) -> None:
    """Once, on a database recorded before the chain was keyed: key it under AUDIT_KEY.

    Verifies the old (unkeyed) chain, then appends a keyed "chain_keyed" event covering its head,
    the state of every case and every identity view recorded so far. Nothing is rewritten.
    """
    from grievance.services import rekey

    path = checkpoint_file or Path(current_app.config["AUDIT_CHECKPOINT_FILE"])
    try:
        done = rekey.key_legacy_chain(path, progress=_progress)
        db.session.commit()
    except rekey.RekeyRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused)) from None
    click.echo(
        f"Chain keyed at event #{done['keyed_at']} (legacy head #{done['legacy_seq']}): "
        f"{done['cases']:,} case states and {done['views']:,} identity views recorded. "
        "Run `flask audit checkpoint` now."
    )


outbox_cli = AppGroup("outbox", help="Notifications waiting to be sent.")


@outbox_cli.command("deliver")
@click.option("--loop", is_flag=True, help="Keep delivering every --interval seconds until stopped.")
@click.option(
    "--interval", default=5, show_default=True, help="Seconds between rounds (SMS and Telegram replies wait for it)."
)
def outbox_deliver(loop: bool, interval: int) -> None:
    """Send due e-mail and SMS with retries and backoff; safe to run from cron or as a service."""
    import time

    from grievance.notifications.delivery import Transport, deliver

    transport = Transport.from_config(current_app.config)
    while True:
        report = deliver(transport)
        click.echo(f"Outbox: {report.sent} sent, {report.retried} to retry, {report.failed} given up")
        if not loop:
            return
        time.sleep(interval)


intake_cli = AppGroup("intake", help="Complaints being put together (web steps, SMS and Telegram exchanges).")


@intake_cli.command("purge")
def intake_purge() -> None:
    """Forget drafts past their time (their files too) and inbound message ids older than 30 days."""
    from grievance.extensions import db
    from grievance.intake import drafts

    gone, ids = drafts.purge(current_app.config["UPLOAD_DIR"])
    db.session.commit()
    click.echo(f"Drafts: {gone} forgotten; inbound message ids: {ids} forgotten")


cases_cli = AppGroup("cases", help="Case records: maintenance.")


@cases_cli.command("key-programme-numbers")
def cases_key_programme_numbers() -> None:
    """Store the keyed hash of each programme number written before duplicates were matched."""
    from grievance.cases import duplicates

    done = duplicates.key_programme_numbers(progress=click.echo)
    click.echo(f"Programme numbers keyed: {done}")


def register(app: Flask) -> None:
    from grievance.admin import cli as admin_cli

    for command in admin_cli.USER_COMMANDS:
        users.add_command(command)
    app.cli.add_command(admin_cli.routing)
    app.cli.add_command(admin_cli.calendar)
    app.cli.add_command(api_cli.apikeys)
    app.cli.add_command(seed_command)
    app.cli.add_command(users)
    app.cli.add_command(sla)
    app.cli.add_command(audit)
    reports_cli.register(app)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(intake_cli)
    app.cli.add_command(cases_cli)
    from grievance.telegram.cli import telegram

    app.cli.add_command(telegram)
    app.cli.add_command(ops_cli.backup)
    from grievance.oversight.cli import dashboard

    app.cli.add_command(dashboard)
