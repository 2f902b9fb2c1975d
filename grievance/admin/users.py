"""Accounts, as administrators manage them: list, invite, disable and enable, change role and links,
send a password link, reset two-step login.

Every verb refuses a non-administrator (guard.require_admin), checks the version the
administrator saw where it edits the account, and records the change in the audit chain.
Passwords, session tokens and TOTP secrets never enter a change record.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update

from grievance.admin.editing import EditConflict, Invalid, guarded_update, snapshot
from grievance.admin.guard import require_admin
from grievance.auth import links
from grievance.auth.service import end_all_sessions
from grievance.extensions import db
from grievance.models import Fund, Office, Organisation, User
from grievance.models.timeutil import to_db
from grievance.models.user import FUND_ROLES, ROLES
from grievance.services.changes import record_change

ENTITY = "user"
FIELDS = ("email", "name", "role", "fund_id", "organisation_id", "office_id", "locale", "active")
PAGE_SIZE = 50
LOGIN_FILTERS = ("recent", "stale", "never")  # last 30 days, not for 90 days, never
LANGUAGES = ("km", "en")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    role: str = ""
    fund_id: int | None = None
    organisation_id: int | None = None
    office_id: int | None = None
    active: str = ""  # "yes", "no" or "" (both)
    login: str = ""  # one of LOGIN_FILTERS or ""
    page: int = 1


def _like(text: str) -> str:
    """A LIKE pattern matching `text` anywhere, with %, _ and the escape character taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.lower()}%"


def query(filters: Filters, now: datetime | None = None) -> Select:
    """Accounts matching the filters, ordered by name (in SQL)."""
    now = now or datetime.now(timezone.utc)
    stmt = select(User)
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(
            or_(func.lower(User.email).like(pattern, escape="\\"), func.lower(User.name).like(pattern, escape="\\"))
        )
    if filters.role:
        stmt = stmt.where(User.role == filters.role)
    if filters.fund_id:
        stmt = stmt.where(User.fund_id == filters.fund_id)
    if filters.organisation_id:
        stmt = stmt.where(User.organisation_id == filters.organisation_id)
    if filters.office_id:
        stmt = stmt.where(User.office_id == filters.office_id)
    if filters.active in ("yes", "no"):
        stmt = stmt.where(User.active.is_(filters.active == "yes"))
    if filters.login == "recent":
        stmt = stmt.where(User.last_login_at >= to_db(now - timedelta(days=30)))
    elif filters.login == "stale":
        stmt = stmt.where(User.last_login_at < to_db(now - timedelta(days=90)))
    elif filters.login == "never":
        stmt = stmt.where(User.last_login_at.is_(None))
    return stmt.order_by(func.lower(User.name), User.id)


def page(filters: Filters) -> tuple[list[User], int]:
    """One page of matching accounts and how many match in all."""
    stmt = query(filters)
    total = db.session.execute(select(func.count()).select_from(stmt.order_by(None).subquery())).scalar_one()
    offset = (max(filters.page, 1) - 1) * PAGE_SIZE
    return list(db.session.execute(stmt.limit(PAGE_SIZE).offset(offset)).scalars()), total


def by_email(email: str) -> User | None:
    address = (email or "").strip().lower()
    return db.session.execute(select(User).where(func.lower(User.email) == address)).scalar_one_or_none()


def check_links(role: str, fund: Fund | None, organisation: Organisation | None, office: Office | None) -> dict:
    """The fund/organisation/office columns for a role, refusing what the role cannot have or lacks."""
    if role not in ROLES:
        raise Invalid(_l("Choose a role."), "role")
    if role in FUND_ROLES and fund is None:
        raise Invalid(_l("Officers and supervisors belong to a fund: choose one."), "fund")
    if fund is not None and not fund.active:
        raise Invalid(_l("That fund is not active."), "fund")
    if role == "monitor" and organisation is None:
        raise Invalid(_l("Monitors belong to an organisation: choose one."), "organisation")
    if organisation is not None and not organisation.active:
        raise Invalid(_l("That organisation is deactivated."), "organisation")
    if role == "frontdesk" and office is None:
        raise Invalid(_l("Front-desk staff work at an office: choose one."), "office")
    if office is not None and not office.active:
        raise Invalid(_l("That office is closed (inactive)."), "office")
    return {
        "fund_id": fund.id if role in FUND_ROLES and fund else None,
        "organisation_id": organisation.id if role == "monitor" and organisation else None,
        "office_id": office.id if role == "frontdesk" and office else None,
    }


def _active_admins() -> int:
    return db.session.execute(
        select(func.count()).select_from(User).where(User.role == "admin", User.active.is_(True))
    ).scalar_one()


