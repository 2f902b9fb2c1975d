"""Service levels with an effective date: a change applies to complaints received from then on; clocks
already running keep the terms their case was received under."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.admin import service_levels as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.guard import AdminRefused
from grievance.cases import service as cases
from grievance.domain.calendar import local_date
from grievance.extensions import db
from grievance.models import Category, SlaPolicy
from grievance.models.timeutil import from_db
from grievance.services import reference

NEW = {
    "ack_days": 1,
    "resolve_days": 5,
    "loop_days": 3,
    "warn_percent": 50,
    "escalate_after_days": 1,
    "reopen_window_days": 7,
    "appeal_days": 4,
}


def _category(code="NSAF-CT-MISSING") -> Category:
    return db.session.execute(select(Category).where(Category.code == code)).scalar_one()


def _post(client, key: str, based_on: int, effective: date, **terms):
    data = {"based_on": based_on, "effective": effective.isoformat(), **{k: str(v) for k, v in (NEW | terms).items()}}
    return client.post(f"/admin/service-levels/{key}?lang=en", data=data)


def test_cases_already_received_keep_their_terms(admin_client, make, admin):
    category = _category()
    scope = svc.scope_from_key(f"c{category.id}")
    old_case, _code = make.case(category.code)
    old_resolve_due = old_case.resolve_due_at
    response = _post(admin_client, scope.key, svc.latest_id(scope), local_date(datetime.now(timezone.utc)))
    assert response.status_code == 303
    new_case, _code = make.case(category.code)
    assert new_case.sla_policy_id != old_case.sla_policy_id
    assert reference.case_policy(old_case).resolve_days == 15 and reference.case_policy(new_case).resolve_days == 5
    db.session.refresh(old_case)
    assert old_case.resolve_due_at == old_resolve_due, "a running clock changed"
    # The terms read later in a case's life are the terms it was received under.
    now = datetime.now(timezone.utc)
    for case in (old_case, new_case):
        cases.acknowledge(case, make.user("officer", fund="NSAF"), "Received.", now=now)
    db.session.commit()
    cal = reference.working_calendar()
    assert from_db(old_case.loop_due_at) == cal.deadline(now, 10)
    assert from_db(new_case.loop_due_at) == cal.deadline(now, 3)
    assert reference.reopen_window_days(old_case) == 30 and reference.reopen_window_days(new_case) == 7
    # Complainants reading the information page see the terms in force now.
    assert reference.policy_for(category).resolve_days == 5
    page = admin_client.get("/admin/service-levels/").get_data(as_text=True)
    assert "NSAF-CT-MISSING" in page


def test_terms_from_a_later_day_wait_for_that_day(admin, make):
    category = _category("NSSF-INJURY")
    scope = svc.scope_from_key(f"c{category.id}")
    now = datetime.now(timezone.utc)
    later = local_date(now) + timedelta(days=10)
    row = svc.schedule(admin, scope, svc.latest_id(scope), later, NEW, now=now)
    db.session.commit()
    before, _code = make.case(category.code, now=now)
    after, _code = make.case(category.code, now=now + timedelta(days=11))
    assert reference.case_policy(before).resolve_days == 30
    assert reference.case_policy(after).resolve_days == 5 and after.sla_policy_id == row.id
    with pytest.raises(Invalid):  # a case runs on it (received on that day)
        svc.cancel(admin, row, row.version, now=now)
    # A scheduled change nobody runs on yet can be cancelled before it takes effect.
    other = svc.scope_from_key("normal")
    pending = svc.schedule(admin, other, svc.latest_id(other), later, NEW, now=now)
    db.session.commit()
    pending_id = pending.id
    svc.cancel(admin, pending, pending.version, now=now)
    db.session.commit()
    assert db.session.execute(select(SlaPolicy.id).where(SlaPolicy.id == pending_id)).first() is None


def test_a_change_cannot_reach_back_and_terms_in_force_cannot_be_cancelled(admin):
    scope = svc.scope_from_key("all")
    yesterday = local_date(datetime.now(timezone.utc)) - timedelta(days=1)
    with pytest.raises(Invalid):
        svc.schedule(admin, scope, svc.latest_id(scope), yesterday, NEW)
    in_force = svc.history(scope)[0]
    with pytest.raises(Invalid):
        svc.cancel(admin, in_force, in_force.version)


def test_a_priority_level_applies_to_categories_without_terms_of_their_own(admin, make):
    scope = svc.scope_from_key("urgent")
    svc.schedule(admin, scope, svc.latest_id(scope), local_date(datetime.now(timezone.utc)), NEW)
    db.session.commit()
    # Every seeded category has its own terms, so a new urgent category is what inherits them.
    from grievance.admin import categories

    nspc = db.session.execute(select(reference.Fund).where(reference.Fund.code == "NSPC")).scalar_one()
    category = categories.create(
        admin,
        code="URGENT-NEW",
        name_km="ក",
        name_en="Urgent new",
        fund=nspc,
        priority="urgent",
        sensitive=False,
        situation="other",
    )
    db.session.commit()
    case, _code = make.case("URGENT-NEW")
    assert reference.case_policy(case).resolve_days == 5
    normal = categories.create(
        admin,
        code="NORMAL-NEW",
        name_km="ខ",
        name_en="Normal new",
        fund=nspc,
        priority="normal",
        sensitive=False,
        situation="other",
    )
    db.session.commit()
    assert reference.policy_for(normal).resolve_days == 15  # the defaults
    assert category.id != normal.id


def test_a_concurrent_change_is_refused_keeping_the_typed_terms(admin_client, admin):
    scope = svc.scope_from_key("all")
    seen = svc.latest_id(scope)
    today = local_date(datetime.now(timezone.utc))
    svc.schedule(admin, scope, seen, today + timedelta(days=3), NEW)
    db.session.commit()
    response = _post(admin_client, "all", seen, today + timedelta(days=5), resolve_days=44)
    assert response.status_code == 409
    assert 'value="44"' in response.get_data(as_text=True)
    assert len(svc.history(scope)) == 2
    with pytest.raises(EditConflict):
        svc.schedule(admin, scope, seen, today, NEW)


def test_bad_terms_are_refused_on_the_field(admin_client):
    scope = svc.scope_from_key("all")
    today = local_date(datetime.now(timezone.utc))
    response = _post(admin_client, "all", svc.latest_id(scope), today, warn_percent=150)
    assert response.status_code == 400
    response = _post(admin_client, "all", svc.latest_id(scope), today, ack_days=9, resolve_days=3)
    assert response.status_code == 400 and b"acknowledgement" in response.data
    assert admin_client.get("/admin/service-levels/c999999").status_code == 404


def test_service_level_verbs_refuse_a_non_administrator(make):
    oversight = make.user("oversight")
    scope = svc.scope_from_key("all")
    with pytest.raises(AdminRefused):
        svc.schedule(oversight, scope, svc.latest_id(scope), local_date(datetime.now(timezone.utc)), NEW)
    row = svc.history(scope)[0]
    with pytest.raises(AdminRefused):
        svc.cancel(oversight, row, row.version)
