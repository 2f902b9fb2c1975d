"""The supervisor's workload view and extension inbox: counts per officer, scoped, refused to others."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from grievance.cases import service as svc
from grievance.cases import workload
from grievance.extensions import db
from grievance.frontdesk.offices import office_for_place
from grievance.services.permits import NotPermitted
from tests.factories import PASSWORD

# Wednesday 4 March 2026, 10:00 in Phnom Penh.
NOW = datetime(2026, 3, 4, 3, 0, tzinfo=timezone.utc)


def test_the_working_week_ends_at_midnight_after_friday_in_phnom_penh():
    assert workload.week_end(NOW) == datetime(2026, 3, 6, 17, 0, tzinfo=timezone.utc)  # Sat 00:00 ICT
    saturday = datetime(2026, 3, 7, 3, 0, tzinfo=timezone.utc)
    assert workload.week_end(saturday) == datetime(2026, 3, 13, 17, 0, tzinfo=timezone.utc)
    late_friday = datetime(2026, 3, 6, 16, 30, tzinfo=timezone.utc)  # Friday 23:30 in Phnom Penh
    assert workload.week_end(late_friday) == datetime(2026, 3, 6, 17, 0, tzinfo=timezone.utc)
    early_monday = datetime(2026, 3, 8, 18, 0, tzinfo=timezone.utc)  # Monday 01:00 in Phnom Penh, Sunday in UTC
    assert workload.week_end(early_monday) == datetime(2026, 3, 13, 17, 0, tzinfo=timezone.utc)


@pytest.fixture()
def fund(make):
    sokha = make.user("officer", fund="NSAF")
    sokha.name = "Sokha"
    dara = make.user("officer", fund="NSAF")
    dara.name = "Dara"
    supervisor = make.user("supervisor", fund="NSAF")
    cases = [make.case("NSAF-CT-MISSING", now=NOW - timedelta(days=d))[0] for d in (1, 2, 3, 30)]
    cases[0].assignee_id = cases[1].assignee_id = sokha.id
    cases[2].assignee_id = dara.id
    cases[1].resolve_due_at = (NOW + timedelta(days=1)).replace(tzinfo=None)  # due Thursday
    cases[2].sla_state = "breached"
    cases[2].resolve_due_at = (NOW - timedelta(days=1)).replace(tzinfo=None)
    other, _ = make.case("NSSF-CONTRIB", now=NOW)  # another fund: never counted
    other.assignee_id = make.user("officer", fund="NSSF").id
    db.session.commit()
    return {"sokha": sokha, "dara": dara, "supervisor": supervisor, "cases": cases}


def test_open_breached_and_due_this_week_per_officer(app, fund):
    loads = {load.name: load for load in workload.officer_workload(fund["supervisor"], now=NOW)}
    assert (loads["Sokha"].open, loads["Sokha"].breached, loads["Sokha"].due_this_week) == (2, 0, 1)
    assert (loads["Dara"].open, loads["Dara"].breached, loads["Dara"].due_this_week) == (1, 1, 0)
    assert (loads[""].open, loads[""].breached) == (1, 0)  # the unassigned row
    assert sum(load.open for load in loads.values()) == 4


def test_the_page_links_each_officer_to_their_queue(client, fund):
    client.post("/auth/login", data={"email": fund["supervisor"].email, "password": PASSWORD})
    page = client.get("/cases/workload?lang=en").get_data(as_text=True)
    assert f'href="/cases/?assignee={fund["dara"].id}"' in page
    queue = client.get(f"/cases/?lang=en&assignee={fund['dara'].id}").get_data(as_text=True)
    assert fund["cases"][2].reference in queue
    assert fund["cases"][0].reference not in queue


@pytest.mark.parametrize("role", ["officer", "monitor", "oversight", "admin", "frontdesk"])
def test_other_roles_are_refused_in_the_service(app, make, role):
    office = office_for_place("1204", "120401").id if role == "frontdesk" else None
    user = make.user(role, fund="NSAF" if role == "officer" else None, office_id=office)
    with pytest.raises(NotPermitted):
        workload.officer_workload(user)
    with pytest.raises(NotPermitted):
        workload.pending_extensions(user)
    with pytest.raises(NotPermitted):
        workload.pending_extension_count(user)


def test_each_count_opens_the_queue_with_exactly_those_cases(client, fund):
    client.post("/auth/login", data={"email": fund["supervisor"].email, "password": PASSWORD})
    page = client.get("/cases/workload?lang=en").get_data(as_text=True)
    sokha, dara = fund["sokha"].id, fund["dara"].id
    assert f'href="/cases/?assignee={dara}&amp;due=late"' in page
    assert f'href="/cases/?assignee={sokha}&amp;due=week"' in page
    assert 'href="/cases/?assignee=unassigned"' in page
    cases = fund["cases"]

    def listed(url):
        body = client.get(url).get_data(as_text=True)
        return {c.reference for c in cases if c.reference in body}

    # The queue's "this week" is measured from the real clock: put the due dates around it.
    now = datetime.now(timezone.utc)
    cases[1].resolve_due_at = (workload.week_end(now) - timedelta(minutes=1)).replace(tzinfo=None)
    cases[0].resolve_due_at = (workload.week_end(now) + timedelta(days=3)).replace(tzinfo=None)
    db.session.commit()
    assert listed(f"/cases/?lang=en&assignee={sokha}&due=week") == {cases[1].reference}
    assert listed(f"/cases/?lang=en&assignee={dara}&due=late") == {cases[2].reference}
    assert listed(f"/cases/?lang=en&assignee={sokha}&due=late") == set()
    assert listed("/cases/?lang=en&assignee=unassigned") == {cases[3].reference}
    kept = client.get(f"/cases/?lang=en&assignee={sokha}&due=week").get_data(as_text=True)
    assert '<input type="hidden" name="due" value="week">' in kept  # kept when filtering again


def test_a_disabled_officer_still_holding_cases_keeps_a_row(app, fund):
    fund["dara"].active = False
    db.session.commit()
    loads = {load.name: load for load in workload.officer_workload(fund["supervisor"], now=NOW)}
    assert loads["Dara"].open == 1
    assert sum(load.open for load in loads.values()) == 4


def test_the_council_desks_supervisor_sees_the_desks_cases(app, make):
    desk_officer = make.user("officer", fund="NSPC")
    desk_supervisor = make.user("supervisor", fund="NSPC")
    case, _ = make.case("MISCONDUCT", now=NOW)
    case.assignee_id = desk_officer.id
    db.session.commit()
    loads = {load.user_id: load for load in workload.officer_workload(desk_supervisor, now=NOW)}
    assert loads[desk_officer.id].open == 1
    nsaf = workload.officer_workload(make.user("supervisor", fund="NSAF"), now=NOW)
    assert sum(load.open for load in nsaf) == 0  # a misconduct case is the council's, never the fund's


def _working(case, officer):
    svc.acknowledge(case, officer, "We have your complaint.", now=NOW)


def test_the_inbox_lists_the_funds_pending_requests_with_the_asked_for_date(client, fund, make):
    case = fund["cases"][0]
    _working(case, fund["sokha"])
    svc.request_extension(case, fund["sokha"], 5, "Waiting for the commune's list.", now=NOW)
    older = fund["cases"][3]
    _working(older, fund["sokha"])
    svc.request_extension(older, fund["sokha"], 2, "Older request.", now=NOW - timedelta(days=2))
    foreign, _ = make.case("NSSF-CONTRIB", now=NOW)
    nssf = make.user("officer", fund="NSSF")
    _working(foreign, nssf)
    svc.request_extension(foreign, nssf, 3, "Not ours.", now=NOW)
    db.session.commit()
    items = workload.pending_extensions(fund["supervisor"])
    assert [item.case.reference for item in items] == [older.reference, case.reference]  # oldest first
    assert items[1].officer == "Sokha"
    assert items[1].asked_due > case.resolve_due_at.replace(tzinfo=timezone.utc)
    assert items[1].reason == "Waiting for the commune's list."
    assert workload.pending_extension_count(fund["supervisor"]) == 2
    client.post("/auth/login", data={"email": fund["supervisor"].email, "password": PASSWORD})
    page = client.get("/cases/extensions?lang=en").get_data(as_text=True)
    assert case.reference in page and "Not ours." not in page
    assert f'href="/cases/{case.id}"' in page
    assert 'Extension requests <span class="count">(2)</span>' in page  # the nav's count


def test_deciding_in_the_inbox_uses_the_case_action_and_returns_to_the_inbox(client, fund):
    case = fund["cases"][0]
    _working(case, fund["sokha"])
    request = svc.request_extension(case, fund["sokha"], 5, "Waiting for the commune's list.", now=NOW)
    db.session.commit()
    due_before = case.resolve_due_at
    client.post("/auth/login", data={"email": fund["supervisor"].email, "password": PASSWORD})
    answer = client.post(
        f"/cases/{case.id}/decide_extension",
        data={
            "version": case.version,
            "request_id": request.id,
            "decision": "approve",
            "message": "Agreed.",
            "back": "inbox",
        },
    )
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/cases/extensions")
    db.session.expire_all()
    assert db.session.get(type(request), request.id).status == "approved"
    assert db.session.get(type(case), case.id).resolve_due_at > due_before
    assert "No extension requests are waiting." in client.get("/cases/extensions?lang=en").get_data(as_text=True)


def test_an_officer_cannot_decide_from_a_hand_made_inbox_form(client, fund):
    case = fund["cases"][0]
    _working(case, fund["sokha"])
    request = svc.request_extension(case, fund["sokha"], 5, "Waiting.", now=NOW)
    db.session.commit()
    client.post("/auth/login", data={"email": fund["sokha"].email, "password": PASSWORD})
    client.post(
        f"/cases/{case.id}/decide_extension",
        data={"version": case.version, "request_id": request.id, "decision": "approve", "message": "Me."},
    )
    db.session.expire_all()
    assert db.session.get(type(request), request.id).status == "pending"
    assert client.get("/cases/extensions").status_code == 403
