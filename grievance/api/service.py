"""Filing through the Open311 API, and recognising a retried POST.

Platforms retry what they think failed (a timeout, a lost answer). The same key posting the
same request again is not a second complaint: an `Idempotency-Key` header, the same
`attribute[external_id]`, or the same content within 24 hours finds the first case, and the
answer is the first answer (its tracking code too, for 24 hours). Unique constraints on
api_submissions decide it, so two retries arriving at once give one case on PostgreSQL
(the second insert waits for the first transaction and then conflicts) and on SQLite (writers
are serialised by BEGIN IMMEDIATE): the loser's whole transaction is rolled back, number and
audit event included, and it answers with the winner's case.

Services never commit: the view commits, or rolls back on DuplicateRequest and asks
`first_filing` for the case to answer with.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from grievance.api import payload
from grievance.api.keys import ValidKey
from grievance.api.purposes import Caller
from grievance.domain import codes
from grievance.extensions import db
from grievance.intake import service as intake
from grievance.models import ApiSubmission, Case
from grievance.models.timeutil import to_db
from grievance.security import tracking_key
from grievance.services.prepared import Prepared

REPLAY_WINDOW = timedelta(hours=24)
_RETRY_COLUMNS = ("external_id", "idempotency_digest", "content_digest")
_COLUMNS = [c.name for c in ApiSubmission.__table__.columns if c.name != "id"]
# Built once, run as one driver call (services/prepared); each filing only binds its values.
_INSERT = Prepared(insert(ApiSubmission.__table__), _COLUMNS)


class DuplicateRequest(Exception):
    """This key already filed this request; roll back and answer with `first_filing`."""


@dataclass(frozen=True)
class RetryKeys:
    """What identifies a request for its key: the caller's external id, its header, its content."""

    api_key_id: int
    external_id: str | None
    idempotency_digest: str | None
    content_digest: str


@dataclass(frozen=True)
class Filed:
    reference: str
    token: str
    tracking_code: str | None
    expected: datetime
    agency: str
    replayed: bool = False


def retry_keys(req: payload.Request, key: ValidKey | None, caller: Caller, header: str | None) -> RetryKeys | None:
    if key is None or not caller.retries_recognised:
        return None
    digest = None
    if header:
        digest = hashlib.sha256(header.encode("utf-8", "surrogatepass")).hexdigest()
    return RetryKeys(key.id, req.external_id, digest, req.content_digest())


def new_token() -> str:
    """The Open311 token: public, random, leads only to the service_request_id."""
    return secrets.token_hex(10)


def file_request(
    req: payload.Request,
    caller: Caller,
    key: ValidKey | None,
    retry: RetryKeys | None,
    *,
    language: str,
    now: datetime | None = None,
) -> Filed:
    """File the request as a case and record what the platform sent; DuplicateRequest on a retry."""
    now = now or datetime.now(timezone.utc)
    secret = secrets.token_hex(16) if caller.gets_tracking_code else None
    tracking = codes.derived_tracking_code(tracking_key(), secret) if secret else None
    receipt = intake.submit(
        payload.to_submission(req, language=language),
        key=tracking_key(),
        organisation_id=key.organisation_id if key is not None and caller.records_organisation else None,
        now=now,
        tracking_code=tracking,
    )
    case = receipt.case
    token = new_token()
    values = {
        "case_id": case.id,
        "api_key_id": None if key is None else key.id,
        "token": token,
        "replay_secret": secret,
        "latitude": req.latitude,
        "longitude": req.longitude,
        "address_string": req.address_string,
        "address_id": req.address_id,
        "media_urls": "\n".join(req.media_urls) or None,
        "device_id": req.device_id,
        "account_id": req.account_id,
        "created_at": to_db(now),
    }
    for column in _RETRY_COLUMNS:  # the same columns every time: one compiled statement
        values[column] = None if retry is None else getattr(retry, column)
    try:
        _INSERT.rowcount(db.session.connection(), values)
    except IntegrityError:
        if retry is None:
            raise
        raise DuplicateRequest() from None
    return Filed(case.reference, token, tracking, case.resolve_due_at, case.fund.name(language))


def first_filing(retry: RetryKeys, caller: Caller, *, language: str, now: datetime | None = None) -> Filed | None:
    """The case this key first filed for the request, or None (stale matches are cleared for a new filing)."""
    now = now or datetime.now(timezone.utc)
    cutoff = to_db(now - REPLAY_WINDOW)
    matches = [ApiSubmission.content_digest == retry.content_digest]
    if retry.external_id:
        matches.append(ApiSubmission.external_id == retry.external_id)
    if retry.idempotency_digest:
        matches.append(ApiSubmission.idempotency_digest == retry.idempotency_digest)
    rows = db.session.execute(
        select(ApiSubmission, Case)
        .join(Case, Case.id == ApiSubmission.case_id)
        .where(ApiSubmission.api_key_id == retry.api_key_id, or_(*matches))
        .order_by(ApiSubmission.id)
    ).all()
    for row, case in rows:
        fresh = row.created_at >= cutoff
        if (retry.external_id and row.external_id == retry.external_id) or fresh:
            code = None
            if caller.gets_tracking_code and fresh and row.replay_secret:
                code = codes.derived_tracking_code(tracking_key(), row.replay_secret)
            return Filed(case.reference, row.token, code, case.resolve_due_at, case.fund.name(language), replayed=True)
    for row, _case in rows:  # only matches older than the window: they no longer count
        _forget(row.id)
    return None


def _forget(submission_id: int) -> None:
    db.session.execute(
        update(ApiSubmission)
        .where(ApiSubmission.id == submission_id)
        .values(replay_secret=None, idempotency_digest=None, content_digest=None)
        .execution_options(synchronize_session=False)
    )


def forget_expired(now: datetime | None = None) -> int:
    """Wipe the replay secrets and 24-hour digests older than the window; returns how many rows."""
    now = now or datetime.now(timezone.utc)
    result = db.session.execute(
        update(ApiSubmission)
        .where(ApiSubmission.replay_secret.is_not(None), ApiSubmission.created_at < to_db(now - REPLAY_WINDOW))
        .values(replay_secret=None, idempotency_digest=None, content_digest=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount
