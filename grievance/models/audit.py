"""Events: every state change, chained by a keyed hash. The chain head guards against deletion."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from grievance.extensions import db


class Event(db.Model):
    __tablename__ = "events"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_label: Mapped[str] = mapped_column(String(32))  # staff, complainant, monitor, system
    at: Mapped[datetime] = mapped_column(DateTime)
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON; hashed as stored
    # Keyed digest of the case's rows (case, complainant, attachments) just after this event:
    # `flask audit verify` compares each case with the digest of its latest event.
    state_digest: Mapped[str | None] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def chained_fields(self) -> dict:
        """Every stored column that the hash covers (all but prev_hash and hash)."""
        return hashed_fields(
            self.seq,
            self.case_id,
            self.kind,
            self.actor_id,
            self.actor_label,
            self.at,
            self.public,
            self.payload,
            self.state_digest,
        )


def at_text(value: datetime | str) -> str:
    """An event's instant as hashed: 2026-06-01T02:00:00.000000.

    A datetime (the ORM, PostgreSQL) is formatted; SQLite's stored text, read raw by the verifier
    ("2026-06-01 02:00:00.000000", as SQLAlchemy writes it), is the same characters but one.
    """
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value[:10] + "T" + value[11:]
        value = datetime.fromisoformat(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")


def hashed_fields(seq, case_id, kind, actor_id, actor_label, at, public, payload, state) -> dict:
    """The one definition of what an event's hash covers: every stored column but prev_hash and hash."""
    return {
        "seq": seq,
        "case_id": case_id,
        "kind": kind,
        "actor_id": actor_id,
        "actor_label": actor_label,
        "at": at_text(at),
        "public": bool(public),
        "payload": payload,
        "state": state,
    }


class ChainHead(db.Model):
    """The single row recording the last event of the chain (seq and hash)."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
