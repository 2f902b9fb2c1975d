"""Officer search: a Khmer word from inside a sentence, scoped to the fund; phone only for identity."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from grievance.cases import search
from grievance.models.audit import Event
from grievance.services.permits import NotPermitted

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
SENTENCE = "ខ្ញុំមិនទាន់ទទួលបានប្រាក់ឧបត្ថម្ភទេ"


def test_a_khmer_word_from_the_middle_of_a_description_is_found(app, db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)
    other, _ = make.case("NSAF-CT-MISSING", now=T0, description="my pension is late")
    officer = make.user("officer", fund="NSAF")
    found = search.search(officer, "ប្រាក់")
    assert [c.id for c in found.cases] == [case.id]
    assert other.id not in [c.id for c in found.cases]
    assert not found.reference_only


def test_another_funds_case_is_not_found(app, db, make):
    make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)
    nssf_officer = make.user("officer", fund="NSSF")
    assert search.search(nssf_officer, "ប្រាក់").cases == []


def test_by_reference_prefix_and_short_queries(app, db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    officer = make.user("officer", fund="NSAF")
    assert [c.id for c in search.search(officer, case.reference).cases] == [case.id]
    short = search.search(officer, case.reference[:2])
    assert short.reference_only and case.id in [c.id for c in short.cases]


def test_percent_is_literal(app, db, make):
    make.case("NSAF-CT-MISSING", now=T0, description="nothing special here")
    officer = make.user("officer", fund="NSAF")
    assert search.search(officer, "%%%").cases == []


def test_phone_search_refused_without_identity_and_recorded_with(app, db, make):
    case, _ = make.case(
        "NSAF-CT-MISSING", now=T0, name="Sok", phone="012345678", identity_mode="named", consent_given=True
    )
    with pytest.raises(NotPermitted):
        search.search_phone(make.user("oversight", fund=None), "012345678")
    officer = make.user("officer", fund="NSAF")
    found = search.search_phone(officer, "012345678", now=T0)
    assert [c.id for c in found] == [case.id]
    kinds = db.session.execute(select(Event.kind).where(Event.case_id == case.id)).scalars().all()
    assert "identity_view" in kinds


def test_the_queue_page_finds_a_khmer_word_and_says_when_only_references_were_searched(client, login_as, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, description=SENTENCE)
    login_as("officer", fund="NSAF")
    page = client.get("/cases/", query_string={"q": "ប្រាក់"}).get_data(as_text=True)
    assert f">{case.reference}</a>" in page
    short = client.get("/cases/", query_string={"q": "ab"}).get_data(as_text=True)
    assert "ស្វែងរកតែលេខយោងដែលចាប់ផ្ដើមដោយតួអក្សរទាំងនោះប៉ុណ្ណោះ" in short  # Khmer first
    assert "ស្វែងរកតែលេខយោង" not in client.get("/cases/", query_string={"q": "ប្រាក់"}).get_data(as_text=True)
