"""The stored audit chain: tampering with any column is caught and named, also by `flask audit verify`."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, select, text, update

from config import TestConfig
from grievance import create_app
from grievance.cases import service
from grievance.domain import audit as chain
from grievance.extensions import db as _db
from grievance.models import Case, ChainHead, Event
from grievance.seed import seed_reference
from grievance.services import audit
from tests.factories import Factory

PP = ZoneInfo("Asia/Phnom_Penh")
RECEIVED = datetime(2026, 6, 1, 9, 0, tzinfo=PP)


def some_history(make, db) -> tuple[Case, Case, object]:
    """Two cases and a few staff actions: 6 events, seq 1..6."""
    officer = make.user("officer", fund="NSAF")
    first, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)  # 1
    second, _ = make.case("NSAF-ELIG", now=RECEIVED + timedelta(minutes=5))  # 2
    service.acknowledge(first, officer, "ទទួលបាន", now=RECEIVED + timedelta(hours=1))  # 3
    service.add_note(first, officer, "internal", now=RECEIVED + timedelta(hours=2))  # 4
    service.acknowledge(second, officer, "ok", now=RECEIVED + timedelta(hours=3))  # 5
    service.start(first, officer, now=RECEIVED + timedelta(hours=4))  # 6
    db.session.commit()
    return first, second, officer


def seqs(db) -> list[int]:
    return list(db.session.execute(select(Event.seq).order_by(Event.seq)).scalars())


def test_chain_of_real_actions_verifies_and_is_gap_free(make, db):
    some_history(make, db)
    verdict = audit.verify_chain()
    assert verdict.ok and verdict.checked == 6
    assert seqs(db) == [1, 2, 3, 4, 5, 6]
    last = db.session.execute(select(Event).where(Event.seq == 6)).scalar_one()
    assert audit.head() == (6, last.hash)
    assert last.prev_hash == db.session.execute(select(Event.hash).where(Event.seq == 5)).scalar_one()


def test_empty_database_verifies(db):
    assert audit.verify_chain().ok


def _tampered_value(column: str, event: Event, other_case: Case, other_user_id: int):
    return {
        "case_id": other_case.id,
        "kind": "resolve",
        "actor_id": other_user_id,
        "actor_label": "system",
        "at": event.at + timedelta(microseconds=1),
        "public": not event.public,
        "payload": '{"message":"nothing to see"}',
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
    }[column]


COLUMNS = ["case_id", "kind", "actor_id", "actor_label", "at", "public", "payload", "prev_hash", "hash"]


@pytest.mark.parametrize("column", COLUMNS)
@pytest.mark.parametrize("victim", [1, 3, 6])
def test_changing_any_stored_field_names_that_event(make, db, column, victim):
    first, second, officer = some_history(make, db)
    other_user = make.user("supervisor", fund="NSAF")
    event = db.session.execute(select(Event).where(Event.seq == victim)).scalar_one()
    other_case = second if event.case_id == first.id else first
    value = _tampered_value(column, event, other_case, other_user.id)
    assert value != getattr(event, column)
    db.session.execute(update(Event).where(Event.seq == victim).values({column: value}))
    db.session.commit()

    verdict = audit.verify_chain()
    assert not verdict.ok
    assert verdict.bad_seq == victim
    assert f"#{victim}" in verdict.reason


def test_deleting_the_last_event_is_detected_against_the_head(make, db):
    some_history(make, db)
    db.session.execute(delete(Event).where(Event.seq == 6))
    db.session.commit()
    verdict = audit.verify_chain()
    assert not verdict.ok
    assert verdict.bad_seq == 6
    assert "head is event #6" in verdict.reason


def test_deleting_a_middle_event_is_detected(make, db):
    some_history(make, db)
    db.session.execute(delete(Event).where(Event.seq == 4))
    db.session.commit()
    verdict = audit.verify_chain()
    assert not verdict.ok
    assert "expected event #4" in verdict.reason


def test_forged_event_appended_without_moving_the_head_is_named(make, db, runner):
    some_history(make, db)
    last = db.session.execute(select(Event).where(Event.seq == 6)).scalar_one()
    forged = Event(
        seq=7,
        case_id=last.case_id,
        kind="resolve",
        actor_id=None,
        actor_label="staff",
        at=last.at + timedelta(hours=1),
        public=True,
        payload='{"message":"resolved"}',
        prev_hash=last.hash,
    )
    forged.hash = chain.chain_hash(last.hash, forged.chained_fields(), audit.keys().chain)
    db.session.add(forged)
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "BROKEN at event #7" in result.output


def test_deleting_the_head_row_is_detected(make, db):
    some_history(make, db)
    db.session.execute(delete(ChainHead))
    db.session.commit()
    assert not audit.verify_chain().ok


def test_verify_reads_what_is_stored_not_what_the_session_remembers(make, db):
    some_history(make, db)
    loaded = db.session.get(Event, 3)
    assert loaded.kind == "acknowledge"
    db.session.execute(text("UPDATE events SET kind = 'note' WHERE seq = 3"))
    verdict = audit.verify_chain()
    assert (verdict.ok, verdict.bad_seq) == (False, 3)


def test_verifying_leaves_the_callers_objects_attached(make, db):
    first, _second, _ = some_history(make, db)
    case = db.session.get(Case, first.id)
    assert audit.verify_chain().ok
    case.office = "Kampong Cham office"
    db.session.commit()
    stored = db.session.execute(select(Case.office).where(Case.id == first.id)).scalar_one()
    assert stored == "Kampong Cham office"


def test_verify_reads_the_chain_in_batches_without_skipping_or_repeating(make, db):
    some_history(make, db)
    key = audit.keys().chain

    def stored(batch):
        return (event for event, _row in audit._stored_events(batch=batch))

    assert [e.seq for e in stored(4)] == [1, 2, 3, 4, 5, 6]
    assert chain.verify(stored(1), audit.head(), key=key) == chain.Verdict(True, 6, last=audit.head())
    db.session.execute(text("UPDATE events SET payload = '{}' WHERE seq = 5"))
    verdict = chain.verify(stored(2), audit.head(), key=key)
    assert (verdict.ok, verdict.bad_seq, verdict.checked) == (False, 5, 4)


def test_case_events_lists_a_case_history_in_order(make, db):
    first, _second, _ = some_history(make, db)
    kinds = [e.kind for e in audit.case_events(first.id)]
    assert kinds == ["received", "acknowledge", "note", "start"]
    assert [e.kind for e in audit.case_events(first.id, public_only=True)] == ["received", "acknowledge"]


# --- flask --app wsgi audit verify ---------------------------------------------------------


def test_cli_verify_exits_0_on_good_data(make, db, runner):
    some_history(make, db)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit record OK: 6 events verified (keyed with AUDIT_KEY); 2 cases match their history" in result.output


def test_cli_verify_exits_1_naming_the_event_after_sql_update(make, db, runner):
    some_history(make, db)
    db.session.execute(text('UPDATE events SET payload = \'{"message":"forged"}\' WHERE seq = 4'))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "chain BROKEN at event #4" in result.output


def test_cli_verify_exits_1_after_the_last_event_is_deleted(make, db, runner):
    some_history(make, db)
    db.session.execute(text("DELETE FROM events WHERE seq = 6"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "#6" in result.output


# --- Concurrent appends on a real file database --------------------------------------------


@pytest.fixture()
def file_app(tmp_path):
    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'chain.sqlite'}"

    app = create_app(FileConfig)
    with app.app_context():
        _db.create_all()
        seed_reference()
        _db.session.commit()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


def _run_threads(target, n: int) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(n)

    def wrapped(i: int) -> None:
        try:
            start.wait()
            target(i)
        except BaseException as exc:  # noqa: BLE001 - reported to the test below
            errors.append(exc)

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return errors


def test_concurrent_appends_and_submissions_do_not_fork_the_chain(file_app):
    workers, rounds = 6, 4

    def work(i: int) -> None:
        with file_app.app_context():
            factory = Factory(file_app)
            try:
                for n in range(rounds):
                    factory.case(now=RECEIVED + timedelta(minutes=i * 10 + n))
                    audit.append_event("note", actor_label="system", payload={"worker": i, "n": n})
                    _db.session.commit()
            finally:
                _db.session.remove()

    errors = _run_threads(work, workers)
    assert errors == []

    with file_app.app_context():
        total = workers * rounds * 2
        assert audit.verify_chain().ok
        all_seqs = list(_db.session.execute(select(Event.seq).order_by(Event.seq)).scalars())
        assert all_seqs == list(range(1, total + 1))
        prevs = list(_db.session.execute(select(Event.prev_hash)).scalars())
        assert len(set(prevs)) == total  # no two events hang off the same predecessor
        assert audit.head()[0] == total
        numbers = sorted(_db.session.execute(select(Case.number)).scalars())
        assert numbers == list(range(1, workers * rounds + 1))


def test_a_batch_of_events_is_the_same_chain_as_one_at_a_time(make, db):
    """append_events (one lock of the head for many events) links each event to the one before."""
    case, _ = make.case("NSAF-CT-MISSING", now=RECEIVED)
    at = RECEIVED + timedelta(hours=1)
    entries = [
        {
            "kind": "due_moved",
            "case_id": case.id,
            "actor_label": "system",
            "public": True,
            "at": at,
            "payload": {"n": n},
        }
        for n in range(3)
    ]
    first_seq = audit.head()[0] + 1
    events = audit.append_events(entries)
    _db.session.commit()
    assert [e.seq for e in events] == [first_seq, first_seq + 1, first_seq + 2]
    assert audit.head() == (events[-1].seq, events[-1].hash)
    assert audit.verify_chain().ok
    # Each hash is exactly what a one-by-one append would have computed.
    previous = _db.session.execute(select(Event).where(Event.seq == first_seq - 1)).scalar_one().hash
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == chain.chain_hash(previous, event.chained_fields(), audit.keys().chain)
        previous = event.hash
    assert audit.append_events([]) == []
