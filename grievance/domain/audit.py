"""The tamper-evident audit chain, keyed so that only the application can extend it.

Each event's hash is h_i = HMAC-SHA-256(K, h_{i-1} ‖ canonical_json(event_i)), with h_0 the
genesis value and K derived from AUDIT_KEY, a secret configured outside the database. Changing
any stored field of any event changes its hash and breaks the link to the next one; an insider
who can rewrite the database cannot recompute the hashes without K. Deleting the last events
and moving the recorded head to match is caught against a signed checkpoint of the head kept
outside the database (`checkpoint_record`), and each case's state is chained with the event that
produced it (`state_digest`), so a row edited behind the application's back no longer matches.

Chains recorded before the chain was keyed used plain SHA-256 (`legacy_hash`); `flask audit
rekey` appends a keyed "chain_keyed" event whose HMAC covers that legacy head, so the old
events stay as they were yet cannot be rewritten either (see docs/security.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

GENESIS = "0" * 64
# The event that turns an unkeyed (legacy) chain into a keyed one; events before it are legacy.
KEYING_EVENT = "chain_keyed"


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def derive_key(secret: bytes, purpose: str) -> bytes:
    """One key per use of AUDIT_KEY (chain, case states, checkpoints), never the secret itself."""
    return hmac.digest(secret, b"grievance-audit:" + purpose.encode("ascii"), "sha256")


@dataclass(frozen=True)
class Keys:
    """The keys derived from AUDIT_KEY."""

    chain: bytes
    state: bytes
    checkpoint: bytes

    @classmethod
    def from_secret(cls, secret: bytes) -> Keys:
        found = _DERIVED.get(secret)
        if found is None:  # derived once per secret: every appended event asks for them
            found = cls(derive_key(secret, "chain"), derive_key(secret, "state"), derive_key(secret, "checkpoint"))
            if len(_DERIVED) < 16:  # an installation has one (tests a few); never unbounded
                _DERIVED[secret] = found
        return found


_DERIVED: dict[bytes, Keys] = {}


class KeyedHash:
    """HMAC-SHA-256 (RFC 2104) with the key's inner and outer states computed once.

    The same digests as `hmac.digest(key, message, "sha256")` at a third of the cost per
    message: verifying millions of events is mostly this.
    """

    def __init__(self, key: bytes) -> None:
        if len(key) > 64:
            key = hashlib.sha256(key).digest()
        key = key.ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))

    def hex(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


_HASHERS: dict[bytes, KeyedHash] = {}


def keyed(key: bytes) -> KeyedHash:
    hasher = _HASHERS.get(key)
    if hasher is None:
        hasher = _HASHERS[key] = KeyedHash(key)
    return hasher


def chain_hash(prev_hash: str, fields: Mapping[str, Any], key: bytes) -> str:
    """h_i = HMAC-SHA-256(key, h_{i-1} ‖ canonical_json(fields_i))."""
    message = prev_hash.encode("ascii") + canonical_json(dict(fields)).encode("utf-8")
    return keyed(key).hex(message)


def legacy_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The unkeyed rule of chains recorded before the chain was keyed (events had no state digest)."""
    plain = {k: v for k, v in fields.items() if not (k == "state" and v is None)}
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(plain).encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------
# Case state


def _canonical_value(value: Any) -> Any:
    """One spelling per stored value, the same on SQLite and PostgreSQL.

    Values come straight from the driver: SQLite gives timestamps as the text SQLAlchemy stored
    ("2026-06-01 02:00:00.000000") and booleans as 0/1; PostgreSQL gives datetime, date and bool
    objects, written here the same way.
    """
    kind = type(value)
    if kind is str or kind is int:
        return value  # SQLite gives everything but floats as text or integers
    if kind is bool:
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(" ", "microseconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def state_digest(
    key: bytes,
    case: Mapping[str, Any],
    complainant: Mapping[str, Any] | None,
    attachments: Sequence[Mapping[str, Any]] = (),
) -> str:
    """Keyed digest of a case row, its complainant row and its attachment rows, as stored.

    Columns holding NULL are left out, so a nullable column added by a later migration does not
    change the digest of rows that never had a value in it. Keyed, so the digest says nothing
    about the personal data it covers.
    """

    def row(values: Mapping[str, Any]) -> dict:
        return {k: _canonical_value(v) for k, v in values.items() if v is not None}

    document = {
        "case": row(case),
        "complainant": None if complainant is None else row(complainant),
        "attachments": [row(a) for a in attachments],
    }
    return keyed(key).hex(canonical_json(document).encode("utf-8"))


