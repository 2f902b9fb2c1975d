"""An insider with the database but not AUDIT_KEY: every way of quietly changing the record is caught.

Each test builds a real history (named, confidential and anonymous cases, staff actions, an
attachment, identity views, an administrator's change), takes a checkpoint (`flask audit
checkpoint`, the file the timer writes outside the database), then attacks the database the
way someone with SQL access would — raw statements, nothing through the app — and runs
`flask audit verify --checkpoint FILE` as the operator would. The verifier must exit 1 and
name what it found. Written before the fixes: on the unkeyed chain without case digests or
checkpoints, truncate-and-move-head, rewrite-and-rehash, case and complainant edits and
deleted identity views all passed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import text

from grievance.cases import service as cases
from grievance.domain import audit as chain
from grievance.extensions import db as _db
from grievance.intake import uploads
from grievance.models import Event
from grievance.services.changes import record_change
from tests.intake.sample_files import jpeg_with_gps

T0 = datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc)


class _File:
    def __init__(self, name: str, data: bytes) -> None:
        import io

        self.filename = name
        self.stream = io.BytesIO(data)


@pytest.fixture()
def history(make, app, tmp_path):
    """A realistic record, committed, and a checkpoint of its head in a file outside the database."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    officer = make.user("officer", fund="NSAF")
    admin = make.user("admin")
    named, _ = make.case(
        "NSAF-CT-MISSING",
        identity_mode="named",
        name="Sok Dara",
        phone="012 345 678",
        programme_number="IDP-2024-0001",
        now=T0,
    )
    confidential, _ = make.case("NSAF-ELIG", identity_mode="confidential", name="Chan Sopheap", now=T0)
    anonymous, _ = make.case("NSAF-CT-AMOUNT", now=T0 + timedelta(minutes=3))
    uploads.save(anonymous, uploads.prepare_all([_File("photo.jpg", jpeg_with_gps())]), app.config["UPLOAD_DIR"])
    cases.acknowledge(named, officer, "We will call you.", now=T0 + timedelta(hours=1))
    cases.record_identity_view(named, officer, reason="contact", now=T0 + timedelta(hours=1, minutes=5))
    cases.acknowledge(confidential, officer, "Received.", now=T0 + timedelta(hours=2))
    cases.start(named, officer, now=T0 + timedelta(hours=3))
    cases.record_identity_view(confidential, officer, reason="verify", now=T0 + timedelta(hours=3, minutes=1))
    record_change(admin, "info_page", 1, {"title_en": "Old"}, {"title_en": "New"}, now=T0 + timedelta(hours=4))
    cases.add_note(anonymous, officer, "Looked at the photo.", now=T0 + timedelta(hours=5))
    _db.session.commit()
    checkpoint = tmp_path / "checkpoints.jsonl"
    runner = app.test_cli_runner()
    made = runner.invoke(args=["audit", "checkpoint", "--out", str(checkpoint)])
    assert made.exit_code == 0, made.output
    ok = runner.invoke(args=["audit", "verify", "--checkpoint", str(checkpoint)])
    assert ok.exit_code == 0, ok.output
    return {
        "named": named.id,
        "confidential": confidential.id,
        "anonymous": anonymous.id,
        "reference": named.reference,
        "checkpoint": checkpoint,
        "runner": runner,
        "officer": officer,
    }


def run_sql(*statements: str, **params) -> None:
    """Raw SQL as an insider would type it; nothing goes through the app's models."""
    _db.session.commit()
    for statement in statements:
        _db.session.execute(text(statement), params)
    _db.session.commit()
    _db.session.expire_all()


def verify(history, *, checkpoint: bool = True):
    args = ["audit", "verify"] + (["--checkpoint", str(history["checkpoint"])] if checkpoint else [])
    result = history["runner"].invoke(args=args)
    return result.exit_code, result.output


def events() -> list[dict]:
    rows = [dict(r._mapping) for r in _db.session.execute(text("SELECT * FROM events ORDER BY seq"))]
    _db.session.commit()
    return rows


