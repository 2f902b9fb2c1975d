"""A complaint (case), the complainant's personal data kept apart, attachments, extension
requests on its clock and the record of who opened the personal data."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grievance.domain.workflow import OPEN_STATUS_VALUES, Status
from grievance.extensions import db
from grievance.models.org import Fund, Organisation
from grievance.models.reference import Category
from grievance.models.timeutil import utcnow

CHANNELS = ("web", "api", "assisted", "in_person", "phone", "sms", "telegram")
IDENTITY_MODES = ("anonymous", "confidential", "named")
STATUSES = tuple(status.value for status in Status)
SLA_STATES = ("on_track", "at_risk", "breached", "escalated")
OUTCOMES = ("remedied", "explained", "not_upheld", "referred")
QUEUE_FILTERS = ("category_id", "province_code", "assignee_id")
# Why a staff member opened a complainant's personal data (chosen from this list, on record),
# and through which output.
IDENTITY_VIEW_REASONS = ("contact", "verify", "investigate", "legal")
IDENTITY_VIEW_OUTPUTS = ("panel", "case_file", "attachment", "export")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class ReferenceCounter(db.Model):
    """Last reference number used per year; incremented atomically inside the intake transaction."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("year", "number"),
        CheckConstraint(_in("channel", CHANNELS), name="channel"),
        CheckConstraint(_in("identity_mode", IDENTITY_MODES), name="identity_mode"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        CheckConstraint(_in("sla_state", SLA_STATES), name="sla_state"),
        CheckConstraint("outcome IS NULL OR " + _in("outcome", OUTCOMES), name="outcome"),
        CheckConstraint("people_affected >= 1", name="people_affected"),
        Index("ix_cases_fund_status_due", "fund_id", "status", "resolve_due_at"),
        Index("ix_cases_received_at", "received_at"),
        Index("ix_cases_status_resolve_warn", "status", "resolve_warn_at"),
        # The officer queue (migrations 0004, 0005): each capped count ("1,000+") seeks the
        # index led by its filters and stops after 1,001 entries; the page walks a due-date
        # order (by SLA state when filtered on it), or sorts the few index entries of a
        # province or an assignee, and reads only the rows it shows.
        Index("ix_cases_queue_status", "fund_id", "status", "sla_state", *QUEUE_FILTERS),
        Index(
            "ix_cases_queue_province",
            *("fund_id", "province_code", "status", "sla_state", "category_id", "assignee_id", "resolve_due_at"),
        ),
        Index(
            "ix_cases_queue_assignee",
            *("fund_id", "assignee_id", "status", "sla_state", "category_id", "province_code", "resolve_due_at"),
        ),
        Index("ix_cases_queue_due", "fund_id", "resolve_due_at", "status", "sla_state", *QUEUE_FILTERS),
        Index("ix_cases_queue_sla_due", "fund_id", "sla_state", "resolve_due_at", "status", *QUEUE_FILTERS),
        # The queue sorted by date received (migration 0024o), as ix_cases_queue_due is for the due date.
        Index("ix_cases_queue_received", "fund_id", "received_at", "status", "sla_state", *QUEUE_FILTERS),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    tracking_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # One-time token of the form that created the case: a double submission hits this constraint.
    form_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)

    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    # The service-level terms in force when the case was received: its clocks keep them
    # whatever an administrator changes later (see SlaPolicy).
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policies.id"))
    fund_id: Mapped[int] = mapped_column(ForeignKey("funds.id"))
    office: Mapped[str | None] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="received")
    sla_state: Mapped[str] = mapped_column(String(16), default="on_track")
    identity_mode: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), default="km")

    description: Mapped[str] = mapped_column(Text)
    occurred_on: Mapped[date | None] = mapped_column(Date)
    province_code: Mapped[str | None] = mapped_column(String(2))
    district_code: Mapped[str | None] = mapped_column(String(4))
    commune_code: Mapped[str | None] = mapped_column(String(6))

    # Vulnerable groups recorded at intake (optional; None = not said).
    gender: Mapped[str | None] = mapped_column(String(16))
    age_band: Mapped[str | None] = mapped_column(String(16))
    disability: Mapped[bool | None] = mapped_column(Boolean)
    idpoor: Mapped[bool | None] = mapped_column(Boolean)
    informal_worker: Mapped[bool | None] = mapped_column(Boolean)
    indigenous: Mapped[bool | None] = mapped_column(Boolean)
    people_affected: Mapped[int] = mapped_column(Integer, default=1)

    intake_office_id: Mapped[int | None] = mapped_column(ForeignKey("offices.id"))
    filed_by_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"))
    filed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    received_at: Mapped[datetime] = mapped_column(DateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime)  # first public update
    first_resolved_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)  # latest resolve/reject
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    last_public_at: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(16))
    satisfied: Mapped[bool | None] = mapped_column(Boolean)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    transfer_count: Mapped[int] = mapped_column(Integer, default=0)

    # Service-level clocks (UTC). Due and warn instants are computed at intake and moved
    # only by a pause (awaiting the complainant) or an approved extension.
    ack_due_at: Mapped[datetime] = mapped_column(DateTime)
    ack_warn_at: Mapped[datetime] = mapped_column(DateTime)
    resolve_due_at: Mapped[datetime] = mapped_column(DateTime)
    resolve_warn_at: Mapped[datetime] = mapped_column(DateTime)
    loop_due_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_at: Mapped[datetime | None] = mapped_column(DateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    ack_warned_at: Mapped[datetime | None] = mapped_column(DateTime)
    ack_breached_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolve_warned_at: Mapped[datetime | None] = mapped_column(DateTime)
    resolve_breached_at: Mapped[datetime | None] = mapped_column(DateTime)
    loop_breached_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalate_at: Mapped[datetime | None] = mapped_column(DateTime)
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime)
    extended_days: Mapped[int] = mapped_column(Integer, default=0)

    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    category: Mapped[Category] = relationship()
    fund: Mapped[Fund] = relationship()
    filed_by_org: Mapped[Organisation | None] = relationship()
    complainant: Mapped[Complainant | None] = relationship(back_populates="case", uselist=False)
    api_submission: Mapped[ApiSubmission | None] = relationship(back_populates="case", uselist=False)
    attachments: Mapped[list[Attachment]] = relationship(back_populates="case", order_by="Attachment.id")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUS_VALUES

    @property
    def breached(self) -> bool:
        return bool(self.ack_breached_at or self.resolve_breached_at or self.loop_breached_at)


