"""`flask audit checkpoint` (the signed head kept outside the database) and `flask audit rekey` (old databases)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from sqlalchemy import select, text

from grievance.cases import service as cases
from grievance.domain import audit as chain
from grievance.extensions import db as _db
from grievance.models import Event, IdentityView
from grievance.services import audit

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)


def _history(make, n: int = 3):
    officer = make.user("officer", fund="NSAF")
    made = []
    for i in range(n):
        case, _ = make.case("NSAF-CT-MISSING", identity_mode="named", name=f"Sok {i}", now=T0 + timedelta(minutes=i))
        cases.acknowledge(case, officer, "ok", now=T0 + timedelta(hours=1, minutes=i))
        made.append(case)
    _db.session.commit()
    return officer, made


def _lines(path):
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_a_checkpoint_is_signed_appended_and_verifies_only_what_is_new(make, runner, tmp_path):
    officer, made = _history(make)
    path = tmp_path / "cp.jsonl"
    first = runner.invoke(args=["audit", "checkpoint", "--out", str(path)])
    assert first.exit_code == 0, first.output
    assert "(6 new events verified)" in first.output
    cases.add_note(made[0], officer, "more", now=T0 + timedelta(hours=2))
    _db.session.commit()
    second = runner.invoke(args=["audit", "checkpoint", "--out", str(path)])
    assert second.exit_code == 0 and "(1 new events verified)" in second.output
    records = _lines(path)
    assert [r["seq"] for r in records] == [6, 7]
    assert records[1]["hash"] == audit.head()[1]
    assert all(chain.checkpoint_is_genuine(r, audit.keys().checkpoint) for r in records)


def test_the_timer_refuses_to_checkpoint_a_chain_changed_since_the_last_checkpoint(make, runner, tmp_path):
    officer, made = _history(make)
    path = tmp_path / "cp.jsonl"
    assert runner.invoke(args=["audit", "checkpoint", "--out", str(path)]).exit_code == 0
    cases.add_note(made[1], officer, "later", now=T0 + timedelta(hours=3))
    _db.session.commit()
    _db.session.execute(text("UPDATE events SET payload = '{}' WHERE seq = 7"))
    _db.session.commit()
    refused = runner.invoke(args=["audit", "checkpoint", "--out", str(path)])
    assert refused.exit_code == 1 and "REFUSED" in refused.output and "#7" in refused.output
    assert len(_lines(path)) == 1  # nothing written: the previous checkpoint stays the last good head
    # An edit before the checkpoint: the checkpointed event itself no longer matches.
    _db.session.execute(text("UPDATE events SET hash = :h WHERE seq = 6"), {"h": "ab" * 32})
    _db.session.commit()
    refused = runner.invoke(args=["audit", "checkpoint", "--out", str(path)])
    assert refused.exit_code == 1 and "no longer extends checkpoint #6" in refused.output


def test_a_forged_checkpoint_file_is_refused_by_the_timer(make, runner, tmp_path):
    _history(make)
    path = tmp_path / "cp.jsonl"
    assert runner.invoke(args=["audit", "checkpoint", "--out", str(path)]).exit_code == 0
    record = _lines(path)[0]
    path.write_text(json.dumps({**record, "seq": 2}) + "\n")
    refused = runner.invoke(args=["audit", "checkpoint", "--out", str(path)])
    assert refused.exit_code == 1 and "signature does not match" in refused.output


def _make_legacy() -> None:
    """Turn the recorded history into what an old database holds: plain SHA-256, no state digests,
    identity views with no event and no reason."""
    rows = _db.session.execute(select(Event).order_by(Event.seq)).scalars().all()
    prev = chain.GENESIS
    for event in rows:
        event.state_digest = None
        event.prev_hash = prev
        event.hash = chain.legacy_hash(prev, event.chained_fields())
        prev = event.hash
    _db.session.execute(text("UPDATE chain_head SET seq = :s, hash = :h"), {"s": rows[-1].seq, "h": prev})
    _db.session.commit()


def test_rekey_keys_an_old_chain_without_rewriting_it(make, runner, tmp_path):
    officer, made = _history(make)
    _db.session.add(IdentityView(case_id=made[0].id, user_id=officer.id, viewed_at=T0))  # a legacy view
    _db.session.commit()
    _make_legacy()
    old = [(e.seq, e.hash) for e in _db.session.execute(select(Event).order_by(Event.seq)).scalars()]
    before = runner.invoke(args=["audit", "verify"])
    assert before.exit_code == 1 and "run `flask audit rekey`" in before.output

    keyed = runner.invoke(args=["audit", "rekey", "--checkpoint-file", str(tmp_path / "none.jsonl")])
    assert keyed.exit_code == 0, keyed.output
    assert "Chain keyed at event #7 (legacy head #6): 3 case states and 1 identity views recorded" in keyed.output
    after = [(e.seq, e.hash) for e in _db.session.execute(select(Event).order_by(Event.seq)).scalars()]
    assert after[:6] == old  # nothing rewritten
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "keyed with AUDIT_KEY from event #7" in ok.output and "3 cases match their history" in ok.output
    again = runner.invoke(args=["audit", "rekey", "--checkpoint-file", str(tmp_path / "none.jsonl")])
    assert again.exit_code != 0 and "already keyed" in again.output

    # The old events are now covered by the keyed event: rewriting one and rehashing the old rule fails.
    rows = _db.session.execute(select(Event).where(Event.seq <= 6).order_by(Event.seq)).scalars().all()
    rows[2].payload = '{"message":"rewritten"}'
    prev = rows[1].hash
    for event in rows[2:]:
        event.prev_hash = prev
        event.hash = chain.legacy_hash(prev, event.chained_fields())
        prev = event.hash
    _db.session.commit()
    broken = runner.invoke(args=["audit", "verify"])
    assert broken.exit_code == 1 and "event #7 does not link" in broken.output


def test_rekey_refuses_a_chain_that_was_checkpointed(make, runner, tmp_path):
    _history(make)
    path = tmp_path / "cp.jsonl"
    assert runner.invoke(args=["audit", "checkpoint", "--out", str(path)]).exit_code == 0
    _make_legacy()  # an insider rewrote the keyed chain with the old rule: it must not be "rekeyed"
    refused = runner.invoke(args=["audit", "rekey", "--checkpoint-file", str(path)])
    assert refused.exit_code != 0 and "keyed before" in refused.output
    verify = runner.invoke(args=["audit", "verify", "--checkpoint", str(path)])
    assert verify.exit_code == 1 and "checkpoint #6" in verify.output


def test_rekey_refuses_a_broken_old_chain(make, runner, tmp_path):
    _history(make)
    _make_legacy()
    _db.session.execute(text("UPDATE events SET payload = '{}' WHERE seq = 3"))
    _db.session.commit()
    refused = runner.invoke(args=["audit", "rekey", "--checkpoint-file", str(tmp_path / "none.jsonl")])
    assert refused.exit_code != 0 and "does not verify" in refused.output and "#3" in refused.output
