"""Duplicates without exposure (issue 16 item 5).

Programme numbers (IDPoor, NSSF, Health Equity Fund cards) are stored with the complainant and,
beside them, as a keyed hash (`programme_hash`, written at intake), so complaints about the same
household can be matched without the number being shown, searched or copied: the case page says
"2 other open complaints with the same programme number" only to those who may see the
complainant (`disclosure.can_see_identity`), and only among cases they may open.

An officer marks a case as a duplicate of another (`mark_duplicate`): the duplicate is finished as a
rejection is (a non-public `reject` event carrying the status change, so every figure that replays
resolve/reject events sees it answered), with a public `duplicate` event telling its complainant
which complaint answers it; the original gets a `duplicate_linked` event and keeps its clocks.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update

from grievance.cases import permissions
from grievance.domain.workflow import OPEN_STATUS_VALUES, Action, Status, TransitionRefused
from grievance.extensions import db
from grievance.models import Case, Complainant, Event, User
from grievance.models.timeutil import to_db
from grievance.services import audit, disclosure
from grievance.services.permits import require

SHOWN = 20  # links listed on the case page; the count is exact
_KHMER_DIGITS = str.maketrans("០១២៣៤៥៦៧៨៩", "0123456789")


def normal_programme_number(number: str | None) -> str | None:
    """The number as matched: Khmer digits as ASCII, letters upper-case, no spaces, dashes, dots or slashes."""
    if not number:
        return None
    text = unicodedata.normalize("NFKC", number).translate(_KHMER_DIGITS).upper()
    kept = "".join(ch for ch in text if ch.isalnum())
    return kept or None


def programme_hash(number: str | None) -> str | None:
    """The keyed hash stored for matching (the app's secret, its own purpose)."""
    from grievance.security import keyed_hash

    normal = normal_programme_number(number)
    return None if normal is None else keyed_hash("programme-number", normal)


@dataclass(frozen=True)
class SameProgramme:
    count: int
    cases: list[tuple[int, str]]  # (id, reference) of the first SHOWN


def same_programme(user: User, case: Case) -> SameProgramme | None:
    """Other open complaints with this complainant's programme number that `user` may open.

    None for anyone who may not see the complainant: even the existence of a match is identity.
    """
    if not disclosure.can_see_identity(user, case):
        return None
    mine = db.session.execute(select(Complainant.programme_hash).where(Complainant.case_id == case.id)).scalar()
    if mine is None:
        return None
    query = (
        permissions.visible_cases(user)
        .join(Complainant, Complainant.case_id == Case.id)
        .where(Complainant.programme_hash == mine, Case.id != case.id, Case.status.in_(OPEN_STATUS_VALUES))
    )
    count = db.session.execute(query.with_only_columns(func.count(Case.id)).order_by(None)).scalar() or 0
    rows = db.session.execute(query.with_only_columns(Case.id, Case.reference).order_by(Case.id).limit(SHOWN)).all()
    return SameProgramme(count, [(r.id, r.reference) for r in rows])


def original_of(case: Case) -> str | None:
    """The reference of the complaint this one was marked a duplicate of (the latest marking)."""
    payload = db.session.execute(
        select(Event.payload)
        .where(Event.case_id == case.id, Event.kind == "duplicate")
        .order_by(Event.seq.desc())
        .limit(1)
    ).scalar()
    return None if payload is None else json.loads(payload).get("original")


def find_original(user: User, reference: str) -> Case | None:
    """The case with this reference, if `user` may open it."""
    ref = (reference or "").strip().upper()
    return db.session.execute(permissions.visible_cases(user).where(Case.reference == ref)).scalar_one_or_none()


def mark_duplicate(
    case: Case,
    actor: User,
    original: Case,
    reason: str,
    *,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> None:
    """Finish `case` as a duplicate of `original`; the original keeps its clocks."""
    from grievance.cases import service as svc
    from grievance.monitoring import notify as monitoring_notify
    from grievance.notifications import outbox

    svc._require_handler(case, actor, Action.MARK_DUPLICATE.value)
    now = now or datetime.now(timezone.utc)
    status = Status(case.status)
    require(permissions.can_view(actor, original), "mark a duplicate of a case", actor, hidden=True)
    if original.id == case.id:
        raise TransitionRefused(Action.MARK_DUPLICATE, status, "a case cannot be a duplicate of itself")
    if original.status == Status.CLOSED:
        raise TransitionRefused(Action.MARK_DUPLICATE, status, "the original is closed: it cannot answer this one")
    if original_of(original) == case.reference:
        raise TransitionRefused(Action.MARK_DUPLICATE, status, "that case is already a duplicate of this one")
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused(Action.MARK_DUPLICATE, status, "say why the two complaints are the same")
    svc._refuse_during_appeal(case, Action.MARK_DUPLICATE)
    values = {"finished_at": to_db(now)}
    if case.first_resolved_at is None:
        values["first_resolved_at"] = to_db(now)
    values.update(svc._public_update_values(case, now, Status.REJECTED))
    svc._transition(
        case,
        Action.REJECT,
        actor,
        expected_version=expected_version,
        now=now,
        public=False,
        payload={"message": reason, "duplicate_of": original.reference},
        values=values,
    )
    event = audit.append_event(
        "duplicate",
        case=case,
        actor=actor,
        actor_label="staff",
        public=True,
        at=now,
        payload={"original": original.reference, "fund": original.fund.code},
    )
    audit.append_event(
        "duplicate_linked",
        case=original,
        actor=actor,
        actor_label="staff",
        at=now,
        payload={"duplicate": case.reference, "reason": reason},
    )
    outbox.notify_complainant(case, "duplicate", event.seq)
    monitoring_notify.notify_followers(case, "duplicate", event.seq)


def key_programme_numbers(*, batch: int = 1000, progress=None) -> int:
    """Give every stored programme number its keyed hash (rows written before migration 0024d).

    Each case changed gets a `state_recorded` event, so its new state is on the record and
    `flask audit verify` stays clean. Commits per batch; safe to run again (it skips keyed rows).
    """
    done = 0
    while True:
        rows = db.session.execute(
            select(Complainant.id, Complainant.case_id, Complainant.programme_number)
            .where(Complainant.programme_number.is_not(None), Complainant.programme_hash.is_(None))
            .order_by(Complainant.id)
            .limit(batch)
        ).all()
        keyed = [(row, programme_hash(row.programme_number)) for row in rows]
        keyed = [(row, digest) for row, digest in keyed if digest is not None]
        if not keyed:
            break
        for row, digest in keyed:
            db.session.execute(update(Complainant).where(Complainant.id == row.id).values(programme_hash=digest))
            audit.append_event(
                "state_recorded", case_id=row.case_id, actor_label="system", payload={"why": "programme number keyed"}
            )
        db.session.commit()
        done += len(keyed)
        if progress:
            progress(f"{done:,} programme numbers keyed")
        if len(keyed) < len(rows):  # numbers with nothing to key (only spaces): leave them, stop looping
            break
    return done
