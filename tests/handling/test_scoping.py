"""An officer of one fund can neither read, change, count nor confirm another fund's case."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from grievance.extensions import db as _db
from grievance.models import Attachment, Case, Event, IdentityView

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def _snapshot():
    return (
        _db.session.execute(select(func.count()).select_from(Event)).scalar_one(),
        _db.session.execute(select(func.sum(Case.version))).scalar_one(),
        _db.session.execute(select(func.count()).select_from(IdentityView)).scalar_one(),
    )


def _case_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("cases.") and "case_id" in rule.arguments:
            yield rule


@pytest.fixture()
def foreign_case(db, make, tmp_path, app):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, identity_mode="confidential", name="Keo Sophea", phone="012 987 654")
    app.config["UPLOAD_DIR"] = str(tmp_path)
    (tmp_path / "stored-abc").write_bytes(b"%PDF-1.4 test")
    attachment = Attachment(
        case_id=case.id,
        stored_name="stored-abc",
        original_name="card.pdf",
        content_type="application/pdf",
        size=13,
        sha256="0" * 64,
    )
    _db.session.add(attachment)
    _db.session.commit()
    return case, attachment


def test_every_case_route_answers_404_to_another_funds_officer(app, client, login_as, foreign_case):
    case, attachment = foreign_case
    login_as("officer", fund="NSSF")
    before = _snapshot()
    checked = 0
    for rule in _case_routes(app):
        values = {"case_id": case.id, "attachment_id": attachment.id, "action": "acknowledge"}
        url = rule.build({k: v for k, v in values.items() if k in rule.arguments})[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"version": case.version, "message": "x"})
            assert response.status_code == 404, f"{method} {url} answered {response.status_code}"
            assert b"Keo Sophea" not in response.data and case.reference.encode() not in response.data
            checked += 1
    assert checked >= 4
    assert _snapshot() == before, "a refused request changed the database"


@pytest.mark.parametrize("action", ["acknowledge", "resolve", "transfer", "note", "reject", "escalate", "claim"])
def test_every_action_is_refused_for_another_fund(client, login_as, foreign_case, action):
    case, _ = foreign_case
    login_as("supervisor", fund="HEALTH")
    before = _snapshot()
    response = client.post(f"/cases/{case.id}/{action}", data={"version": case.version, "message": "x"})
    assert response.status_code == 404
    assert _snapshot() == before


def test_no_count_reveals_another_funds_cases(client, login_as, foreign_case):
    case, _ = foreign_case
    login_as("officer", fund="NSSF")
    for query in ("", "?status=all", "?category=NSAF-CT-MISSING&status=all", "?province=12&status=all"):
        page = client.get(f"/cases/{query}").get_data(as_text=True)
        assert case.reference not in page
        assert re.search(r"<small>\(0\)</small>", page), f"the total for {query!r} counts a foreign case"
        assert "(1)" not in page


def test_handling_fund_sees_it_and_counts_it(client, login_as, foreign_case):
    case, attachment = foreign_case
    login_as("officer", fund="NSAF")
    page = client.get("/cases/?status=all").get_data(as_text=True)
    assert case.reference in page and "<small>(1)</small>" in page
    download = client.post(f"/cases/{case.id}/attachments/{attachment.id}", data={"reason": "investigate"})
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.data == b"%PDF-1.4 test"


def test_monitors_and_anonymous_users_never_reach_the_staff_case_page(client, login_as, foreign_case):
    case, _ = foreign_case
    anonymous = client.get(f"/cases/{case.id}")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert client.post(f"/cases/{case.id}/acknowledge", data={"version": 1, "message": "x"}).status_code == 401
    login_as("monitor", org="Some CSO")
    assert client.get(f"/cases/{case.id}").status_code == 404