def last_seq() -> int:
    return events()[-1]["seq"]


def _fields(row: dict) -> dict:
    class Row:
        pass

    obj = Row()
    for key, value in row.items():
        setattr(obj, key, value)
    if isinstance(obj.at, str):
        obj.at = datetime.fromisoformat(obj.at)
    return Event.chained_fields(obj)


def rehash_from(seq: int, hash_fn) -> None:
    """Recompute every hash from `seq` on with `hash_fn(prev, fields)` and move the head: a full rewrite."""
    rows = events()
    prev = chain.GENESIS if seq == 1 else rows[seq - 2]["hash"]
    for row in rows[seq - 1 :]:
        digest = hash_fn(prev, _fields(row))
        run_sql("UPDATE events SET prev_hash = :p, hash = :h WHERE seq = :s", p=prev, h=digest, s=row["seq"])
        prev = digest
    run_sql("UPDATE chain_head SET seq = :s, hash = :h", s=rows[-1]["seq"], h=prev)


def sha256_rule(prev: str, fields: dict) -> str:
    return hashlib.sha256(prev.encode() + chain.canonical_json(fields).encode()).hexdigest()


def guessed_key_rule(prev: str, fields: dict) -> str:
    # The insider guesses the key: the development default, the test secret, an empty key.
    return hmac.new(b"test-secret-key", prev.encode() + chain.canonical_json(fields).encode(), "sha256").hexdigest()


# --- the attacks ------------------------------------------------------------------------------


def test_altering_an_event_is_named(history):
    run_sql('UPDATE events SET payload = \'{"message":"We never called."}\' WHERE seq = 4')
    code, out = verify(history)
    assert code == 1 and "event #4" in out and "changed after it was recorded" in out


def test_deleting_an_event_is_named(history):
    run_sql("DELETE FROM events WHERE seq = 5")
    code, out = verify(history)
    assert code == 1 and "expected event #5" in out


def test_reordering_two_events_is_named(history):
    rows = events()
    a, b = rows[3], rows[4]
    run_sql(
        "UPDATE events SET seq = -1 WHERE seq = :a",
        "UPDATE events SET seq = :a WHERE seq = :b",
        "UPDATE events SET seq = :b WHERE seq = -1",
        a=a["seq"],
        b=b["seq"],
    )
    code, out = verify(history)
    assert code == 1 and "event #4" in out


def test_truncating_the_tail_and_moving_the_head_is_caught_by_the_checkpoint(history):
    keep = last_seq() - 3
    kept_hash = events()[keep - 1]["hash"]
    run_sql(
        "DELETE FROM identity_views",
        "DELETE FROM events WHERE seq > :keep",
        "UPDATE chain_head SET seq = :keep, hash = :h",
        keep=keep,
        h=kept_hash,
    )
    code, out = verify(history)
    assert code == 1
    assert "checkpoint" in out and f"#{keep + 3}" in out and f"ends at #{keep}" in out


def test_truncation_that_undoes_case_changes_is_caught_even_without_the_checkpoint(history):
    # The last event is the note on the anonymous case; the one before is the admin change; the
    # start of the named case (its status moved to in_progress) comes just before them.
    rows = events()
    start = next(r for r in rows if r["kind"] == "start")
    run_sql(
        "DELETE FROM identity_views WHERE id > 1",
        "DELETE FROM events WHERE seq >= :s",
        "UPDATE chain_head SET seq = :k, hash = :h",
        s=start["seq"],
        k=start["seq"] - 1,
        h=rows[start["seq"] - 2]["hash"],
    )
    code, out = verify(history, checkpoint=False)
    assert code == 1 and history["reference"] in out and "does not match its history" in out


@pytest.mark.parametrize("rule", [sha256_rule, guessed_key_rule], ids=["plain-sha256", "guessed-key"])
def test_rewriting_an_event_and_rehashing_the_rest_without_the_key_is_named(history, rule):
    run_sql('UPDATE events SET payload = \'{"message":"Nothing was received."}\' WHERE seq = 4')
    rehash_from(4, rule)
    code, out = verify(history, checkpoint=False)  # even without the checkpoint: the key is what they lack
    assert code == 1 and "event #4" in out and "changed after it was recorded" in out


