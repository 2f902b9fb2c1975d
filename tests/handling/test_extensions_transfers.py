"""Extensions decided by a supervisor, transfers that keep the clocks, identity views logged."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from grievance.cases import service as svc
from grievance.domain.calendar import WorkingCalendar
from grievance.models import Event, ExtensionRequest, Fund, IdentityView, OutboxMessage
from grievance.models.timeutil import from_db
from grievance.services.permits import NotPermitted
from grievance.services.sweep import sweep

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # Monday 10:00 Phnom Penh


def _ack(case, officer, db):
    svc.acknowledge(case, officer, "seen", now=T0 + timedelta(hours=1))
    db.session.commit()


def test_supervisor_approves_extension_and_due_date_moves_by_working_days(db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    _ack(case, officer, db)
    before = from_db(case.resolve_due_at)
    request = svc.request_extension(case, officer, 5, "waiting for the bank", now=T0 + timedelta(days=2))
    db.session.commit()
    svc.decide_extension(request, supervisor, True, "agreed", now=T0 + timedelta(days=3))
    db.session.commit()
    expected = WorkingCalendar().deadline(before, 5)
    assert from_db(case.resolve_due_at) == expected
    assert case.extended_days == 5 and request.status == "approved"
    kinds = db.session.execute(select(Event.kind).where(Event.case_id == case.id).order_by(Event.seq)).scalars().all()
    assert kinds[-3:] == ["request_extension", "decide_extension", "due_extended"]  # the last one told publicly


def test_refused_extension_leaves_due_date(db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    _ack(case, officer, db)
    before = case.resolve_due_at
    request = svc.request_extension(case, officer, 5, "more time", now=T0 + timedelta(days=2))
    svc.decide_extension(request, supervisor, False, "no", now=T0 + timedelta(days=2, hours=1))
    db.session.commit()
    assert case.resolve_due_at == before and request.status == "refused"


@pytest.mark.parametrize("who", ["officer", "other_supervisor"])
def test_only_a_supervisor_of_the_handling_fund_decides(db, make, who):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    _ack(case, officer, db)
    request = svc.request_extension(case, officer, 3, "more time", now=T0 + timedelta(days=1))
    db.session.commit()
    decider = officer if who == "officer" else make.user("supervisor", fund="NSSF")
    with pytest.raises(NotPermitted):
        svc.decide_extension(request, decider, True, "yes")
    db.session.rollback()
    assert db.session.get(ExtensionRequest, request.id).status == "pending"


def test_breach_is_not_undone_by_a_later_extension(db, make):
    case, _ = make.case("HEALTH-DENIED", now=T0)  # resolve in 3 working days
    officer, supervisor = make.user("officer", fund="HEALTH"), make.user("supervisor", fund="HEALTH")
    _ack(case, officer, db)
    sweep(T0 + timedelta(days=10))
    db.session.commit()
    assert case.resolve_breached_at is not None and case.sla_state == "breached"
    request = svc.request_extension(case, officer, 10, "complex", now=T0 + timedelta(days=10))
    svc.decide_extension(request, supervisor, True, "ok", now=T0 + timedelta(days=10, hours=1))
    db.session.commit()
    assert case.resolve_breached_at is not None and case.sla_state == "breached"


def test_breach_notifies_the_funds_supervisors_once(db, make):
    case, _ = make.case("HEALTH-DENIED", now=T0)
    make.user("supervisor", fund="HEALTH")
    make.user("supervisor", fund="NSAF")
    sweep(T0 + timedelta(days=10))
    db.session.commit()
    first = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    sweep(T0 + timedelta(days=10))
    db.session.commit()
    again = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar_one()
    recipients = db.session.execute(select(OutboxMessage.recipient)).scalars().all()
    assert first == again and first >= 1
    assert all(r.startswith("supervisor") for r in recipients)
    assert len({r for r in recipients}) == 1, "only the HEALTH supervisor, not NSAF's"


def test_transfer_keeps_every_due_date_and_moves_visibility(db, make, client):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    nsaf_officer = make.user("officer", fund="NSAF")
    _ack(case, nsaf_officer, db)
    dues = (case.ack_due_at, case.ack_warn_at, case.resolve_due_at, case.resolve_warn_at, case.received_at)
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    svc.transfer(case, nsaf_officer, nssf, "contribution problem", now=T0 + timedelta(days=1))
    db.session.commit()
    assert (case.ack_due_at, case.ack_warn_at, case.resolve_due_at, case.resolve_warn_at, case.received_at) == dues
    assert case.fund.code == "NSSF" and case.transfer_count == 1


def test_identity_is_shown_only_on_request_and_each_view_is_logged(db, make, client, login_as):
    case, _ = make.case(
        "NSAF-CT-MISSING", now=T0, identity_mode="confidential", name="Chan Sreymom", phone="011 222 333"
    )
    officer = login_as("officer", fund="NSAF")
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 200 and b"Chan Sreymom" not in page.data
    no_reason = client.post(f"/cases/{case.id}/identity")
    assert no_reason.status_code == 303 and b"Chan Sreymom" not in no_reason.data
    assert db.session.execute(select(IdentityView)).scalars().all() == []
    shown = client.post(f"/cases/{case.id}/identity", data={"reason": "contact"})
    assert shown.status_code == 200 and "Chan Sreymom" in shown.get_data(as_text=True)
    views = db.session.execute(select(IdentityView)).scalars().all()
    assert [(v.case_id, v.user_id, v.reason, v.output) for v in views] == [(case.id, officer.id, "contact", "panel")]


def test_other_fund_cannot_see_identity_or_confirm_the_case(db, make, client, login_as):
    case, _ = make.case(
        "NSAF-CT-MISSING", now=T0, identity_mode="confidential", name="Chan Sreymom", phone="011 222 333"
    )
    login_as("officer", fund="NSSF")
    assert client.post(f"/cases/{case.id}/identity").status_code == 404
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert db.session.execute(select(func.count()).select_from(IdentityView)).scalar_one() == 0


def test_supervisor_approves_extension_through_the_page(db, make, client, login_as):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    _ack(case, officer, db)
    request = svc.request_extension(case, officer, 4, "waiting for records")
    db.session.commit()
    login_as("supervisor", fund="NSAF")
    page = client.get(f"/cases/{case.id}")
    assert b"decide_extension" in page.data
    before = from_db(case.resolve_due_at)
    response = client.post(
        f"/cases/{case.id}/decide_extension",
        data={"version": case.version, "request_id": request.id, "decision": "approve", "message": "fine"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert from_db(case.resolve_due_at) == WorkingCalendar().deadline(before, 4)


def test_supervisor_assigns_to_an_officer_of_the_fund_only(db, make, client, login_as):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    outsider = make.user("officer", fund="NSSF")
    login_as("supervisor", fund="NSAF")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert officer.name in page and outsider.name not in page
    refused = client.post(f"/cases/{case.id}/assign", data={"version": case.version, "assignee": str(outsider.id)})
    assert refused.status_code == 303
    db.session.expire_all()
    assert case.assignee_id is None
    client.post(f"/cases/{case.id}/assign", data={"version": case.version, "assignee": str(officer.id)})
    db.session.expire_all()
    assert case.assignee_id == officer.id


def test_misconduct_complaints_are_seen_only_by_the_council(db, make, client, login_as):
    case, _ = make.case("MISCONDUCT", now=T0)
    council_desk = make.user("officer", fund="NSPC")
    nsaf = db.session.execute(select(Fund).where(Fund.code == "NSAF")).scalar_one()
    with pytest.raises(svc.TransitionRefused):
        svc.transfer(case, council_desk, nsaf, "try to move it")
    db.session.rollback()
    # Even if one were held by a fund (e.g. re-categorised), its staff would not see it.
    case.fund_id = nsaf.id
    db.session.commit()
    login_as("officer", fund="NSAF")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert case.reference not in client.get("/cases/?status=all").get_data(as_text=True)
