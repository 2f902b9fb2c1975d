"""Keying a chain that was recorded before AUDIT_KEY existed (`flask audit rekey`, once per database).

Nothing is rewritten: the old events keep their plain SHA-256 hashes, and a keyed
"chain_keyed" event is appended whose HMAC covers the old head, so rewriting any old event (and
rehashing the rest without the key) breaks the link into that event. Then one "state_recorded"
event per case records its rows as they are now, and one "identity_view" event per identity view
recorded so far, so `flask audit verify` can check both from here on. Those baselines trust the
database as it is when the command runs: run it right after the old chain verified, from a
database you trust (see docs/security.md).
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from grievance.domain import audit as chain
from grievance.extensions import db
from grievance.models import Case, Event, IdentityView
from grievance.services import audit
from grievance.services.identity import view_payload


class RekeyRefused(RuntimeError):
    """The chain is already keyed, broken, or has been checkpointed: nothing was done."""


def is_legacy() -> bool:
    """Whether the chain is unkeyed: it has events, no keying event, and its first event follows the old rule."""
    if audit.keyed_from() is not None:
        return False
    first = next(iter(audit._stored_events()), None)  # noqa: SLF001 - the same reader as verify
    if first is None:
        return False
    stored = first[0]
    return chain.legacy_hash(stored.prev_hash, stored.fields) == stored.hash


def key_legacy_chain(checkpoint_file: Path, *, progress=None) -> dict:
    """Append the keying event and the baselines; the caller commits. Raises RekeyRefused."""
    if checkpoint_file.exists() and checkpoint_file.stat().st_size:
        # A checkpointed chain was keyed already: if it now looks unkeyed, it was rewritten.
        raise RekeyRefused(
            f"{checkpoint_file} holds checkpoints: this chain was keyed before. If it now fails to verify "
            "it was changed — restore a backup; do not rekey."
        )
    if not is_legacy():
        raise RekeyRefused("nothing to do: the chain is already keyed (or empty)")
    head = audit.head()
    events = (stored for stored, _row in audit._stored_events())  # noqa: SLF001
    verdict = chain.verify(events, head, key=b"", keyed_from=(head[0] + 1) if head else None)
    if not verdict.ok:
        raise RekeyRefused(f"the old chain does not verify, so it cannot be keyed: {verdict.reason}")
    keying = audit.append_event(
        chain.KEYING_EVENT,
        actor_label="system",
        payload={"legacy_head": {"seq": head[0], "hash": head[1]}, "rule": "HMAC-SHA-256 under AUDIT_KEY"},
    )
    cases = 0
    for case_id in db.session.execute(select(Case.id).order_by(Case.id)).scalars().all():
        audit.append_event("state_recorded", case_id=case_id, actor_label="system", payload={"why": "chain keyed"})
        cases += 1
        if progress and cases % 10_000 == 0:
            progress(f"{cases:,} case states recorded")
    recorded = {
        json.loads(p).get("view_id")
        for p in db.session.execute(select(Event.payload).where(Event.kind == "identity_view")).scalars()
    }
    views = 0
    for view in db.session.execute(select(IdentityView).order_by(IdentityView.id)).scalars().all():
        if view.id in recorded:
            continue
        audit.append_event(
            "identity_view",
            case_id=view.case_id,
            actor=_Actor(view.user_id),
            actor_label="staff",
            at=None,
            payload=view_payload(view, recorded_late=True),
        )
        views += 1
    return {"keyed_at": keying.seq, "legacy_seq": head[0], "cases": cases, "views": views}


class _Actor:
    def __init__(self, user_id: int) -> None:
        self.id = user_id
