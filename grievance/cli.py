"""Commands: flask --app wsgi seed | users | sla | audit."""

from __future__ import annotations

import sys
from datetime import datetime, timezone

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


audit = AppGroup("audit", help="The tamper-evident audit chain.")


@audit.command("verify")
def audit_verify() -> None:
    """Exit 0 if the chain holds; exit 1 naming the first bad event otherwise."""
    from grievance.services.audit import verify_chain

    verdict = verify_chain()
    if verdict.ok:
        click.echo(f"Audit chain OK: {verdict.checked} events verified.")
        return
    click.echo(f"Audit chain BROKEN at event #{verdict.bad_seq}: {verdict.reason}", err=True)
    sys.exit(1)


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
    from grievance.telegram.cli import telegram

    app.cli.add_command(telegram)
    app.cli.add_command(ops_cli.backup)
    from grievance.oversight.cli import dashboard

    app.cli.add_command(dashboard)
