"""Two officers acting on one case at the same moment: one success, one clear conflict."""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import func, select

from config import TestConfig
from grievance import create_app
from grievance.cases import service as svc
from grievance.extensions import db as _db
from grievance.models import Case, Event
from grievance.seed import seed_reference
from grievance.services.audit import verify_chain
from tests.factories import Factory


@pytest.fixture()
def shared_app(request, tmp_path):
    """An app whose database several threads can reach: a file SQLite DB, or the test PostgreSQL."""
    if os.environ.get("TEST_DATABASE_URL"):
        app = request.getfixturevalue("app")
        request.getfixturevalue("db")
        return app

    class FileConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'concurrency.sqlite'}"

    app = create_app(FileConfig)
    with app.app_context():
        _db.create_all()
        seed_reference()
        _db.session.commit()
    return app


def _race(app, case_id: int, version: int, actions) -> list[str]:
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def worker(action):
        with app.app_context():
            barrier.wait()
            case = _db.session.get(Case, case_id)
            try:
                action(case)
                _db.session.commit()
                outcomes.append("ok")
            except (svc.CaseConflict, svc.TransitionRefused):
                _db.session.rollback()
                outcomes.append("conflict")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=worker, args=(a,)) for a in actions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return sorted(outcomes)


@pytest.mark.parametrize("rounds", [5])
def test_simultaneous_transitions_one_success_one_conflict(shared_app, rounds):
    with shared_app.app_context():
        make = Factory(shared_app)
        officers = [make.user("officer", fund="NSAF"), make.user("officer", fund="NSAF")]
        ids = []
        for _ in range(rounds):
            case, _code = make.case("NSAF-CT-MISSING")
            ids.append((case.id, case.version))
        officer_ids = [o.id for o in officers]
    for case_id, version in ids:

        def acknowledge(who, seen=version):
            def run(case):
                officer = _db.session.get(type(officers[0]), officer_ids[who])
                svc.acknowledge(case, officer, f"officer {who}", expected_version=seen)

            return run

        assert _race(shared_app, case_id, version, [acknowledge(0), acknowledge(1)]) == ["conflict", "ok"]
    with shared_app.app_context():
        for case_id, version in ids:
            case = _db.session.get(Case, case_id)
            acks = _db.session.execute(
                select(func.count()).select_from(Event).where(Event.case_id == case_id, Event.kind == "acknowledge")
            ).scalar_one()
            assert case.status == "acknowledged" and case.version == version + 1 and acks == 1
        assert verify_chain().ok


def test_resolve_and_reject_at_once_never_both_happen(shared_app):
    with shared_app.app_context():
        make = Factory(shared_app)
        officer = make.user("officer", fund="NSAF")
        case, _ = make.case("NSAF-CT-MISSING")
        svc.acknowledge(case, officer, "seen")
        _db.session.commit()
        case_id, version, officer_id = case.id, case.version, officer.id

    def resolve(case):
        svc.resolve(case, _db.session.get(type(officer), officer_id), "remedied", "paid", expected_version=version)

    def reject(case):
        svc.reject(case, _db.session.get(type(officer), officer_id), "out of scope", expected_version=version)

    assert _race(shared_app, case_id, version, [resolve, reject]) == ["conflict", "ok"]
    with shared_app.app_context():
        kinds = (
            _db.session.execute(
                select(Event.kind).where(Event.case_id == case_id, Event.kind.in_(["resolve", "reject"]))
            )
            .scalars()
            .all()
        )
        assert len(kinds) == 1
        assert _db.session.get(Case, case_id).status in ("resolved", "rejected")
