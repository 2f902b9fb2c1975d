"""Accounts: creation, password checks and session tokens."""

from __future__ import annotations

import secrets

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from grievance.extensions import db
from grievance.models import Fund, Office, Organisation, User
from grievance.models.user import FUND_ROLES, ROLES

MIN_PASSWORD = 12
MAX_PASSWORD = 128
# A real hash to compare against when the e-mail is unknown, so both answers take as long.
_DUMMY_HASH: dict[str, str] = {}


class AccountError(ValueError):
    pass


def check_password_policy(password: str) -> None:
    if not (MIN_PASSWORD <= len(password) <= MAX_PASSWORD):
        raise AccountError(f"Passwords must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long.")


def hash_password(password: str) -> str:
    check_password_policy(password)
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session token, so rotated tokens log out."""
    ident, _, token = user_id.partition(":")
    if not ident.isdigit() or not token:
        return None
    user = db.session.get(User, int(ident))
    if user is None or not user.active or not secrets.compare_digest(user.session_token, token):
        return None
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if the e-mail and password match an active account; None otherwise, same cost."""
    address = email.strip().lower()
    # PostgreSQL refuses a NUL in a text parameter (a 500); no account has one, so none matches.
    user = None
    if "\x00" not in address:
        user = db.session.execute(select(User).where(func.lower(User.email) == address)).scalar_one_or_none()
    if len(password) > MAX_PASSWORD:
        return None
    if user is None or not user.active:
        method = current_app.config["PASSWORD_HASH_METHOD"]
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(16), method=method)
        check_password_hash(_DUMMY_HASH[method], password)
        return None
    return user if check_password_hash(user.password_hash, password) else None


def find_active(email: str) -> User | None:
    """The active account with this e-mail address (any case), or None."""
    address = (email or "").strip().lower()
    if not address or "\x00" in address:
        return None
    user = db.session.execute(select(User).where(func.lower(User.email) == address)).scalar_one_or_none()
    return user if user is not None and user.active else None


def end_all_sessions(user: User) -> None:
    """Rotate the session token: every session of this user stops working."""
    user.session_token = secrets.token_hex(32)
    db.session.flush()


def create_user(
    email: str,
    password: str,
    role: str,
    *,
    name: str | None = None,
    fund_code: str | None = None,
    org_name: str | None = None,
    office_id: int | None = None,
    locale: str = "km",
    org_kind: str = "cso",
) -> User:
    """Create a staff or monitor account; role-specific links are checked here.

    A monitor's organisation is created if new, of the kind given (never guessed from its name).
    """
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise AccountError("Give a valid e-mail address.")
    if db.session.execute(select(User.id).where(func.lower(User.email) == email)).first():
        raise AccountError(f"An account for {email} already exists.")
    fund = org = None
    if role in FUND_ROLES:
        if not fund_code:
            raise AccountError(f"The {role} role needs --fund.")
        fund = db.session.execute(select(Fund).where(Fund.code == fund_code.upper())).scalar_one_or_none()
        if fund is None:
            raise AccountError(f"No fund with code {fund_code!r}.")
    if role == "monitor":
        if not org_name:
            raise AccountError("The monitor role needs --org.")
        org = db.session.execute(select(Organisation).where(Organisation.name == org_name)).scalar_one_or_none()
        if org is None:
            org = Organisation(name=org_name, kind=org_kind)
            db.session.add(org)
    if role == "frontdesk" and (office_id is None or db.session.get(Office, office_id) is None):
        raise AccountError("The frontdesk role needs --office with the id of an existing office.")
    user = User(
        email=email,
        name=name or email.split("@")[0],
        password_hash=hash_password(password),
        role=role,
        fund=fund,
        organisation=org,
        office_id=office_id if role == "frontdesk" else None,
        session_token=secrets.token_hex(32),
        locale=locale,
    )
    db.session.add(user)
    db.session.flush()
    return user


# Roles that may turn on two-step login; TWO_STEP_ROLES (config) lists those that must.
TOTP_ROLES = ("admin", "oversight", "supervisor")


def two_step_required(user: User) -> bool:
    """Whether this account must pass a second factor (TOTP) to log in."""
    return user.role in current_app.config.get("TWO_STEP_ROLES", ())


def note_login(user: User, now=None) -> None:
    """Stamp the last login (a plain UPDATE: it is not an edit of the account, its version stays)."""
    from sqlalchemy import update

    from grievance.models.timeutil import utcnow

    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(last_login_at=now or utcnow())
        .execution_options(synchronize_session=False)
    )


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password, set the new one and end every other session."""
    from grievance.models.timeutil import utcnow

    if not check_password_hash(user.password_hash, current[:MAX_PASSWORD]):
        raise AccountError("The current password is not right.")
    user.password_hash = hash_password(new)
    user.password_changed_at = utcnow()
    end_all_sessions(user)


def deactivate(user: User) -> None:
    """Switch an account off; its sessions stop working at once."""
    user.active = False
    end_all_sessions(user)


def pending_user(user_id, started_at, max_age: int) -> User | None:
    """The user between password and second factor, if that step is recent."""
    import time

    if not user_id or not started_at or time.time() - started_at > max_age:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


def new_totp_secret() -> str:
    from grievance.domain import totp

    return totp.new_secret()


def totp_uri(user: User, secret: str) -> str:
    from grievance.domain import totp

    return totp.provisioning_uri(secret, user.email)


def check_totp(user: User, code: str, now: float | None = None) -> bool:
    """Accept a valid code once: the step it belongs to must be newer than the last one used."""
    import time

    from sqlalchemy import or_, update

    from grievance.domain import totp

    step = totp.verify(user.totp_secret, code, now or time.time(), user.totp_last_step)
    if step is None:
        return False
    # Conditional update: two logins racing with the same code cannot both succeed.
    result = db.session.execute(
        update(User)
        .where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(user)
    return result.rowcount == 1


def enable_totp(user: User, secret: str, code: str, now: float | None = None) -> bool:
    import time

    from grievance.domain import totp

    step = totp.verify(secret, code, now or time.time(), None)
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_last_step = step
    db.session.flush()
    return True
