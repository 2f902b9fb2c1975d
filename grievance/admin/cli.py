"""Commands for operators: users list | disable | enable | set-role | reset-password, routing explain,
calendar close | open. They call the same admin services as the pages (the console operator is the
actor `None`, recorded as "system" in the change log), in English."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from flask_babel import force_locale
from sqlalchemy import select

from grievance.admin import calendar as calendar_svc
from grievance.admin import routing as routing_svc
from grievance.admin import users as users_svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.auth.service import AccountError
from grievance.extensions import db
from grievance.labels import localtime
from grievance.models import Category, Fund, Office, Organisation, User
from grievance.models.case import CHANNELS
from grievance.models.user import ROLES


def _run(action):
    """Run a service call and commit; a refusal becomes a clear error and nothing is written."""
    with force_locale("en"):
        try:
            result = action()
            db.session.commit()
            return result
        except (Invalid, AccountError) as refused:
            db.session.rollback()
            raise click.ClickException(str(refused)) from None
        except EditConflict:
            db.session.rollback()
            raise click.ClickException("Changed by someone else at the same moment: run the command again.") from None


def _user(email: str) -> User:
    user = users_svc.by_email(email)
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email!r}.")
    return user


@click.command("list")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--search", "q", default="", help="Part of a name or e-mail address.")
@click.option("--active/--disabled", "active", default=None, help="Only active, or only disabled, accounts.")
def users_list(role: str | None, q: str, active: bool | None) -> None:
    """List accounts: e-mail, role, fund/organisation/office, state, last login (Cambodian time), two-step login."""
    filters = users_svc.Filters(q=q, role=role or "", active="" if active is None else ("yes" if active else "no"))
    rows = db.session.execute(users_svc.query(filters)).scalars().all()
    for u in rows:
        attached = (
            u.fund.code if u.fund else u.organisation.name if u.organisation else u.office.name_en if u.office else ""
        )
        state = "active" if u.active else "disabled"
        if users_svc.invited(u):
            state += ",invited"
        # Cambodian time, as the admin pages show it (the database keeps UTC).
        last = localtime(u.last_login_at).strftime("%Y-%m-%d %H:%M") if u.last_login_at else "never"
        two_step = "2fa" if u.totp_secret else "-"
        click.echo(f"{u.email:<40} {u.role:<10} {attached[:30]:<30} {state:<16} {last:<16} {two_step}")
    click.echo(f"{len(rows)} account(s)")


@click.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account: it cannot log in and its open sessions end at their next request."""
    _switch(email, users_svc.disable, f"Disabled {email}; its sessions have ended.")


@click.command("enable")
@click.argument("email")
def users_enable(email: str) -> None:
    """Enable a disabled account again."""
    _switch(email, users_svc.enable, f"Enabled {email}.")


def _switch(email: str, verb, done: str) -> None:
    user = _user(email)
    _run(lambda: verb(None, user, user.version))
    click.echo(done)


@click.command("set-role")
@click.argument("email")
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--fund", "fund_code", help="Fund code for officers and supervisors (NSAF, NSSF, HEALTH).")
@click.option("--org", "org_name", help="Organisation name for monitors (it must exist).")
@click.option("--office", "office_id", type=int, help="Office id for front-desk staff.")
def users_set_role(email: str, role: str, fund_code: str | None, org_name: str | None, office_id: int | None) -> None:
    """Change an account's role and what it is attached to; its sessions end."""
    user = _user(email)
    fund = org = office = None
    if fund_code:
        fund = db.session.execute(select(Fund).where(Fund.code == fund_code.upper())).scalar_one_or_none()
        if fund is None:
            raise click.ClickException(f"No fund with code {fund_code!r}.")
    if org_name:
        org = db.session.execute(select(Organisation).where(Organisation.name == org_name)).scalar_one_or_none()
        if org is None:
            raise click.ClickException(f"No organisation named {org_name!r} (create it in the admin area).")
    if office_id is not None:
        office = db.session.get(Office, office_id)
        if office is None:
            raise click.ClickException(f"No office with id {office_id}.")
    changed = _run(
        lambda: users_svc.change(
            None,
            user,
            user.version,
            name=user.name,
            role=role,
            fund=fund,
            organisation=org,
            office=office,
            locale=user.locale,
        )
    )
    click.echo(f"{email}: " + (", ".join(f"{k} {a} -> {b}" for k, (a, b) in changed.items()) or "nothing to change"))


