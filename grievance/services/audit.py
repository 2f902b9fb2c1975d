"""Appending to and verifying the audit chain."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update

from grievance.domain import audit as chain
from grievance.extensions import db
from grievance.models import ChainHead, Event
from grievance.models.timeutil import to_db, utcnow
from grievance.services.dbutil import insert_ignore


class ChainConflict(RuntimeError):
    """Another transaction appended to the chain at the same time; retry the request."""


_HEAD = ChainHead.__table__
# Built once, run on the connection: plain rows (seq, hash), never a stale ORM object, and no
# statement construction or ORM bookkeeping on every append (intake's hottest path).
_LOCK_HEAD = select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update()
_MOVE_HEAD = (
    update(_HEAD)
    .where(_HEAD.c.id == 1, _HEAD.c.seq == bindparam("old_seq"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def _locked_head():
    """The chain head's (seq, hash), locked for this transaction."""
    # FOR UPDATE serialises appends on PostgreSQL; SQLite writers are already serialised
    # by BEGIN IMMEDIATE. The conditional UPDATE below is the last line of defence.
    connection = db.session.connection()
    head = connection.execute(_LOCK_HEAD).first()
    if head is None:  # the very first event: create the head row, then lock it
        insert_ignore(ChainHead, id=1, seq=0, hash=chain.GENESIS)
        head = connection.execute(_LOCK_HEAD).one()
    return head


def append_event(
    kind: str,
    *,
    case=None,
    actor=None,
    actor_label: str = "staff",
    public: bool = False,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event to the chain, linked to the current head; flushes."""
    if case is not None and case.id is None:
        db.session.flush()
    entry = {"kind": kind, "case_id": None if case is None else case.id, "actor": actor}
    entry.update(actor_label=actor_label, public=public, payload=payload, at=at)
    return append_events([entry])[0]


def append_events(entries: list[dict[str, Any]]) -> list[Event]:
    """Append several events, in order, under one lock of the chain head; flushes.

    The same chain as calling append_event for each (each links to the one before), for a
    change that writes many events at once (a closure day moving thousands of cases' dates).
    Each entry has the keyword arguments of append_event, with `case_id` instead of `case`.
    """
    if not entries:
        return []
    head = _locked_head()
    start_seq, prev = head.seq, head.hash
    events = []
    for offset, entry in enumerate(entries, start=1):
        actor = entry.get("actor")
        at = entry.get("at")
        event = Event(
            seq=start_seq + offset,
            case_id=entry.get("case_id"),
            kind=entry["kind"],
            actor_id=None if actor is None else actor.id,
            actor_label=entry.get("actor_label", "staff"),
            at=to_db(at) if at is not None else utcnow(),
            public=bool(entry.get("public", False)),
            payload=chain.canonical_json(entry.get("payload") or {}),
            prev_hash=prev,
        )
        event.hash = prev = chain.chain_hash(prev, event.chained_fields())
        events.append(event)
    moved = db.session.connection().execute(
        _MOVE_HEAD, {"old_seq": start_seq, "new_seq": events[-1].seq, "new_hash": prev}
    )
    if moved.rowcount != 1:
        raise ChainConflict("the audit chain moved during this transaction")
    db.session.add_all(events)
    db.session.flush()
    return events


def _stored_events(batch: int = 20_000) -> Iterator[chain.StoredEvent]:
    """Every stored event in seq order, read in keyset batches (memory stays flat at any size).

    Plain rows, not ORM objects: this verifies what is stored, not what the session happens to
    hold, and it is several times faster on millions of events. Event.chained_fields is applied
    to each row (it reads attributes only), so the hashed fields stay defined in one place.
    """
    table = Event.__table__
    last = 0
    while True:
        query = select(table).where(table.c.seq > last).order_by(table.c.seq).limit(batch)
        rows = db.session.execute(query).all()
        if not rows:
            return
        for row in rows:
            yield chain.StoredEvent(row.seq, Event.chained_fields(row), row.prev_hash, row.hash)
        last = rows[-1].seq


def head() -> tuple[int, str] | None:
    row = db.session.get(ChainHead, 1)
    return None if row is None else (row.seq, row.hash)


def verify_chain() -> chain.Verdict:
    """Recompute every link; the verdict names the first bad event."""
    return chain.verify(_stored_events(), head())


def case_events(case_id: int, *, public_only: bool = False) -> list[Event]:
    query = select(Event).where(Event.case_id == case_id)
    if public_only:
        query = query.where(Event.public.is_(True))
    return list(db.session.execute(query.order_by(Event.seq)).scalars())