# ---------------------------------------------------------------------------------------
# Verification


@dataclass(frozen=True)
class StoredEvent:
    seq: int
    fields: Mapping[str, Any]  # every stored column except prev_hash and hash
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    bad_seq: int | None = None
    reason: str = ""
    last: tuple[int, str] | None = None  # (seq, hash) of the last event walked


def verify(
    events: Iterable[StoredEvent],
    head: tuple[int, str] | None,
    *,
    key: bytes,
    keyed_from: int | None = None,
    until: int | None = None,
    after: tuple[int, str] = (0, GENESIS),
) -> Verdict:
    """Walk events in seq order; the first inconsistency is named.

    `keyed_from` is the seq of the keying event of a chain that began unkeyed: events before it
    are checked with the legacy rule, it and every later one with the key. None: every event is
    keyed. `until` stops after that event and ignores the head (a scorecard checks the record up
    to the head it printed). `after` starts the walk past an event already trusted (seq, hash),
    e.g. the last checkpoint.
    """
    prev = after[1]
    expected_seq = after[0] + 1
    checked = 0
    last: StoredEvent | None = None
    for ev in events:
        if until is not None and ev.seq > until:
            break
        if ev.seq != expected_seq:
            return Verdict(
                False,
                checked,
                ev.seq,
                f"expected event #{expected_seq}, found #{ev.seq} (missing events)",
            )
        if ev.prev_hash != prev:
            return Verdict(
                False,
                checked,
                ev.seq,
                f"event #{ev.seq} does not link to the event before it",
            )
        legacy = keyed_from is not None and ev.seq < keyed_from
        expected = legacy_hash(prev, ev.fields) if legacy else chain_hash(prev, ev.fields, key)
        if not hmac.compare_digest(expected, ev.hash):
            return Verdict(
                False,
                checked,
                ev.seq,
                f"event #{ev.seq} was changed after it was recorded (its hash does not match: "
                "a rewrite without AUDIT_KEY, or AUDIT_KEY is not the key it was recorded with)",
            )
        prev = ev.hash
        expected_seq += 1
        checked += 1
        last = ev
    found, found_hash = after if last is None else (last.seq, last.hash)
    if until is not None:
        if found < until:
            return Verdict(False, checked, found + 1, f"event #{until} is missing: the chain ends at #{found}")
        return Verdict(True, checked, last=(found, found_hash))
    if head is None:
        if last is not None:
            return Verdict(False, checked, last.seq, "events exist but no chain head is recorded")
        return Verdict(True, 0, last=(found, found_hash))
    head_seq, head_hash = head
    # An empty chain ends at the genesis value, which is what a head of (0, GENESIS) records.
    if found != head_seq or found_hash != head_hash:
        return Verdict(
            False,
            checked,
            # Deleted: the first missing event. Appended past the head: the first one it does not cover.
            found + 1 if found < head_seq else min(found, head_seq + 1),
            f"the recorded head is event #{head_seq} but the chain ends at #{found} (events deleted or altered)",
        )
    return Verdict(True, checked, last=(found, found_hash))


# ---------------------------------------------------------------------------------------
# Checkpoints: the head, signed, kept outside the database


def checkpoint_record(seq: int, head_hash: str, at: str, key: bytes) -> dict:
    """A signed statement "the chain was at event #seq with this hash at this time"."""
    body = {"seq": seq, "hash": head_hash, "at": at}
    return {**body, "mac": hmac.digest(key, canonical_json(body).encode("utf-8"), "sha256").hex()}


def checkpoint_is_genuine(record: Mapping[str, Any], key: bytes) -> bool:
    """Whether a checkpoint was signed with this installation's key and not edited since."""
    try:
        body = {"seq": int(record["seq"]), "hash": str(record["hash"]), "at": str(record["at"])}
        mac = str(record["mac"])
    except (KeyError, TypeError, ValueError):
        return False
    expected = hmac.digest(key, canonical_json(body).encode("utf-8"), "sha256").hex()
    return hmac.compare_digest(expected, mac)
