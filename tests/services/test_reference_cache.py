"""Reference data cached per process: a commit that changes it is seen at once, others within the TTL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, text, update

from grievance.extensions import db as _db
from grievance.models import Category, ClosureDay, SlaPolicy
from grievance.services import reference


@pytest.fixture()
def cached(app, db, monkeypatch):
    monkeypatch.setitem(app.config, "REFERENCE_CACHE_SECONDS", 60)
    reference.invalidate()
    yield
    reference.invalidate()


def test_the_calendar_is_read_once_and_a_new_closure_day_is_seen_after_commit(cached):
    first = reference.working_calendar()
    assert reference.working_calendar() is first
    _db.session.add(ClosureDay(day=date(2026, 4, 21), reason_en="Office closed", reason_km="ការិយាល័យបិទ"))
    _db.session.commit()
    assert not reference.working_calendar().is_working_day(date(2026, 4, 21))


def test_a_policy_changed_by_a_statement_is_seen_after_commit(cached):
    category = _db.session.execute(select(Category).where(Category.code == "HEALTH-DENIED")).scalar_one()
    assert reference.policy_for(category).resolve_days == 3
    _db.session.execute(update(SlaPolicy).where(SlaPolicy.category_id == category.id).values(resolve_days=4))
    assert reference.policy_for(category).resolve_days == 3  # not committed yet: nothing changed
    _db.session.commit()
    assert reference.policy_for(category).resolve_days == 4


def test_a_change_made_elsewhere_is_seen_when_the_ttl_runs_out(cached, app, monkeypatch):
    category = _db.session.execute(select(Category).where(Category.code == "OTHER")).scalar_one()
    assert reference.policy_for(category).ack_days == 2
    # Another worker's change: a statement this process's session hooks never see.
    _db.session.connection().execute(
        text("UPDATE sla_policies SET ack_days = 3 WHERE category_id = :id"), {"id": category.id}
    )
    _db.session.commit()
    assert reference.policy_for(category).ack_days == 2
    monkeypatch.setattr(reference.time, "monotonic", lambda: 10**9)
    assert reference.policy_for(category).ack_days == 3
