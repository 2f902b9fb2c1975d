"""One-time links to set a password: an invitation to a new account, or a reset.

The link carries 256 random bits; only their SHA-256 is stored (`account_tokens`). A link works
once, until it expires, and only for an active account; issuing a new link of the same kind for
the same account retires the older ones. It travels by e-mail through the outbox, in the token
holder's language, in the query string (the access log records paths without query strings).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from grievance.auth.service import AccountError, end_all_sessions, hash_password
from grievance.extensions import db
from grievance.models import AccountToken, User
from grievance.models.timeutil import from_db, to_db
from grievance.notifications import outbox

LIFETIME = {"invite": timedelta(days=7), "reset": timedelta(hours=1)}
PATH = "/auth/set-password"

MESSAGES = {
    "invite": {
        "en": (
            "Your account on the social protection complaints system",
            "An administrator has opened an account for you ({email}).\n\n"
            "Choose your password here (the link works once, for 7 days):\n{link}\n\n"
            "If you did not expect this, ignore this message.",
        ),
        "km": (
            "គណនីរបស់អ្នកនៅលើប្រព័ន្ធពាក្យបណ្តឹងគាំពារសង្គម",
            "អ្នកគ្រប់គ្រងបានបើកគណនីមួយសម្រាប់អ្នក ({email})។\n\n"
            "សូមជ្រើសរើសពាក្យសម្ងាត់របស់អ្នកនៅទីនេះ (តំណនេះប្រើបានតែម្តង ក្នុងរយៈពេល ៧ ថ្ងៃ)៖\n{link}\n\n"
            "បើអ្នកមិនបានរំពឹងសារនេះទេ សូមកុំខ្វល់។",
        ),
    },
    "reset": {
        "en": (
            "Set a new password",
            "Someone asked to set a new password for your account ({email}).\n\n"
            "Set it here (the link works once, for 1 hour):\n{link}\n\n"
            "If it was not you, ignore this message: your password stays as it is.",
        ),
        "km": (
            "កំណត់ពាក្យសម្ងាត់ថ្មី",
            "មាននរណាម្នាក់បានស្នើសុំកំណត់ពាក្យសម្ងាត់ថ្មីសម្រាប់គណនីរបស់អ្នក ({email})។\n\n"
            "សូមកំណត់វានៅទីនេះ (តំណនេះប្រើបានតែម្តង ក្នុងរយៈពេល ១ ម៉ោង)៖\n{link}\n\n"
            "បើមិនមែនជាអ្នកទេ សូមកុំខ្វល់៖ ពាក្យសម្ងាត់របស់អ្នកនៅដដែល។",
        ),
    },
}


class LinkInvalid(AccountError):
    """The link is unknown, used, expired, or its account is disabled."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def base_url() -> str:
    """Where links point: PUBLIC_BASE_URL, never the Host header of a request (which anyone can forge)."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if not base:
        raise AccountError(
            _l("PUBLIC_BASE_URL is not set: the app does not know its public address for e-mailed links.")
        )
    return base


def issue(user: User, purpose: str, *, by: User | None = None, now: datetime | None = None) -> str:
    """A new one-time link token for `user` (returned once); older unused ones of that kind are retired."""
    if purpose not in LIFETIME:
        raise ValueError(f"unknown link purpose {purpose!r}")
    if not user.active:
        raise AccountError(_l("This account is disabled: enable it first."))
    now = _now(now)
    db.session.execute(
        update(AccountToken)
        .where(
            AccountToken.user_id == user.id,
            AccountToken.purpose == purpose,
            AccountToken.used_at.is_(None),
            AccountToken.expires_at > to_db(now),
        )
        .values(expires_at=to_db(now))
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    db.session.add(
        AccountToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=_digest(token),
            created_at=to_db(now),
            expires_at=to_db(now + LIFETIME[purpose]),
            created_by_id=None if by is None else by.id,
        )
    )
    db.session.flush()
    return token


def link(token: str) -> str:
    return f"{base_url()}{PATH}?{urlencode({'token': token})}"


def send(user: User, purpose: str, token: str) -> None:
    """Queue the e-mail carrying the link, in the account's language."""
    texts = MESSAGES[purpose]
    subject, body = texts.get(user.locale, texts["en"])
    outbox.enqueue(
        channel="email",
        recipient=user.email,
        subject=subject,
        body=body.format(email=user.email, link=link(token)),
        key=outbox.idempotency_key("account-link", _digest(token)),
        language=user.locale,
    )


def issue_and_send(user: User, purpose: str, *, by: User | None = None, now: datetime | None = None) -> str:
    """Issue a link and queue its e-mail in one step; returns the token (for the console only)."""
    base_url()  # refuse before anything is written if links cannot be built
    token = issue(user, purpose, by=by, now=now)
    send(user, purpose, token)
    return token


def find(token: str | None, now: datetime | None = None) -> AccountToken | None:
    """The valid (unused, unexpired, active account) link row for `token`, or None."""
    if not token or len(token) > 128:
        return None
    row = db.session.execute(select(AccountToken).where(AccountToken.token_hash == _digest(token))).scalar_one_or_none()
    if row is None or row.used_at is not None or from_db(row.expires_at) <= _now(now):
        return None
    return row if row.user.active else None


def redeem(token: str, password: str, *, now: datetime | None = None) -> User:
    """Set the password from a valid link, once; every session of the account ends."""
    now = _now(now)
    row = find(token, now)
    if row is None:
        raise LinkInvalid(_l("This link is not valid any more."))
    password_hash = hash_password(password)  # checks the length rules before the link is spent
    spent = db.session.execute(
        update(AccountToken)
        .where(AccountToken.id == row.id, AccountToken.used_at.is_(None))
        .values(used_at=to_db(now))
        .execution_options(synchronize_session=False)
    )
    if spent.rowcount != 1:  # the same link used twice at once: one wins
        raise LinkInvalid(_l("This link is not valid any more."))
    user = row.user
    user.password_hash = password_hash
    user.password_changed_at = to_db(now)
    end_all_sessions(user)
    return user