@click.command("reset-password")
@click.argument("email")
@click.option("--print-link", is_flag=True, help="Also print the link (for an operator handing it over in person).")
def users_reset_password(email: str, print_link: bool) -> None:
    """E-mail the account a one-time link to set a new password (it works for one hour)."""
    from grievance.auth import links

    user = _user(email)
    token = _run(lambda: users_svc.send_password_link(None, user))
    click.echo(f"A one-time link to set a new password is queued for {email} (outbox; it works for one hour).")
    if print_link:
        click.echo(links.link(token))


USER_COMMANDS = (users_list, users_disable, users_enable, users_set_role, users_reset_password)


routing = AppGroup("routing", help="The routing table.")


def _describe(rule) -> str:
    return (
        f"category {rule.category_code or 'any'}, province {rule.province_code or 'any'}, "
        f"channel {rule.channel or 'any'} -> {rule.fund_code}" + (f" ({rule.office})" if rule.office else "")
    )


@routing.command("explain")
@click.option("--category", "code", required=True, help="Category code, e.g. NSAF-CT-MISSING.")
@click.option("--province", help="Two-digit province code, e.g. 12 (Phnom Penh).")
@click.option("--channel", type=click.Choice(CHANNELS), default="web", show_default=True)
def routing_explain(code: str, province: str | None, channel: str) -> None:
    """Say which rule routes a complaint of this category, province and channel, and to which fund."""
    category = db.session.execute(select(Category).where(Category.code == code.upper())).scalar_one_or_none()
    if category is None:
        raise click.ClickException(f"No category with code {code!r}.")
    answer = routing_svc.which_rule(category, province, channel)
    for check in answer.explanation.checks:
        if check.skipped:
            click.echo(f"  passed over (sensitive category stays with the council): {_describe(check.rule)}")
    if answer.rule is None:
        click.echo(f"No rule matches: the council's triage desk ({answer.fund.code}) gets it.")
        return
    click.echo(f"Rule {answer.number} (id {answer.rule.id}): {_describe(answer.explanation.checks[-1].rule)}")
    click.echo(f"Fund: {answer.fund.code} — {answer.fund.name_en}")


calendar = AppGroup("calendar", help="One-off closure days of the working calendar.")


def _confirm_moves(day: date, closing: bool, yes: bool) -> None:
    found = calendar_svc.preview(day, closing)
    direction = "later" if closing else "earlier"
    click.echo(f"{found.cases} open case(s)' due dates move one working day {direction}.")
    if not yes and not click.confirm("Apply?", default=False):
        raise click.ClickException("Nothing changed.")


@calendar.command("close")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--reason-en", required=True)
@click.option("--reason-km", required=True)
@click.option("--yes", is_flag=True, help="Apply without asking after the preview.")
def calendar_close(day, reason_en: str, reason_km: str, yes: bool) -> None:
    """Close offices on DAY (YYYY-MM-DD): preview, then move the open cases' due dates past it."""
    day = day.date()
    _confirm_moves(day, True, yes)
    version = calendar_svc.calendar_version()
    _row, moved = _run(
        lambda: calendar_svc.add(
            None,
            version,
            day,
            reason_en=reason_en,
            reason_km=reason_km,
            progress=lambda n: click.echo(f"  … {n} cases moved"),
        )
    )
    click.echo(f"Closed on {day}: {moved} case(s) moved.")


@calendar.command("open")
@click.argument("day", type=click.DateTime(formats=["%Y-%m-%d"]))
@click.option("--yes", is_flag=True, help="Apply without asking after the preview.")
def calendar_open(day, yes: bool) -> None:
    """Make a closure DAY a working day again; the open cases' due dates move back."""
    from grievance.models import ClosureDay

    day = day.date()
    closure = db.session.execute(select(ClosureDay).where(ClosureDay.day == day)).scalar_one_or_none()
    if closure is None:
        raise click.ClickException(f"{day} is not a closure day.")
    _confirm_moves(day, False, yes)
    version = calendar_svc.calendar_version()
    moved = _run(
        lambda: calendar_svc.remove(None, version, closure, progress=lambda n: click.echo(f"  … {n} cases moved"))
    )
    click.echo(f"{day} is a working day again: {moved} case(s) moved.")
