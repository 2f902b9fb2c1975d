"""The hash chain: h_i = SHA-256(h_(i-1) || canonical_json(event_i)); verify names the first bad event."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import pytest

from grievance.domain.audit import GENESIS, StoredEvent, canonical_json, chain_hash, verify


def build_chain(n: int) -> list[StoredEvent]:
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
        }
        digest = chain_hash(prev, fields)
        events.append(StoredEvent(seq, fields, prev, digest))
        prev = digest
    return events


def head_of(events: list[StoredEvent]) -> tuple[int, str]:
    return events[-1].seq, events[-1].hash


def test_hash_is_sha256_of_previous_hash_and_canonical_json():
    fields = {"seq": 1, "kind": "received", "payload": "{}", "public": True}
    expected = hashlib.sha256(
        (GENESIS + '{"kind":"received","payload":"{}","public":true,"seq":1}').encode("utf-8")
    ).hexdigest()
    assert chain_hash(GENESIS, fields) == expected


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
    events[2] = replace(victim, fields=fields, hash=chain_hash(victim.prev_hash, fields))
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
