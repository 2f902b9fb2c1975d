"""Duplicates without exposure (issue 16 item 5): a keyed programme number, a count, marking a duplicate."""

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, update

from grievance.cases import duplicates
from grievance.cases import service as cases
from grievance.extensions import db
from grievance.models import Complainant, Event, OutboxMessage
from grievance.services import audit
from grievance.services.permits import NotPermitted

T0 = datetime(2026, 10, 5, 3, 0, tzinfo=timezone.utc)
LATER = datetime(2026, 10, 7, 3, 0, tzinfo=timezone.utc)
CARD = "IDP-12-0034567"


def _person(make, number=CARD, category="NSAF-CT-MISSING", **extra):
    extra.setdefault("identity_mode", "confidential")
    extra.setdefault("name", "Sok Dara")
    return make.case(category, now=T0, programme_number=number, **extra)[0]


def _events(case, kind):
    query = select(Event).where(Event.case_id == case.id, Event.kind == kind)
    return list(db.session.execute(query).scalars())


def test_the_number_is_matched_by_a_keyed_hash_whatever_way_it_is_written(make):
    case = _person(make)
    stored = db.session.execute(select(Complainant).where(Complainant.case_id == case.id)).scalar_one()
    assert stored.programme_hash and CARD not in stored.programme_hash and "0034567" not in stored.programme_hash
    assert duplicates.programme_hash("idp 12 ០០៣៤៥៦៧") == stored.programme_hash, "Khmer digits, spaces, case"
    assert duplicates.programme_hash("IDP-12-0034568") != stored.programme_hash
    assert duplicates.programme_hash("  - ") is None and duplicates.programme_hash(None) is None


def test_the_case_page_counts_other_open_complaints_for_those_who_may_see_identity_only(make, client, login_as):
    first = _person(make)
    second = _person(make, "idp-12-0034567", name="Sok Dara's daughter")
    _person(make, "IDP-99-0000001")
    anonymous = _person(make, identity_mode="anonymous", name=None)  # anonymous, but gave the card
    other_fund = _person(make, category="NSSF-CONTRIB", province_code="17")
    officer = login_as("officer", fund="NSAF")
    found = duplicates.same_programme(officer, first)
    assert found.count == 2 and {ref for _, ref in found.cases} == {second.reference, anonymous.reference}
    assert other_fund.reference not in {ref for _, ref in found.cases}, "only cases the officer may open"

    page = client.get(f"/cases/{first.id}?lang=en").get_data(as_text=True)
    assert "Other open complaints with the same programme number: 2" in page
    assert CARD not in page and second.reference in page
    km = client.get(f"/cases/{first.id}?lang=km").get_data(as_text=True)
    assert "លេខកម្មវិធីដូចគ្នា" in km

    for role, fund in (("oversight", None), ("monitor", None)):
        reader = make.user(role, fund=fund)
        assert duplicates.same_programme(reader, first) is None, f"{role} may not see identity: no count"


def test_marking_a_duplicate_finishes_it_keeps_the_originals_clock_and_tells_the_complainant(make):
    original = _person(make)
    dup = _person(make, phone="012 555 111", sms_opt_in=True)
    officer = make.user("officer", fund="NSAF")
    cases.acknowledge(original, officer, "We have it.", now=T0)
    clocks = (original.ack_due_at, original.resolve_due_at, original.status, original.version)
    duplicates.mark_duplicate(dup, officer, original, "Same card, same missing October payment", now=LATER)
    db.session.commit()
    db.session.refresh(original)

    assert dup.status == "rejected" and dup.finished_at is not None
    assert (original.ack_due_at, original.resolve_due_at, original.status, original.version) == clocks
    (reject,) = _events(dup, "reject")
    assert not reject.public and json.loads(reject.payload)["duplicate_of"] == original.reference
    (told,) = _events(dup, "duplicate")
    assert told.public and json.loads(told.payload)["original"] == original.reference
    (linked,) = _events(original, "duplicate_linked")
    assert json.loads(linked.payload)["duplicate"] == dup.reference
    sms = db.session.execute(select(OutboxMessage).where(OutboxMessage.case_id == dup.id)).scalars().all()
    assert sms and all(original.reference not in m.body for m in sms), "the SMS names only the complainant's own"
    assert duplicates.original_of(dup) == original.reference
    assert audit.verify_record().ok


def test_the_tracking_page_says_where_to_follow(make, client):
    original = _person(make)
    dup, code = make.case(
        "NSAF-CT-MISSING", now=T0, programme_number=CARD, identity_mode="confidential", name="Sok", language="en"
    )
    officer = make.user("officer", fund="NSAF")
    duplicates.mark_duplicate(dup, officer, original, "same", now=LATER)
    db.session.commit()
    page = client.post("/track?lang=en", data={"reference": dup.reference, "code": code})
    text = page.get_data(as_text=True)
    assert f"the same as complaint {original.reference}" in text


@pytest.mark.parametrize("what", ["itself", "closed", "loop", "no reason"])
def test_marking_is_refused_when_it_makes_no_sense(make, what):
    original = _person(make)
    dup = _person(make)
    officer = make.user("officer", fund="NSAF")
    target, reason = original, "same"
    if what == "itself":
        target = dup
    elif what == "closed":
        cases.reject(original, officer, "not ours", now=T0)
        cases.close(original, officer, now=T0)
    elif what == "loop":
        duplicates.mark_duplicate(original, officer, dup, "same", now=T0)  # the other way round first
        cases.reopen(original, officer, "marked the wrong way round", now=T0)
    elif what == "no reason":
        reason = "  "
    db.session.commit()
    with pytest.raises(cases.TransitionRefused):
        duplicates.mark_duplicate(dup, officer, target, reason, now=LATER)


def test_only_the_handling_fund_marks_and_only_an_original_it_may_open(make):
    original = _person(make)
    dup = _person(make)
    elsewhere = _person(make, category="NSSF-CONTRIB", province_code="17")
    for stranger in (make.user("officer", fund="NSSF"), make.user("oversight", fund=None)):
        with pytest.raises(NotPermitted):
            duplicates.mark_duplicate(dup, stranger, original, "not mine", now=LATER)
    officer = make.user("officer", fund="NSAF")
    with pytest.raises(NotPermitted):
        duplicates.mark_duplicate(dup, officer, elsewhere, "another fund's case", now=LATER)


def test_backfill_keys_old_rows_and_the_record_stays_verified(make):
    case = _person(make)
    db.session.execute(update(Complainant).where(Complainant.case_id == case.id).values(programme_hash=None))
    audit.append_event("state_recorded", case_id=case.id, actor_label="system", payload={"why": "test: as before"})
    db.session.commit()
    assert audit.verify_record().ok
    assert duplicates.key_programme_numbers() == 1
    assert duplicates.key_programme_numbers() == 0, "a second run has nothing to do"
    stored = db.session.execute(select(Complainant).where(Complainant.case_id == case.id)).scalar_one()
    assert stored.programme_hash == duplicates.programme_hash(CARD)
    assert audit.verify_record().ok, "each keyed case has its new state on the record"
