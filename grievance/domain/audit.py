"""The tamper-evident audit chain.

Each event's hash is h_i = SHA-256(h_{i-1} ‖ canonical_json(event_i)), with h_0 the
genesis value. Changing any stored field of any event changes its hash and breaks the
link to the next one; deleting the last event is caught against the recorded head.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def canonical_json(value: Any) -> str:
    """Deterministic JSON: sorted keys, no spaces, UTF-8 text kept as is."""
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    )


def chain_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical_json(dict(fields)).encode("utf-8")).hexdigest()


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


def verify(events: Iterable[StoredEvent], head: tuple[int, str] | None) -> Verdict:
    """Walk events in seq order; the first inconsistency is named."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last: StoredEvent | None = None
    for ev in events:
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
        if chain_hash(prev, ev.fields) != ev.hash:
            return Verdict(
                False,
                checked,
                ev.seq,
                f"event #{ev.seq} was changed after it was recorded",
            )
        prev = ev.hash
        expected_seq += 1
        checked += 1
        last = ev
    if head is None:
        if last is not None:
            return Verdict(False, checked, last.seq, "events exist but no chain head is recorded")
        return Verdict(True, 0)
    head_seq, head_hash = head
    # An empty chain ends at the genesis value, which is what a head of (0, GENESIS) records.
    found, found_hash = (0, GENESIS) if last is None else (last.seq, last.hash)
    if found != head_seq or found_hash != head_hash:
        return Verdict(
            False,
            checked,
            # Deleted: the first missing event. Appended past the head: the first one it does not cover.
            found + 1 if found < head_seq else min(found, head_seq + 1),
            f"the recorded head is event #{head_seq} but the chain ends at #{found} (events deleted or altered)",
        )
    return Verdict(True, checked)