def test_editing_a_case_row_is_named(history):
    run_sql("UPDATE cases SET status = 'closed', outcome = 'remedied' WHERE id = :i", i=history["named"])
    code, out = verify(history)
    assert code == 1 and history["reference"] in out and "does not match its history" in out


def test_editing_a_case_description_is_named(history):
    run_sql("UPDATE cases SET description = 'Nothing to see here.' WHERE id = :i", i=history["anonymous"])
    code, out = verify(history)
    assert code == 1 and "does not match its history" in out


def test_editing_or_deleting_a_complainant_row_is_named(history):
    run_sql("UPDATE complainants SET phone = '099 999 999' WHERE case_id = :i", i=history["named"])
    code, out = verify(history)
    assert code == 1 and history["reference"] in out and "does not match its history" in out
    run_sql("DELETE FROM complainants WHERE case_id = :i", i=history["confidential"])
    code, out = verify(history)
    assert code == 1 and out.count("does not match its history") == 2


def test_deleting_an_attachment_row_is_named(history):
    run_sql("DELETE FROM attachments WHERE case_id = :i", i=history["anonymous"])
    code, out = verify(history)
    assert code == 1 and "does not match its history" in out


def test_a_case_inserted_outside_the_record_is_named(history):
    run_sql(
        "INSERT INTO cases (reference, year, number, tracking_hash, version, category_id, fund_id, channel, "
        "status, sla_state, identity_mode, language, description, people_affected, received_at, ack_due_at, "
        "ack_warn_at, resolve_due_at, resolve_warn_at, reopen_count, transfer_count, paused_seconds, "
        "extended_days, created_at) SELECT 'GRV-2026-999999', 2026, 999999, 'f00d', 1, category_id, fund_id, "
        "channel, 'resolved', sla_state, identity_mode, language, 'forged', 1, received_at, ack_due_at, "
        "ack_warn_at, resolve_due_at, resolve_warn_at, 0, 0, 0, 0, created_at FROM cases WHERE id = :i",
        i=history["named"],
    )
    code, out = verify(history)
    assert code == 1 and "GRV-2026-999999" in out and "no recorded history" in out


def test_deleting_identity_views_is_named(history):
    run_sql("DELETE FROM identity_views")
    code, out = verify(history)
    assert code == 1 and "identity view" in out and "missing" in out


def test_deleting_an_identity_view_with_its_event_is_named(history):
    view = next(r for r in events() if r["kind"] == "identity_view")
    run_sql("DELETE FROM identity_views WHERE id = 1", "DELETE FROM events WHERE seq = :s", s=view["seq"])
    code, out = verify(history)
    assert code == 1 and f"expected event #{view['seq']}" in out


def test_an_identity_view_row_added_outside_the_record_is_named(history):
    run_sql(
        "INSERT INTO identity_views (case_id, user_id, viewed_at, reason, output) "
        "SELECT case_id, user_id, viewed_at, reason, output FROM identity_views WHERE id = 1"
    )
    code, out = verify(history)
    assert code == 1 and "identity view" in out and "not in the audit chain" in out


def test_a_forged_checkpoint_is_refused(history):
    path = history["checkpoint"]
    record = json.loads(path.read_text().splitlines()[-1])
    record["seq"] -= 2  # pretend the head was earlier, to cover a truncation
    path.write_text(json.dumps(record) + "\n")
    code, out = verify(history)
    assert code == 1 and "checkpoint" in out and "signature" in out


def test_deleting_the_head_row_is_named(history):
    run_sql("DELETE FROM chain_head")
    code, out = verify(history)
    assert code == 1 and "no chain head" in out


def test_the_untouched_record_verifies_and_says_what_it_checked(history):
    code, out = verify(history)
    assert code == 0, out
    assert f"{last_seq()} events" in out and "3 cases" in out and "2 identity views" in out
    assert "checkpoint" in out