def _keep_an_admin(user: User, *, losing: bool) -> None:
    """Refuse to disable or demote the last active administrator: nobody could undo it."""
    if losing and user.role == "admin" and user.active and _active_admins() <= 1:
        raise Invalid(_l("This is the last active administrator: make someone else an administrator first."))


def invite(
    actor: User | None,
    *,
    email: str,
    name: str,
    role: str,
    fund: Fund | None = None,
    organisation: Organisation | None = None,
    office: Office | None = None,
    locale: str = "km",
    now: datetime | None = None,
) -> User:
    """Create an account with no usable password and e-mail its holder a one-time link to choose one."""
    require_admin(actor)
    address = (email or "").strip().lower()
    if "@" not in address or len(address) > 254:
        raise Invalid(_l("Give a valid e-mail address."), "email")
    if by_email(address) is not None:
        raise Invalid(_l("An account with this e-mail address already exists."), "email")
    if locale not in LANGUAGES:
        raise Invalid(_l("Choose a language."), "locale")
    columns = check_links(role, fund, organisation, office)
    links.base_url()  # refuse before anything is written if the link cannot be built
    user = User(
        email=address,
        name=name.strip() or address.split("@")[0],
        # Random and never told to anyone: the account has no usable password until the link is used.
        password_hash="!invited:" + secrets.token_hex(16),
        role=role,
        session_token=secrets.token_hex(32),
        locale=locale,
        active=True,
        **columns,
    )
    db.session.add(user)
    db.session.flush()
    record_change(actor, ENTITY, user.id, None, snapshot(user, FIELDS), note="invited", now=now)
    links.issue_and_send(user, "invite", by=actor, now=now)
    return user


def resend_invitation(actor: User | None, user: User, *, now: datetime | None = None) -> None:
    """A fresh invitation link (the old one stops working), for an account that never set a password."""
    require_admin(actor)
    if not invited(user):
        raise Invalid(_l("This account has already chosen a password: send a password link instead."))
    links.issue_and_send(user, "invite", by=actor, now=now)
    record_change(actor, ENTITY, user.id, {}, {}, note="invitation sent again", now=now)


def invited(user: User) -> bool:
    """The account was invited and its holder has not chosen a password yet."""
    return user.password_hash.startswith("!invited:")


def send_password_link(actor: User | None, user: User, *, now: datetime | None = None) -> str:
    """E-mail a one-time link to set a new password (the current one keeps working until then)."""
    require_admin(actor)
    token = links.issue_and_send(user, "reset", by=actor, now=now)
    record_change(actor, ENTITY, user.id, {}, {}, note="password link sent", now=now)
    return token


def disable(actor: User | None, user: User, expected_version: int | None) -> None:
    """Switch the account off: it cannot log in, and its open sessions end at their next request."""
    require_admin(actor)
    if actor is not None and actor.id == user.id:
        raise Invalid(_l("You cannot disable your own account."))
    _keep_an_admin(user, losing=True)
    guarded_update(user, actor, ENTITY, expected_version, {"active": False})
    end_all_sessions(user)


def enable(actor: User | None, user: User, expected_version: int | None) -> None:
    """Switch the account back on (the holder logs in again; old sessions stay ended)."""
    guarded_update(user, actor, ENTITY, expected_version, {"active": True})


def change(
    actor: User | None,
    user: User,
    expected_version: int | None,
    *,
    name: str,
    role: str,
    fund: Fund | None,
    organisation: Organisation | None,
    office: Office | None,
    locale: str,
) -> dict:
    """Change name, language, role and the fund/organisation/office the role needs.

    A change of role or of what it is attached to ends the account's sessions, so the next login
    gets the new rights (and two-step login, if the new role needs it).
    """
    require_admin(actor)
    if locale not in LANGUAGES:
        raise Invalid(_l("Choose a language."), "locale")
    columns = check_links(role, fund, organisation, office)
    if actor is not None and actor.id == user.id and role != "admin":
        raise Invalid(_l("You cannot take the administrator role from yourself."), "role")
    _keep_an_admin(user, losing=role != "admin")
    values = {"name": name.strip() or user.name, "role": role, "locale": locale, **columns}
    changed = guarded_update(user, actor, ENTITY, expected_version, values)
    if {"role", "fund_id", "organisation_id", "office_id"} & changed.keys():
        end_all_sessions(user)
    return changed


def reset_two_step(actor: User | None, user: User, expected_version: int | None) -> None:
    """Forget the account's authenticator (a lost phone): it sets up a new one at its next login."""
    require_admin(actor)
    if user.version != expected_version:
        raise EditConflict(user)
    if not user.totp_secret:
        return
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, User.version == expected_version)
        .values(totp_secret=None, totp_last_step=None, version=expected_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise EditConflict(user)
    db.session.refresh(user)
    end_all_sessions(user)
    record_change(actor, ENTITY, user.id, {"two_step": "on"}, {"two_step": "off"})
