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
        return {
            "seq": self.seq,
            "case_id": self.case_id,
            "kind": self.kind,
            "actor_id": self.actor_id,
            "actor_label": self.actor_label,
            "at": self.at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
            "public": bool(self.public),
            "payload": self.payload,
            "state": self.state_digest,
        }


class ChainHead(db.Model):
    """The single row recording the last event of the chain (seq and hash)."""

    __tablename__ = "chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer, default=0)
    hash: Mapped[str] = mapped_column(String(64))
