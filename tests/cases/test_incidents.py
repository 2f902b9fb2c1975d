"""Mass incidents: who declares and links, link by filter and one by one, suggestions, one update to
every linked case (each its own event, redaction and message in the complainant's language), resolve
together (each its own outcome; unresolvable and appealed cases skipped and listed), batches, and a
record that stays verifiable (link rows mirrored in the audit chain)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text

from grievance.cases import incidents
from grievance.cases import service as svc
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models import Case, CaseIncident, Event, Fund, Incident, OutboxMessage
from grievance.services import audit
from grievance.services.permits import NotPermitted
from tests.factories import PASSWORD
from tests.intake.helpers import text_of

NOW = datetime(2026, 10, 20, 10, 0, tzinfo=TZ).astimezone(timezone.utc)
OCT_1, OCT_31 = date(2026, 10, 1), date(2026, 10, 31)


@pytest.fixture()
def supervisor(make):
    return make.user("supervisor", fund="NSAF")


@pytest.fixture()
def officer(make):
    return make.user("officer", fund="NSAF")


def _fund(code: str) -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == code)).scalar_one()


def _category_id(code: str) -> int:
    from grievance.models import Category

    return db.session.execute(select(Category.id).where(Category.code == code)).scalar_one()


def _case(make, category="NSAF-CT-MISSING", province="06", when=None, **fields):
    fields.setdefault("identity_mode", "confidential")
    fields.setdefault("name", "Sok Dara")
    fields.setdefault("phone", "012 345 678")
    fields.setdefault("sms_opt_in", True)
    return make.case(category, now=when or NOW - timedelta(days=5), province_code=province, **fields)


def _declare(actor, fund="NSAF", **kw):
    kw.setdefault("title", "October Family Package payment failed in Kampong Thom")
    kw.setdefault("period_start", OCT_1)
    kw.setdefault("period_end", OCT_31)
    kw.setdefault("category_id", _category_id("NSAF-CT-MISSING"))
    kw.setdefault("province_code", "06")
    incident = incidents.declare(actor, fund=None if fund is None else _fund(fund), now=NOW, **kw)
    db.session.commit()
    return incident


def _kinds(case) -> list[str]:
    return [e.kind for e in audit.case_events(case.id)]


# --- who --------------------------------------------------------------------------------


def test_who_may_declare(make, supervisor, officer):
    own = _declare(supervisor, fund=None)
    assert own.fund_id == supervisor.fund_id  # a fund's supervisor declares for their own fund
    with pytest.raises(NotPermitted):
        incidents.declare(supervisor, title="x", period_start=OCT_1, period_end=OCT_31, fund=_fund("NSSF"))
    for role in ("officer", "admin", "monitor"):
        user = officer if role == "officer" else make.user(role)
        with pytest.raises(NotPermitted):
            incidents.declare(user, title="x", period_start=OCT_1, period_end=OCT_31, fund=_fund("NSAF"))
    db.session.rollback()
    council = make.user("oversight")
    every = _declare(council, fund=None)
    assert every.fund_id is None  # the council declares across funds
    desk = make.user("officer", fund="NSPC")
    assert _declare(desk, fund="NSSF").fund_id == _fund("NSSF").id  # so does its triage desk
    with pytest.raises(incidents.IncidentRefused):
        incidents.declare(supervisor, title="x", period_start=OCT_31, period_end=OCT_1)
    kinds = db.session.execute(select(Event.kind).where(Event.kind == incidents.DECLARED)).scalars().all()
    assert len(kinds) == 3


def test_link_by_filter_takes_only_matching_open_cases_of_the_fund(make, supervisor):
    matching = [_case(make)[0] for _ in range(5)]
    other_place, _ = _case(make, province="12")
    other_category, _ = _case(make, category="NSAF-CT-AMOUNT")
    other_fund, _ = _case(make, category="NSSF-CONTRIB")
    too_early, _ = _case(make, when=datetime(2026, 9, 30, 12, 0, tzinfo=TZ))
    incident = _declare(supervisor)

    assert incidents.count_matching(incident, supervisor, incidents.Filter.of(incident)) == 5
    assert {c.id for c in incidents.suggestions(incident, supervisor)} == {c.id for c in matching}
    n = incidents.link_by_filter(incident, supervisor, incidents.Filter.of(incident), now=NOW)
    db.session.commit()
    assert n == 5
    assert {c.id for c in incidents.linked_cases(incident)} == {c.id for c in matching}
    for case in matching:
        assert incidents.LINKED in _kinds(case)
    for case in (other_place, other_category, other_fund, too_early):
        assert incidents.current_link(case) is None
    assert incidents.suggestions(incident, supervisor) == []
    assert incidents.link_by_filter(incident, supervisor, incidents.Filter.of(incident)) == 0
    assert audit.verify_record().ok


def test_an_every_fund_incident_is_linked_fund_by_fund_and_by_the_council(make, supervisor):
    nsaf, _ = _case(make, category="NSAF-CT-MISSING")
    nssf, _ = _case(make, category="NSSF-CONTRIB")
    council = make.user("oversight")
    incident = _declare(council, fund=None, category_id=None)
    assert incidents.link_by_filter(incident, supervisor, incidents.Filter.of(incident)) == 1
    assert incidents.current_link(nsaf) is not None and incidents.current_link(nssf) is None
    # the supervisor may not link another fund's case one by one either (as if it did not exist)
    with pytest.raises(NotPermitted) as refused:
        incidents.link(incident, supervisor, nssf)
    assert refused.value.hidden
    assert incidents.link_by_filter(incident, council, incidents.Filter.of(incident)) == 1
    db.session.commit()
    assert incidents.current_link(nssf) is not None
    # the council declares and links but acts on no case
    with pytest.raises(NotPermitted):
        incidents.update_all(incident, council, "x")
    with pytest.raises(NotPermitted):
        incidents.resolve_all(incident, council, "remedied", "x")


def test_one_by_one_an_officer_links_their_own_case_once(make, supervisor, officer):
    case, _ = _case(make)
    incident = _declare(supervisor)
    other_officer = make.user("officer", fund="NSSF")
    with pytest.raises(NotPermitted):
        incidents.link(incident, other_officer, case)
    with pytest.raises(NotPermitted):
        incidents.link_by_filter(incident, officer, incidents.Filter.of(incident))  # by filter: a supervisor's
    incidents.link(incident, officer, case, now=NOW)
    db.session.commit()
    with pytest.raises(incidents.IncidentRefused):
        incidents.link(incident, supervisor, case)
    second = _declare(supervisor, title="Another round")
    with pytest.raises(incidents.IncidentRefused):
        incidents.link(second, supervisor, case)  # one incident at a time


def test_unlink_keeps_the_row_as_history_and_the_chain_verifies(make, supervisor, officer):
    case, _ = _case(make)
    incident = _declare(supervisor)
    incidents.link(incident, supervisor, case, now=NOW)
    db.session.commit()
    with pytest.raises(NotPermitted):
        incidents.unlink(incident, officer, case)
    incidents.unlink(incident, supervisor, case, now=NOW + timedelta(hours=1))
    db.session.commit()
    row = db.session.execute(select(CaseIncident).where(CaseIncident.case_id == case.id)).scalar_one()
    assert row.current_case_id is None and row.unlinked_at is not None
    assert incidents.UNLINKED in _kinds(case)
    assert audit.verify_record().ok
    incidents.link(incident, supervisor, case, now=NOW + timedelta(hours=2))  # linked again: a new row
    db.session.commit()
    assert db.session.execute(select(func.count()).select_from(CaseIncident)).scalar() == 2
    assert audit.verify_record().ok


def test_a_link_row_changed_outside_the_app_is_reported(make, supervisor):
    case, _ = _case(make)
    incident = _declare(supervisor)
    incidents.link(incident, supervisor, case, now=NOW)
    db.session.commit()
    assert audit.verify_record().ok
    db.session.execute(text("UPDATE case_incidents SET current_case_id = NULL"))
    db.session.commit()
    report = audit.verify_record()
    assert not report.ok
    assert any("incident link" in p and "current_case_id" in p for p in report.problems)


def test_a_closed_incident_takes_no_more_links(make, supervisor):
    case, _ = _case(make)
    incident = _declare(supervisor)
    incidents.close(incident, supervisor, now=NOW)
    db.session.commit()
    with pytest.raises(incidents.IncidentRefused):
        incidents.link(incident, supervisor, case)
    assert incidents.suggestions(incident, supervisor) == []


# --- one update to all ------------------------------------------------------------------


def test_one_update_reaches_every_linked_case_in_each_complainants_language(make, supervisor, officer, client):
    received, code_received = _case(make, language="km")
    working, code_working = _case(make, language="en", phone="012 777 888")
    answered, _ = _case(make)
    svc.acknowledge(working, officer, "We have it.", now=NOW)
    svc.start(working, officer, now=NOW)
    svc.acknowledge(answered, officer, "We have it.", now=NOW)
    svc.start(answered, officer, now=NOW)
    svc.resolve(answered, officer, "remedied", "Paid.", now=NOW)
    db.session.commit()
    incident = _declare(supervisor)
    for case in (received, working, answered):
        incidents.link(incident, supervisor, case, now=NOW)
    db.session.commit()
    before = db.session.execute(select(func.count()).select_from(OutboxMessage)).scalar()

    message = "The October payment will be made again on 3 November. Call Sok Dara on 012 345 678 if not."
    outcome = incidents.update_all(incident, supervisor, message, now=NOW + timedelta(hours=1))
    db.session.commit()
    assert sorted(outcome.done) == sorted([received.reference, working.reference])
    assert [ref for ref, _why in outcome.skipped] == [answered.reference]
    assert _kinds(received)[-1] == "acknowledge"  # the first public update acknowledges
    assert _kinds(working)[-1] == "public_update"
    db.session.refresh(received)
    assert received.status == "acknowledged" and received.acknowledged_at is not None

    sent = (
        db.session.execute(select(OutboxMessage).where(OutboxMessage.id > 0).order_by(OutboxMessage.id).offset(before))
        .scalars()
        .all()
    )
    by_case = {m.case_id: m for m in sent}
    assert set(by_case) == {received.id, working.id}
    assert by_case[received.id].language == "km" and by_case[working.id].language == "en"
    assert received.reference in by_case[received.id].body

    page = text_of(client.post("/track", data={"reference": received.reference, "code": code_received}))
    assert "The October payment will be made again on 3 November" in page
    assert "012 345 678" not in page and "Sok Dara" not in page  # redacted on the public page
    assert audit.verify_record().ok


def test_the_update_uses_each_cases_current_version(make, supervisor, officer):
    case, _ = _case(make)
    incident = _declare(supervisor)
    incidents.link(incident, supervisor, case, now=NOW)
    db.session.commit()
    stale_version = case.version
    svc.add_note(case, officer, "Called the commune.", now=NOW)  # a colleague acts meanwhile
    db.session.commit()
    assert case.version != stale_version
    outcome = incidents.update_all(incident, supervisor, "Payment again next week.", now=NOW)
    db.session.commit()
    assert outcome.done == [case.reference]


def test_large_incidents_go_in_batches(make, supervisor):
    cases = [_case(make)[0] for _ in range(5)]
    incident = _declare(supervisor)
    incidents.link_by_filter(incident, supervisor, incidents.Filter.of(incident), now=NOW)
    db.session.commit()
    first = incidents.update_all(incident, supervisor, "News.", batch=2, now=NOW)
    assert len(first.done) == 2 and first.next_after is not None
    second = incidents.update_all(incident, supervisor, "News.", after=first.next_after, batch=2, now=NOW)
    third = incidents.update_all(incident, supervisor, "News.", after=second.next_after, batch=2, now=NOW)
    db.session.commit()
    assert third.next_after is None
    assert sorted(first.done + second.done + third.done) == sorted(c.reference for c in cases)


# --- resolve together --------------------------------------------------------------------


def test_resolve_together_each_case_keeps_its_own_outcome_and_appeals_are_skipped(make, supervisor, officer):
    working = []
    for _ in range(3):
        case, _ = _case(make)
        svc.acknowledge(case, officer, "ok", now=NOW)
        svc.start(case, officer, now=NOW)
        working.append(case)
    not_acknowledged, _ = _case(make)
    appealed, _ = _case(make)
    svc.acknowledge(appealed, officer, "ok", now=NOW - timedelta(days=3))
    svc.start(appealed, officer, now=NOW - timedelta(days=3))
    svc.resolve(appealed, officer, "remedied", "Paid.", now=NOW - timedelta(days=2))
    svc.record_feedback(appealed, False, now=NOW - timedelta(days=1))
    db.session.commit()
    assert appealed.status == "reopened"
    incident = _declare(supervisor)
    for case in (*working, not_acknowledged, appealed):
        incidents.link(incident, supervisor, case, now=NOW)
    db.session.commit()

    outcome = incidents.resolve_all(incident, supervisor, "remedied", "Paid again on 3 November.", now=NOW)
    db.session.commit()
    assert sorted(outcome.done) == sorted(c.reference for c in working)
    skipped = dict(outcome.skipped)
    assert set(skipped) == {not_acknowledged.reference, appealed.reference}
    assert "appeal" in skipped[appealed.reference]
    for case in working:
        db.session.refresh(case)
        assert case.status == "resolved" and case.outcome == "remedied"
        assert _kinds(case).count("resolve") == 1
    db.session.refresh(appealed)
    assert appealed.status == "reopened"
    assert audit.verify_record().ok


# --- pages ------------------------------------------------------------------------------


def _login(client, user):
    client.set_cookie("lang", "en")
    assert client.post("/auth/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_the_case_page_suggests_the_incident_and_links_the_case(make, supervisor, officer, client):
    incident = _declare(supervisor)
    case, _ = _case(make, when=datetime.now(timezone.utc))
    incident.period_end = date.today() + timedelta(days=1)  # the incident covers today
    incident.period_start = date.today() - timedelta(days=1)
    db.session.commit()
    _login(client, officer)
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "This complaint may belong to the incident" in page and incident.title in page
    answer = client.post(f"/incidents/{incident.id}/link", data={"case_id": case.id, "back": "case"})
    assert answer.status_code == 303 and answer.headers["Location"].endswith(f"/cases/{case.id}")
    assert incidents.current_link(case).how == "suggested"
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "Part of the incident" in page


def test_the_incident_pages_declare_link_and_tell_all(make, supervisor, client):
    cases = [_case(make, when=datetime.now(timezone.utc))[0] for _ in range(3)]
    _login(client, supervisor)
    today = datetime.now(timezone.utc).astimezone(TZ).date()
    answer = client.post(
        "/incidents/",
        data={
            "title": "Payment round failed",
            "category": str(_category_id("NSAF-CT-MISSING")),
            "province": "06",
            "period_start": (today - timedelta(days=2)).isoformat(),
            "period_end": today.isoformat(),
        },
    )
    assert answer.status_code == 303
    incident = db.session.execute(select(Incident)).scalar_one()
    assert incident.fund_id == supervisor.fund_id
    page = text_of(client.get(f"/incidents/{incident.id}"))
    assert all(c.reference in page for c in cases)  # suggested
    answer = client.post(
        f"/incidents/{incident.id}/link-filter",
        data={
            "category": str(incident.category_id),
            "province": "06",
            "received_from": incident.period_start.isoformat(),
            "received_to": incident.period_end.isoformat(),
        },
    )
    assert answer.status_code == 303
    assert incidents.linked_count(incident) == 3
    answer = client.post(f"/incidents/{incident.id}/update", data={"message": "Payment again on Monday."})
    assert answer.status_code == 303
    for case in cases:
        assert _kinds(case)[-1] == "acknowledge"
    listing = text_of(client.get("/incidents/"))
    assert "Payment round failed" in listing


def test_another_funds_staff_do_not_see_a_funds_incident(make, supervisor, client):
    incident = _declare(supervisor)
    _login(client, make.user("supervisor", fund="NSSF"))
    assert client.get(f"/incidents/{incident.id}").status_code == 404
    assert client.post(f"/incidents/{incident.id}/update", data={"message": "x"}).status_code == 404
    assert "October Family Package" not in text_of(client.get("/incidents/"))


def test_cases_linked_to_an_incident_are_not_in_other_tests_case_digest(make, supervisor):
    """Linking writes no case row: the case's state digest is unchanged by it (its event says so)."""
    case, _ = _case(make)
    before = audit.case_state(case.id)
    incident = _declare(supervisor)
    incidents.link(incident, supervisor, case, now=NOW)
    db.session.commit()
    assert audit.case_state(case.id) == before
    assert db.session.get(Case, case.id).version == case.version
