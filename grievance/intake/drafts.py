"""Drafts: a complaint's answers kept on the server between steps, whichever channel asks them.

A draft belongs to a channel and an owner, known only by a keyed hash (a random token for the web
form, the phone number for SMS, the chat for Telegram). Files chosen along the way are checked and
cleaned at once (intake/uploads.py) and wait as pending uploads; sending the complaint turns them
into the case's attachments, so choosing a district or going back never drops them. A draft lives
for a while after its last answer (`lifetime`) and is purged afterwards, files included.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import delete, event, select
from sqlalchemy.orm import Session

from grievance.extensions import db
from grievance.intake import uploads
from grievance.models import Attachment, Case, Draft, InboundMessage, PendingUpload
from grievance.models.timeutil import from_db, to_db

INBOUND_KEEP_DAYS = 30
_DOOMED = "grievance.files_to_delete"


def delete_after_commit(paths: list[Path]) -> None:
    """Delete these files once the transaction commits (a rollback keeps them, as it keeps their rows)."""
    db.session.info.setdefault(_DOOMED, []).extend(paths)


@event.listens_for(Session, "after_commit")
def _delete_doomed(session) -> None:
    uploads.discard(session.info.pop(_DOOMED, []))


@event.listens_for(Session, "after_rollback")
def _keep_doomed(session) -> None:
    session.info.pop(_DOOMED, None)


def owner_hash(channel: str, owner: str, key: bytes) -> str:
    """The keyed hash a draft is found by: the owner (token, phone, chat id) itself is never stored."""
    return hmac.new(key, f"draft|{channel}|{owner}".encode(), hashlib.sha256).hexdigest()


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(timezone.utc)


def find(channel: str, owner: str, key: bytes, *, now: datetime | None = None) -> Draft | None:
    """The owner's draft on this channel, unless it has expired."""
    draft = db.session.execute(
        select(Draft).where(Draft.channel == channel, Draft.owner_hash == owner_hash(channel, owner, key))
    ).scalar_one_or_none()
    if draft is None or from_db(draft.expires_at) <= _now(now):
        return None
    return draft


def expired(channel: str, owner: str, key: bytes, *, now: datetime | None = None) -> bool:
    """True if the owner had a draft here that timed out (and has not been purged yet)."""
    draft = db.session.execute(
        select(Draft.expires_at).where(Draft.channel == channel, Draft.owner_hash == owner_hash(channel, owner, key))
    ).scalar_one_or_none()
    return draft is not None and from_db(draft) <= _now(now)


def start(
    channel: str,
    owner: str,
    key: bytes,
    *,
    flow: str,
    step: str,
    language: str,
    lifetime: timedelta,
    values: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> Draft:
    """A fresh draft for the owner, replacing any earlier one (and its pending files)."""
    now = _now(now)
    digest = owner_hash(channel, owner, key)
    old = db.session.execute(
        select(Draft).where(Draft.channel == channel, Draft.owner_hash == digest)
    ).scalar_one_or_none()
    if old is not None:
        discard(old)
    draft = Draft(
        channel=channel,
        owner_hash=digest,
        flow=flow,
        step=step,
        language=language,
        data=json.dumps(values or {}, ensure_ascii=False),
        created_at=to_db(now),
        updated_at=to_db(now),
        expires_at=to_db(now + lifetime),
    )
    db.session.add(draft)
    db.session.flush()
    return draft


def values(draft: Draft) -> dict[str, Any]:
    return json.loads(draft.data or "{}")


def update(
    draft: Draft,
    *,
    lifetime: timedelta,
    step: str | None = None,
    drop: tuple[str, ...] = (),
    now: datetime | None = None,
    **answers: Any,
) -> dict[str, Any]:
    """Record answers (None forgets one), move to `step`, and keep the draft alive for `lifetime`."""
    now = _now(now)
    data = values(draft)
    for name in drop:
        data.pop(name, None)
    for name, value in answers.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    draft.data = json.dumps(data, ensure_ascii=False)
    if step is not None:
        draft.step = step
    draft.updated_at = to_db(now)
    draft.expires_at = to_db(now + lifetime)
    db.session.flush()
    return data


def add_uploads(draft: Draft, prepared: list[uploads.PreparedFile], upload_dir: str) -> list[Path]:
    """Store cleaned files as pending uploads of the draft; the paths let a caller undo on rollback."""
    written = uploads.store(prepared, upload_dir, lambda fields: PendingUpload(draft_id=draft.id, **fields))
    db.session.refresh(draft, ["uploads"])
    return written


def remove_upload(draft: Draft, upload_id: int, upload_dir: str) -> bool:
    """Forget one pending file of this draft (another draft's id does nothing); the file goes at commit."""
    item = db.session.execute(
        select(PendingUpload).where(PendingUpload.id == upload_id, PendingUpload.draft_id == draft.id)
    ).scalar_one_or_none()
    if item is None:
        return False
    delete_after_commit([Path(upload_dir) / item.stored_name])
    db.session.delete(item)
    db.session.flush()
    db.session.refresh(draft, ["uploads"])
    return True


def attach_uploads(draft: Draft, case: Case) -> int:
    """Make the draft's pending files the case's attachments (the files stay where they are)."""
    files = []
    for item in list(draft.uploads):
        db.session.add(Attachment(case_id=case.id, **item.file_fields()))
        files.append((item.sha256, item.size))
    db.session.execute(delete(PendingUpload).where(PendingUpload.draft_id == draft.id))
    db.session.expire(draft, ["uploads"])
    db.session.flush()
    uploads.chain_files(case, files)
    return len(files)


def finish(draft: Draft) -> None:
    """The complaint was sent: the draft goes (its files now belong to the case)."""
    db.session.execute(delete(PendingUpload).where(PendingUpload.draft_id == draft.id))
    db.session.expire(draft, ["uploads"])
    db.session.delete(draft)
    db.session.flush()


def discard(draft: Draft, upload_dir: str | None = None) -> None:
    """Drop a draft; its pending files are deleted when the transaction commits."""
    from flask import current_app

    folder = Path(upload_dir or current_app.config["UPLOAD_DIR"])
    delete_after_commit([folder / item.stored_name for item in draft.uploads])
    db.session.execute(delete(PendingUpload).where(PendingUpload.draft_id == draft.id))
    db.session.expire(draft, ["uploads"])
    db.session.delete(draft)
    db.session.flush()


def purge(upload_dir: str, *, now: datetime | None = None) -> tuple[int, int]:
    """Forget drafts past their time (with their files) and inbound message ids older than 30 days."""
    now = _now(now)
    old = db.session.execute(select(Draft).where(Draft.expires_at <= to_db(now))).scalars().all()
    for draft in old:
        discard(draft, upload_dir)
    cutoff = to_db(now - timedelta(days=INBOUND_KEEP_DAYS))
    gone = db.session.execute(delete(InboundMessage).where(InboundMessage.received_at < cutoff)).rowcount
    return len(old), gone or 0
