"""Settings changes are chain events with before and after."""

from __future__ import annotations

import json
from datetime import date

from grievance.extensions import db
from grievance.services import audit
from grievance.services.changes import KIND, record_change


def test_a_change_is_a_chain_event_with_before_and_after(make):
    admin = make.user("admin")
    event = record_change(admin, "closure_day", 7, None, {"day": date(2026, 12, 24), "reason": "flood"})
    db.session.commit()
    assert event.kind == KIND and event.actor_id == admin.id and event.case_id is None
    payload = json.loads(event.payload)
    assert payload == {
        "entity": "closure_day",
        "id": 7,
        "before": None,
        "after": {"day": "2026-12-24", "reason": "flood"},
    }
    assert audit.verify_chain().ok
    assert audit.head()[0] == event.seq
