"""Staff and monitor accounts."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.extensions import db
from grievance.models.org import Fund, Organisation
from grievance.models.outreach import Office
from grievance.models.timeutil import utcnow

ROLES = ("admin", "oversight", "supervisor", "officer", "monitor", "frontdesk")
FUND_ROLES = ("supervisor", "officer")


class User(UserMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(
            "role IN ('admin', 'oversight', 'supervisor', 'officer', 'monitor', 'frontdesk')",
            name="role",
        ),
        CheckConstraint(
            "role NOT IN ('supervisor', 'officer') OR fund_id IS NOT NULL",
            name="fund_role_has_fund",
        ),
        CheckConstraint("role <> 'monitor' OR organisation_id IS NOT NULL", name="monitor_has_org"),
        CheckConstraint("role <> 'frontdesk' OR office_id IS NOT NULL", name="frontdesk_has_office"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    fund_id: Mapped[int | None] = mapped_column(ForeignKey("funds.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Rotated on logout, password change and deactivation: every session carrying the old
    # value stops working at once.
    session_token: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(2), default="km")
    # Optional TOTP second factor (admin and oversight); the last used time-step makes a code single-use.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    password_changed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Raised by every administrator's edit of the account (admin.users): a second edit made
    # from a stale page is refused instead of silently undoing the first.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    fund: Mapped[Fund | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    office: Mapped[Office | None] = relationship()

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return bool(self.active)

    @property
    def is_fund_staff(self) -> bool:
        return self.role in FUND_ROLES


TOKEN_PURPOSES = ("invite", "reset")


class AccountToken(db.Model):
    """A one-time link to set a password: an invitation or a reset. Only the SHA-256 is stored.

    Used once (`used_at`), expiring (`expires_at`); issuing a new one for the same account and
    purpose retires the older ones.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint("purpose IN ('invite', 'reset')", name="purpose"),
        Index("ix_account_tokens_user_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    purpose: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
