"""The keyed chain: h_i = HMAC-SHA-256(K, h_(i-1) || canonical_json(event_i)); verify names the first bad event."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import replace
from datetime import date, datetime

import pytest

from grievance.domain.audit import (
    GENESIS,
    Keys,
    StoredEvent,
    canonical_json,
    chain_hash,
    checkpoint_is_genuine,
    checkpoint_record,
    legacy_hash,
    state_digest,
)
from grievance.domain.audit import verify as _verify

KEY = Keys.from_secret(b"a key kept outside the database").chain


def verify(events, head, **kwargs):
    return _verify(events, head, key=KEY, **kwargs)


def build_chain(n: int, *, legacy_until: int = 0) -> list[StoredEvent]:
    """n events; those with seq <= legacy_until hashed with the old unkeyed rule."""
    events, prev = [], GENESIS
    for seq in range(1, n + 1):
        fields = {
            "seq": seq,
            "case_id": 100 + seq % 3,
            "kind": "note" if seq % 2 else "public_update",
            "actor_id": seq,
            "actor_label": "staff",
            "at": f"2026-04-{seq:02d}T08:00:00.000000",
            "public": bool(seq % 2),
            "payload": canonical_json({"message": f"ការជូនដំណឹង {seq}"}),
            "state": None if seq <= legacy_until else f"{seq:064x}",
        }
        digest = legacy_hash(prev, fields) if seq <= legacy_until else chain_hash(prev, fields, KEY)
        events.append(StoredEvent(seq, fields, prev, digest))
        prev = digest
    return events


def head_of(events: list[StoredEvent]) -> tuple[int, str]:
    return events[-1].seq, events[-1].hash


def test_hash_is_hmac_sha256_of_previous_hash_and_canonical_json():
    fields = {"seq": 1, "kind": "received", "payload": "{}", "public": True}
    message = (GENESIS + '{"kind":"received","payload":"{}","public":true,"seq":1}').encode("utf-8")
    assert chain_hash(GENESIS, fields, KEY) == hmac.new(KEY, message, hashlib.sha256).hexdigest()
    assert legacy_hash(GENESIS, fields) == hashlib.sha256(message).hexdigest()
    assert chain_hash(GENESIS, fields, b"another key") != chain_hash(GENESIS, fields, KEY)


def test_canonical_json_is_independent_of_key_order_and_keeps_khmer():
    assert canonical_json({"b": 1, "a": "ខ្មែរ"}) == canonical_json({"a": "ខ្មែរ", "b": 1}) == '{"a":"ខ្មែរ","b":1}'
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_intact_chain_verifies():
    events = build_chain(12)
    verdict = verify(events, head_of(events))
    assert verdict.ok and verdict.checked == 12 and verdict.bad_seq is None


def test_empty_chain_verifies():
    assert verify([], None).ok


def test_empty_chain_with_a_genesis_head_verifies():
    assert verify([], (0, GENESIS)).ok


@pytest.mark.parametrize("field", ["case_id", "kind", "actor_id", "actor_label", "at", "public", "payload"])
@pytest.mark.parametrize("victim", [1, 5, 12])
def test_changing_any_hashed_field_is_caught_at_that_event(field, victim):
    events = build_chain(12)
    original = events[victim - 1]
    changed = {
        "case_id": original.fields["case_id"] + 1,
        "kind": "resolve",
        "actor_id": None,
        "actor_label": "system",
        "at": "2026-04-01T08:00:00.000001",
        "public": not original.fields["public"],
        "payload": canonical_json({"message": "nothing happened"}),
    }[field]
    events[victim - 1] = replace(original, fields={**original.fields, field: changed})
    verdict = verify(events, head_of(build_chain(12)))
    assert not verdict.ok
    assert verdict.bad_seq == victim
    assert f"#{victim}" in verdict.reason
    assert verdict.checked == victim - 1


@pytest.mark.parametrize("victim", [1, 6, 12])
def test_changing_prev_hash_is_caught_at_that_event(victim):
    events = build_chain(12)
    events[victim - 1] = replace(events[victim - 1], prev_hash="f" * 64)
    verdict = verify(events, head_of(build_chain(12)))
    assert (verdict.ok, verdict.bad_seq) == (False, victim)
    assert "does not link" in verdict.reason


@pytest.mark.parametrize("victim", [1, 6, 12])
def test_changing_hash_is_caught_at_that_event(victim):
    events = build_chain(12)
    events[victim - 1] = replace(events[victim - 1], hash="0" * 63 + "1")
    verdict = verify(events, head_of(build_chain(12)))
    assert (verdict.ok, verdict.bad_seq) == (False, victim)


def test_recomputed_hash_after_a_change_breaks_the_next_link():
    events = build_chain(6)
    victim = events[2]
    fields = {**victim.fields, "payload": canonical_json({"message": "rewritten"})}
    events[2] = replace(victim, fields=fields, hash=chain_hash(victim.prev_hash, fields, KEY))
    verdict = verify(events, head_of(build_chain(6)))
    assert (verdict.ok, verdict.bad_seq) == (False, 4)


def test_deleting_the_last_event_is_caught_against_the_head():
    events = build_chain(8)
    head = head_of(events)
    verdict = verify(events[:-1], head)
    assert not verdict.ok
    assert verdict.bad_seq == 8
    assert "#8" in verdict.reason and "#7" in verdict.reason


def test_deleting_every_event_is_caught_against_the_head():
    events = build_chain(3)
    verdict = verify([], head_of(events))
    assert (verdict.ok, verdict.bad_seq) == (False, 1)


def test_deleting_a_middle_event_is_caught():
    events = build_chain(8)
    verdict = verify(events[:4] + events[5:], head_of(events))
    assert not verdict.ok
    assert verdict.bad_seq == 6
    assert "expected event #5" in verdict.reason


def test_events_without_a_recorded_head_are_refused():
    events = build_chain(2)
    verdict = verify(events, None)
    assert (verdict.ok, verdict.bad_seq) == (False, 2)


def test_head_pointing_past_the_end_or_at_another_hash_is_refused():
    events = build_chain(4)
    assert verify(events, (5, "a" * 64)).bad_seq == 5
    assert verify(events, (4, "a" * 64)).bad_seq == 4


def test_events_appended_without_moving_the_head_are_named():
    events = build_chain(6)
    verdict = verify(events, (4, events[3].hash))
    assert (verdict.ok, verdict.bad_seq) == (False, 5)
    assert "head is event #4" in verdict.reason and "ends at #6" in verdict.reason


def test_canonical_payload_string_differs_from_its_reformatting():
    events = build_chain(2)
    loose = json.dumps(json.loads(events[0].fields["payload"]), indent=1)
    events[0] = replace(events[0], fields={**events[0].fields, "payload": loose})
    assert verify(events, head_of(build_chain(2))).bad_seq == 1


def _rehash(events: list[StoredEvent], start: int, rule) -> list[StoredEvent]:
    out = events[: start - 1]
    prev = out[-1].hash if out else GENESIS
    for ev in events[start - 1 :]:
        digest = rule(prev, ev.fields)
        out.append(replace(ev, prev_hash=prev, hash=digest))
        prev = digest
    return out


@pytest.mark.parametrize(
    "rule",
    [legacy_hash, lambda p, f: chain_hash(p, f, b""), lambda p, f: chain_hash(p, f, b"test-secret-key")],
    ids=["plain-sha256", "empty-key", "guessed-key"],
)
def test_a_full_rewrite_without_the_key_fails_at_the_first_rewritten_event(rule):
    events = build_chain(10)
    fields = {**events[4].fields, "payload": canonical_json({"message": "rewritten"})}
    events[4] = replace(events[4], fields=fields)
    forged = _rehash(events, 5, rule)
    verdict = verify(forged, (10, forged[-1].hash))
    assert (verdict.ok, verdict.bad_seq) == (False, 5)
    assert "changed after it was recorded" in verdict.reason


def test_a_legacy_prefix_verifies_with_the_old_rule_up_to_the_keying_event():
    events = build_chain(9, legacy_until=4)
    assert verify(events, (9, events[-1].hash), keyed_from=5).ok
    # Without knowing where keying happened the old events fail the keyed rule.
    assert verify(events, (9, events[-1].hash)).bad_seq == 1


def test_rewriting_the_legacy_prefix_and_rehashing_it_breaks_the_keyed_event_after_it():
    events = build_chain(9, legacy_until=4)
    fields = {**events[1].fields, "payload": canonical_json({"message": "rewritten"})}
    events[1] = replace(events[1], fields=fields)
    forged = _rehash(events[:4], 2, legacy_hash) + events[4:]
    verdict = verify(forged, (9, forged[-1].hash), keyed_from=5)
    assert (verdict.ok, verdict.bad_seq) == (False, 5)
    assert "does not link" in verdict.reason


def test_a_keyed_event_passed_off_as_legacy_is_refused():
    events = build_chain(6, legacy_until=3)
    # The insider claims the keying happened later so that event 4 is checked with the old rule.
    forged = _rehash(events, 4, legacy_hash)
    assert verify(forged, (6, forged[-1].hash), keyed_from=4).bad_seq == 4


def test_walking_from_a_trusted_event_and_up_to_a_printed_head():
    events = build_chain(8)
    assert verify(events[3:], (8, events[-1].hash), after=(3, events[2].hash)).ok
    assert verify(events[3:], (8, events[-1].hash), after=(3, "a" * 64)).bad_seq == 4
    upto = verify(events, None, until=5)
    assert upto.ok and upto.last == (5, events[4].hash) and upto.checked == 5
    assert verify(events[:3], None, until=5).bad_seq == 4


def test_checkpoints_are_signed_and_an_edit_is_noticed():
    key = Keys.from_secret(b"k").checkpoint
    record = checkpoint_record(12, "ab" * 32, "2026-11-21T10:05:00Z", key)
    assert checkpoint_is_genuine(record, key)
    assert not checkpoint_is_genuine({**record, "seq": 10}, key)
    assert not checkpoint_is_genuine(record, Keys.from_secret(b"other").checkpoint)
    assert not checkpoint_is_genuine({"seq": "x"}, key)


def test_state_digest_is_keyed_backend_independent_and_ignores_null_columns():
    key = Keys.from_secret(b"k").state
    sqlite_row = {"id": 1, "status": "received", "received_at": "2026-06-01 02:00:00.000000", "idpoor": 1}
    pg_row = {"id": 1, "status": "received", "received_at": datetime(2026, 6, 1, 2, 0), "idpoor": True}
    assert state_digest(key, sqlite_row, None) == state_digest(key, pg_row, None)
    assert state_digest(key, {**pg_row, "new_column": None}, None) == state_digest(key, pg_row, None)
    assert state_digest(key, {**pg_row, "status": "closed"}, None) != state_digest(key, pg_row, None)
    person = {"id": 3, "name": "Sok Dara", "phone": "012 345 678"}
    assert state_digest(key, pg_row, person) != state_digest(key, pg_row, {**person, "phone": "099"})
    assert state_digest(key, pg_row, None, [{"id": 1, "sha256": "x"}]) != state_digest(key, pg_row, None)
    assert state_digest(key, {"d": date(2026, 1, 2)}, None) == state_digest(key, {"d": "2026-01-02"}, None)
    assert state_digest(Keys.from_secret(b"other").state, pg_row, None) != state_digest(key, pg_row, None)
