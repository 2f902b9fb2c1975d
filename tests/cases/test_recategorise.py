"""Correcting a case's category (issue 16 item 3): a reason, routing re-checked, the clocks kept."""

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as cases
from grievance.extensions import db
from grievance.models import Event, OutboxMessage
from grievance.services import audit
from grievance.services.permits import NotPermitted

T0 = datetime(2026, 10, 5, 3, 0, tzinfo=timezone.utc)  # a Monday
LATER = datetime(2026, 10, 7, 3, 0, tzinfo=timezone.utc)


def _events(case, kind):
    rows = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == kind)).scalars()
    return list(rows)


def _clocks(case):
    return (case.received_at, case.ack_due_at, case.resolve_due_at, case.sla_policy_id)


def test_the_council_desk_corrects_other_into_a_missing_payment_and_the_case_moves_to_nsaf(make):
    case, _ = make.case(
        "OTHER", now=T0, identity_mode="confidential", name="Sok Dara", phone="012 345 678", sms_opt_in=True
    )
    desk = make.user("officer", fund="NSPC")
    assert case.fund.code == "NSPC"
    cases.acknowledge(case, desk, "We have it.", now=T0)
    clocks = _clocks(case)
    version = case.version

    fund = cases.recategorise(
        case, desk, "NSAF-CT-MISSING", "The family's transfer did not arrive", expected_version=version, now=LATER
    )
    db.session.commit()

    assert fund.code == "NSAF" and case.fund.code == "NSAF"
    assert case.category.code == "NSAF-CT-MISSING"
    assert _clocks(case) == clocks, "the clocks keep running from the receipt"
    assert case.transfer_count == 1 and case.assignee_id is None
    assert case.version == version + 1, "one change of the case"
    (recat,) = _events(case, "recategorise")
    assert not recat.public
    payload = json.loads(recat.payload)
    assert payload["from_category"] == "OTHER" and payload["to_category"] == "NSAF-CT-MISSING"
    assert payload["routed_to"] == "NSAF" and payload["reason"] == "The family's transfer did not arrive"
    (moved,) = _events(case, "transfer")
    assert moved.public and json.loads(moved.payload)["to_fund"] == "NSAF"
    assert audit.verify_record().ok, "both events carry the state the case is in"
    told = db.session.execute(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).scalars().all()
    assert told, "the complainant who opted in is told the case moved"


def test_a_correction_within_the_fund_moves_nothing(make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    cases.recategorise(case, officer, "NSAF-CT-AMOUNT", "Paid, but the wrong amount", now=LATER)
    db.session.commit()
    assert case.category.code == "NSAF-CT-AMOUNT" and case.fund.code == "NSAF"
    assert case.transfer_count == 0 and not _events(case, "transfer")
    assert audit.verify_record().ok


@pytest.mark.parametrize(
    "code, reason, refused",
    [
        ("NSAF-CT-AMOUNT", "  ", "say why"),
        ("NSAF-CT-MISSING", "no change", "already has that category"),
        ("NO-SUCH", "typo", "active category"),
    ],
)
def test_a_correction_needs_a_reason_and_a_real_new_category(make, code, reason, refused):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    version = case.version
    with pytest.raises(cases.TransitionRefused, match=refused):
        cases.recategorise(case, officer, code, reason, now=LATER)
    db.session.rollback()
    db.session.refresh(case)
    assert case.version == version and case.category.code == "NSAF-CT-MISSING"


def test_only_the_handling_fund_corrects_and_a_stale_version_is_refused(make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    for stranger in (make.user("officer", fund="NSSF"), make.user("oversight", fund=None), make.user("monitor")):
        with pytest.raises(NotPermitted):
            cases.recategorise(case, stranger, "NSAF-CT-AMOUNT", "not mine to say", now=LATER)
    officer = make.user("officer", fund="NSAF")
    with pytest.raises(cases.CaseConflict):
        cases.recategorise(case, officer, "NSAF-CT-AMOUNT", "stale", expected_version=case.version - 1, now=LATER)


def test_a_misconduct_complaint_goes_to_the_council_and_only_the_desk_takes_it_out(make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    cases.recategorise(case, officer, "MISCONDUCT", "The commune official asked for money", now=LATER)
    db.session.commit()
    assert case.fund.code == "NSPC" and case.category.sensitive
    desk = make.user("officer", fund="NSPC")
    cases.recategorise(case, desk, "NSAF-CT-MISSING", "No official involved after all", now=LATER)
    db.session.commit()
    assert case.fund.code == "NSAF"
    assert audit.verify_record().ok


def test_the_case_page_offers_the_correction_and_the_timeline_names_both_categories(make, client, login_as):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = login_as("officer", fund="NSAF")
    cases.acknowledge(case, officer, "We have it.", now=T0)
    db.session.commit()
    page = client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True)
    assert "Correct the category" in page
    answer = client.post(
        f"/cases/{case.id}/recategorise",
        data={"version": case.version, "category": "NSAF-CT-AMOUNT", "message": "Wrong amount, not missing"},
    )
    assert answer.status_code in (302, 303)
    db.session.refresh(case)
    assert case.category.code == "NSAF-CT-AMOUNT"
    page = client.get(f"/cases/{case.id}?lang=en").get_data(as_text=True)
    assert "Category corrected" in page and "Wrong amount, not missing" in page
    km = client.get(f"/cases/{case.id}?lang=km").get_data(as_text=True)
    assert case.category.name("km") in km
