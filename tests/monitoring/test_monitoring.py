"""Monitors: scope in SQL, redacted pages, follow / flag / comment with audit events and outbox mail."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, func, select

from grievance.cases import service as cases
from grievance.extensions import db as _db
from grievance.intake.service import Submission, submit
from grievance.models import (
    CaseFlag,
    CaseFollow,
    Category,
    Event,
    IdentityView,
    MonitorScope,
    Organisation,
    OutboxMessage,
    User,
)
from grievance.monitoring import permissions, service

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def _events(kind):
    return _db.session.execute(select(Event).where(Event.kind == kind)).scalars().all()


def _org(name):
    return _db.session.execute(select(Organisation).where(Organisation.name == name)).scalar_one()


def _scope(org, province=None, category=None):
    admin = _db.session.execute(select(User).where(User.role == "admin")).scalar()
    cat = None if category is None else _db.session.execute(select(Category).where(Category.code == category)).scalar()
    service.add_scope(org, admin, province, cat)
    _db.session.commit()


@pytest.fixture()
def union(make):
    """A union monitor whose organisation watches every case (one "any province, any category" rule)."""
    make.user("admin")
    monitor = make.user("monitor", org="Informal Workers Union")
    _scope(monitor.organisation)
    return monitor


def _clear_scope(org):
    _db.session.execute(delete(MonitorScope).where(MonitorScope.organisation_id == org.id))
    _db.session.commit()


def _visible(user):
    return {c.id for c in _db.session.execute(permissions.visible_cases(user)).scalars()}


def test_an_any_province_any_category_rule_means_every_case(make, union):
    a, _ = make.case("NSAF-CT-MISSING", now=T0)
    b, _ = make.case("NSSF-INFORMAL", now=T0, province_code="03")
    assert _visible(union) == {a.id, b.id}


def test_no_scope_rows_means_only_the_organisations_own_cases(make, union):
    """A scope fails closed: removing the last rule narrows the view, it never widens it."""
    make.case("NSAF-CT-MISSING", now=T0)
    make.case("NSSF-INFORMAL", now=T0, province_code="03")
    own = submit(
        Submission(category_code="HEALTH-FEE", description="x", province_code="01", channel="assisted"),
        key=make.key,
        actor=union,
        organisation=union.organisation,
        now=T0,
    ).case
    _db.session.commit()
    _clear_scope(union.organisation)
    assert _visible(union) == {own.id}


def test_scope_rows_limit_by_province_and_category_but_never_hide_own_cases(make, union):
    org = union.organisation
    inside, _ = make.case("NSSF-INFORMAL", now=T0, province_code="12")
    other_province, _ = make.case("NSSF-INFORMAL", now=T0, province_code="03")
    other_category, _ = make.case("NSAF-CT-MISSING", now=T0, province_code="12")
    any_category_in_17, _ = make.case("HEALTH-FEE", now=T0, province_code="17")
    own = submit(
        Submission(category_code="HEALTH-FEE", description="x", province_code="01", channel="assisted"),
        key=make.key,
        actor=union,
        organisation=org,
        now=T0,
    ).case
    _db.session.commit()
    _clear_scope(org)
    _scope(org, province="12", category="NSSF-INFORMAL")
    _scope(org, province="17")
    assert _visible(union) == {inside.id, any_category_in_17.id, own.id}
    assert other_province.id not in _visible(union) and other_category.id not in _visible(union)


def test_inactive_organisation_and_other_roles_see_nothing(make, union, client, login_as):
    make.case("NSAF-CT-MISSING", now=T0)
    union.organisation.active = False
    _db.session.commit()
    assert _visible(union) == set()
    for role in ("officer", "supervisor", "oversight", "admin"):
        login_as(role)
        assert client.get("/monitor/").status_code == 403


def test_out_of_scope_case_is_404_for_every_monitor_route(make, union, client, app):
    _clear_scope(union.organisation)
    _scope(union.organisation, province="17")
    case, _ = make.case("NSAF-CT-MISSING", now=T0, province_code="12")
    client.post("/auth/login", data={"email": union.email, "password": "correct horse battery"})
    before = _db.session.execute(select(func.count()).select_from(Event)).scalar_one()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("monitoring.") and "case_id" in rule.arguments:
            url = rule.build({"case_id": case.id})[1]
            method = "GET" if "GET" in rule.methods else "POST"
            response = client.open(url, method=method, data={"kind": "disputed", "message": "x"})
            assert response.status_code == 404, url
    assert _db.session.execute(select(func.count()).select_from(Event)).scalar_one() == before


def test_follow_then_public_update_mails_the_monitor_but_an_internal_note_does_not(make, union, client):
    case, _ = make.case("NSSF-INFORMAL", now=T0)
    officer = make.user("officer", fund="NSSF")
    client.post("/auth/login", data={"email": union.email, "password": "correct horse battery"})
    client.post(f"/monitor/cases/{case.id}/follow")
    assert _db.session.execute(select(CaseFollow).where(CaseFollow.case_id == case.id)).scalar().user_id == union.id
    assert _events("monitor_follow")[0].payload.find("Informal Workers Union") > 0
    cases.acknowledge(case, officer, "Received", now=T0 + timedelta(hours=2))
    cases.add_note(case, officer, "internal", now=T0 + timedelta(hours=3))
    _db.session.commit()
    mails = _db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == union.email)).scalars().all()
    assert len(mails) == 1 and case.reference in mails[0].subject and mails[0].channel == "email"
    client.post(f"/monitor/cases/{case.id}/follow", data={"stop": "1"})
    assert _db.session.execute(select(CaseFollow)).first() is None
    assert len(_events("monitor_unfollow")) == 1


def test_a_flag_mails_the_handling_funds_supervisor_and_shows_until_handled(make, union, client, login_as):
    case, _ = make.case("NSSF-INFORMAL", now=T0)
    nssf_supervisor = make.user("supervisor", fund="NSSF")
    nsaf_supervisor = make.user("supervisor", fund="NSAF")
    client.post("/auth/login", data={"email": union.email, "password": "correct horse battery"})
    response = client.post(f"/monitor/cases/{case.id}/flag", data={"kind": "disputed", "note": "They say it is paid"})
    assert response.status_code == 303
    flag = _db.session.execute(select(CaseFlag)).scalar_one()
    assert (flag.kind, flag.status, flag.organisation_id) == ("disputed", "open", union.organisation_id)
    recipients = set(_db.session.execute(select(OutboxMessage.recipient)).scalars())
    assert nssf_supervisor.email in recipients and nsaf_supervisor.email not in recipients
    assert len(_events("monitor_flag")) == 1

    login_as("oversight")
    assert case.reference in client.get("/oversight/").get_data(as_text=True)

    client.post("/auth/login", data={"email": nsaf_supervisor.email, "password": "correct horse battery"})
    assert case.reference not in client.get("/oversight/flags").get_data(as_text=True)
    assert client.post(f"/oversight/flags/{flag.id}/handle", data={"outcome": "Paid"}).status_code == 404
    client.post("/auth/login", data={"email": nssf_supervisor.email, "password": "correct horse battery"})
    assert case.reference in client.get("/oversight/flags").get_data(as_text=True)
    assert client.post(f"/oversight/flags/{flag.id}/handle").status_code == 303
    _db.session.refresh(flag)
    assert flag.status == "open" and not _events("flag_handled"), "a flag is handled with its outcome"
    handled = client.post(f"/oversight/flags/{flag.id}/handle", data={"outcome": "Paid on 3 October"})
    assert handled.status_code == 303
    _db.session.refresh(flag)
    assert flag.status == "handled" and flag.handled_by_id == nssf_supervisor.id
    assert flag.outcome == "Paid on 3 October"
    assert len(_events("flag_handled")) == 1
    client.post(f"/oversight/flags/{flag.id}/handle", data={"outcome": "again"})
    assert len(_events("flag_handled")) == 1, "a second handling is refused, not recorded"
    login_as("oversight")
    assert case.reference not in client.get("/oversight/").get_data(as_text=True)


def test_a_comment_is_the_organisations_in_the_timeline_but_not_on_the_tracking_page(make, union, client, login_as):
    case, code = make.case("NSSF-INFORMAL", now=T0)
    client.post("/auth/login", data={"email": union.email, "password": "correct horse battery"})
    client.post(f"/monitor/cases/{case.id}/comment", data={"message": "Members report the same delay"})
    (event,) = _events("monitor_comment")
    assert not event.public and "Informal Workers Union" in event.payload
    assert "Members report the same delay" in client.get(f"/monitor/cases/{case.id}").get_data(as_text=True)
    login_as("officer", fund="NSSF")
    staff_page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Informal Workers Union" in staff_page and "Members report the same delay" in staff_page
    client.get("/auth/logout")
    tracking = client.post("/track", data={"reference": case.reference, "code": code}).get_data(as_text=True)
    assert "Members report the same delay" not in tracking


def test_own_named_case_shows_identity_on_request_and_records_it(make, union, client):
    org = union.organisation
    named = submit(
        Submission(
            category_code="NSSF-INFORMAL",
            description="Call 012 345 678",
            identity_mode="named",
            name="Chan Dara",
            phone="012 345 678",
            channel="assisted",
            consent_given=True,
        ),
        key=make.key,
        actor=union,
        organisation=org,
        now=T0,
    ).case
    confidential = submit(
        Submission(
            category_code="NSSF-INFORMAL",
            description="Call 097 111 2222",
            identity_mode="confidential",
            name="Keo Sreymom",
            phone="097 111 2222",
            channel="assisted",
            consent_given=True,
        ),
        key=make.key,
        actor=union,
        organisation=org,
        now=T0,
    ).case
    _db.session.commit()
    client.post("/auth/login", data={"email": union.email, "password": "correct horse battery"})
    page = client.get(f"/monitor/cases/{named.id}").get_data(as_text=True)
    assert "012 345 678" in page and "Chan Dara" not in page  # full text; identity behind a button
    no_reason = client.post(f"/monitor/cases/{named.id}/identity")
    assert no_reason.status_code == 303 and "Chan Dara" not in no_reason.get_data(as_text=True)
    assert _db.session.execute(select(IdentityView).where(IdentityView.case_id == named.id)).scalar() is None
    shown = client.post(f"/monitor/cases/{named.id}/identity", data={"reason": "contact"}).get_data(as_text=True)
    assert "Chan Dara" in shown
    view = _db.session.execute(select(IdentityView).where(IdentityView.case_id == named.id)).scalar()
    assert (view.user_id, view.reason, view.output) == (union.id, "contact", "panel")
    assert len(_events("identity_view")) == 1
    page = client.get(f"/monitor/cases/{confidential.id}").get_data(as_text=True)
    assert "097 111 2222" not in page and "Keo Sreymom" not in page
    assert client.post(f"/monitor/cases/{confidential.id}/identity", data={"reason": "contact"}).status_code == 403


def test_admin_sets_an_organisations_scope(make, union, client, login_as):
    inside, _ = make.case("NSSF-INFORMAL", now=T0, province_code="17")
    outside, _ = make.case("NSSF-INFORMAL", now=T0, province_code="12")
    org_id = union.organisation_id
    login_as("oversight")
    assert client.get(f"/admin/organisations/{org_id}/scope").status_code == 403
    login_as("admin")
    assert "Informal Workers Union" in client.get("/admin/organisations/scopes").get_data(as_text=True)
    every = _db.session.execute(select(MonitorScope.id)).scalar_one()
    assert client.post(f"/admin/organisations/{org_id}/scope/{every}/delete").status_code == 303
    assert _visible(union) == set()  # the last rule removed: nothing, not everything
    added = client.post(f"/admin/organisations/{org_id}/scope", data={"province": "17", "category": ""})
    assert added.status_code == 303
    assert _visible(union) == {inside.id}
    row_id = _db.session.execute(select(MonitorScope.id)).scalar_one()
    assert client.post(f"/admin/organisations/{org_id}/scope/{row_id}/delete").status_code == 303
    assert _visible(union) == set() and outside.id not in _visible(union)
    changes = [json.loads(e.payload) for e in _events("admin_change")]
    assert [(c["entity"], c["before"] is None, c["after"] is None) for c in changes] == [
        ("monitor_scope", True, False),  # the fixture's "every case" rule
        ("monitor_scope", False, True),
        ("monitor_scope", True, False),
        ("monitor_scope", False, True),
    ]
    assert changes[2]["after"] == {"organisation_id": org_id, "province": "17", "category": None}
    assert client.post(f"/admin/organisations/{org_id}/scope", data={"province": "99"}).status_code == 400