class Complainant(db.Model):
    """Personal data, apart from the case: seen only by the handling fund's staff."""

    __tablename__ = "complainants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    programme_number: Mapped[str | None] = mapped_column(String(64))
    # The programme number as a keyed hash (cases/duplicates.programme_hash), for matching
    # complaints of the same household without showing or searching the number itself.
    programme_hash: Mapped[str | None] = mapped_column(String(32), index=True)
    consent_given: Mapped[bool] = mapped_column(Boolean, default=False)
    sms_opt_in: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    case: Mapped[Case] = relationship(back_populates="complainant")


FILE_FIELDS = ("stored_name", "original_name", "content_type", "size", "sha256")


class StoredFile:
    """A checked, cleaned file under a random name in UPLOAD_DIR (outside the web root)."""

    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))

    def file_fields(self) -> dict:
        """The file's description, to hand it from one row to another (a draft's to its case's)."""
        return {
            name: getattr(self, name) for name in ("stored_name", "original_name", "content_type", "size", "sha256")
        }


class ApiSubmission(db.Model):
    """What a partner platform sent with a case through the Open311 API, and how a retry finds it.

    The location, address, media, device and account are personal data like the complainant's
    row: apart from the case, shown only to the handling fund (the public feed coarsens the
    place). `token` is the Open311 token (public: it only leads to the service_request_id);
    the idempotency columns hold digests, never what the caller sent, and the unique
    constraints make two retries arriving at once give one case.
    """

    __tablename__ = "api_submissions"
    __table_args__ = (
        UniqueConstraint("api_key_id", "external_id"),
        UniqueConstraint("api_key_id", "idempotency_digest"),
        UniqueConstraint("api_key_id", "content_digest"),
        CheckConstraint("latitude IS NULL OR latitude BETWEEN -90 AND 90", name="latitude"),
        CheckConstraint("longitude IS NULL OR longitude BETWEEN -180 AND 180", name="longitude"),
        # Only rows still inside the replay window: what the sweep wipes (service.forget_expired).
        Index(
            "ix_api_submissions_replay",
            "created_at",
            sqlite_where=text("replay_secret IS NOT NULL"),
            postgresql_where=text("replay_secret IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    external_id: Mapped[str | None] = mapped_column(String(100))
    # SHA-256 of the Idempotency-Key header and of the request's content; both count for 24 hours.
    idempotency_digest: Mapped[str | None] = mapped_column(String(64))
    content_digest: Mapped[str | None] = mapped_column(String(64))
    # Lets a retry within the replay window be answered with the same tracking code; wiped after.
    replay_secret: Mapped[str | None] = mapped_column(String(64))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address_string: Mapped[str | None] = mapped_column(String(500))
    address_id: Mapped[str | None] = mapped_column(String(100))
    media_urls: Mapped[str | None] = mapped_column(Text)  # one URL per line
    device_id: Mapped[str | None] = mapped_column(String(100))
    account_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime)

    case: Mapped[Case] = relationship(back_populates="api_submission")


class Attachment(StoredFile, db.Model):
    """Metadata of an uploaded file; the bytes live under a random name outside the web root."""

    __tablename__ = "attachments"
    __table_args__ = (
        CheckConstraint(
            "content_type IN ('image/jpeg', 'image/png', 'application/pdf')",
            name="type",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    case: Mapped[Case] = relationship(back_populates="attachments")


class ExtensionRequest(db.Model):
    """An officer asks for more working days on the resolve clock; a supervisor decides."""

    __tablename__ = "extension_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'refused')", name="status"),
        CheckConstraint("extra_days BETWEEN 1 AND 60", name="extra_days"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    extra_days: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class IdentityView(db.Model):
    """Every time a staff member opens a complainant's personal data: who, when, why and how.

    Each row is also an "identity_view" event in the audit chain (`flask audit verify` checks
    that the two agree). Rows recorded before reasons existed have none.
    """

    __tablename__ = "identity_views"
    __table_args__ = (
        CheckConstraint("reason IS NULL OR " + _in("reason", IDENTITY_VIEW_REASONS), name="reason"),
        CheckConstraint("output IS NULL OR " + _in("output", IDENTITY_VIEW_OUTPUTS), name="output"),
        Index("ix_identity_views_user_viewed", "user_id", "viewed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    viewed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(16))
    output: Mapped[str | None] = mapped_column(String(16))


class IdentityAlert(db.Model):
    """More identity views by one user within an hour than the configured limit: a flag for the council."""

    __tablename__ = "identity_alerts"
    __table_args__ = (CheckConstraint("status IN ('open', 'handled')", name="status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(DateTime)
    views: Mapped[int] = mapped_column(Integer)  # identity views in the hour before raised_at
    view_limit: Mapped[int] = mapped_column(Integer)  # the limit in force when it was raised
    status: Mapped[str] = mapped_column(String(16), default="open")
    handled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handled_at: Mapped[datetime | None] = mapped_column(DateTime)
