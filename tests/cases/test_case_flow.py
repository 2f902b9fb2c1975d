"""A fund officer works a case from the queue to resolution; everyone else is kept out."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grievance.cases.actions import ACTIONS
from grievance.domain import dates
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models import Case, Event
from grievance.models.timeutil import from_db
from tests.intake.helpers import case_by_reference, receipt_of, submit_complaint, text_of

CHANGED_KM = "ករណីនេះបានផ្លាស់ប្ដូរ ពេលអ្នកកំពុងមើល។"
CHANGED_EN = "This case changed while you were looking at it. Reload and check before acting again."


def _flashes(page: str) -> list[str]:
    return [m.strip() for m in re.findall(r'<p class="flash (?:error|success)" role="status">(.*?)</p>', page, re.S)]


def _public_steps(page: str) -> list[str]:
    section = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S)
    assert section, "the case page has no public timeline"
    return re.findall(r"<strong>(.*?)</strong>", section.group(1))


def _snapshot(case_id: int):
    db.session.expire_all()
    case = db.session.get(Case, case_id)
    events = db.session.scalar(select(func.count()).select_from(Event).where(Event.case_id == case_id))
    return (case.status, case.version, case.fund_id, case.assignee_id, case.acknowledged_at, case.outcome, events)


def _version(client, case_id: int) -> int:
    page = text_of(client.get(f"/cases/{case_id}"))
    match = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', page)
    assert match, "the case page has no action form"
    return int(match.group(1))


@pytest.fixture()
def filed(client):
    """A complaint about a missing cash transfer, filed through the public form."""
    reference, code = receipt_of(submit_complaint(client, category="NSAF-CT-MISSING"))
    return case_by_reference(reference), code


def test_officer_of_the_routed_fund_acknowledges_and_resolves_from_the_queue(client, login_as, filed):
    case, _code = filed
    login_as("officer", fund="NSAF")

    queue = text_of(client.get("/cases/"))
    row = re.search(rf'<tr[^>]*>\s*<td><a href="/cases/{case.id}">{case.reference}</a></td>(.*?)</tr>', queue, re.S)
    assert row, "the new case is not in the NSAF queue"
    assert "បានទទួល" in row.group(1)  # status: received
    # The queue is read in Khmer: days with Khmer month names («7 ធ្នូ 2026»).
    ack_day = dates.day(from_db(case.ack_due_at).astimezone(TZ), "km")
    resolve_day = dates.day(from_db(case.resolve_due_at).astimezone(TZ), "km")
    assert ack_day in row.group(1) and resolve_day in row.group(1)

    page = text_of(client.get(f"/cases/{case.id}"))
    assert case.description in page
    assert f'action="/cases/{case.id}/acknowledge"' in page
    assert f'action="/cases/{case.id}/resolve"' not in page  # not offered before acknowledging

    version = _version(client, case.id)
    response = client.post(
        f"/cases/{case.id}/acknowledge",
        data={"version": version, "message": "យើងបានទទួលបណ្ដឹងរបស់អ្នកហើយ។"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "បានទទួលស្គាល់។ អ្នកប្ដឹងអាចមើលឃើញសាររបស់អ្នក។" in _flashes(text_of(response))
    assert case_by_reference(case.reference).status == "acknowledged"

    version = _version(client, case.id)
    response = client.post(
        f"/cases/{case.id}/resolve",
        data={"version": version, "outcome": "remedied", "message": "ប្រាក់ត្រូវបានផ្ញើទៅអ្នកនៅថ្ងៃនេះ។"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = text_of(response)
    assert "បានដោះស្រាយ។ អ្នកប្ដឹងអាចមើលឃើញការពន្យល់របស់អ្នក។" in _flashes(page)
    resolved = case_by_reference(case.reference)
    assert resolved.status == "resolved"
    assert resolved.outcome == "remedied"
    assert resolved.first_resolved_at is not None

    # The history shows each step once, in order: received, acknowledged, resolved.
    assert _public_steps(page) == ["បានទទួល", "បានទទួលស្គាល់", "បានដោះស្រាយ"]
    assert page.index("យើងបានទទួលបណ្ដឹងរបស់អ្នកហើយ។") < page.index("ប្រាក់ត្រូវបានផ្ញើទៅអ្នកនៅថ្ងៃនេះ។")

    # The open queue no longer lists it; the resolved filter does.
    assert case.reference not in text_of(client.get("/cases/"))
    assert case.reference in text_of(client.get("/cases/?status=resolved"))


def test_case_page_history_in_english(client, login_as, filed):
    case, _code = filed
    client.set_cookie("lang", "en")
    login_as("officer", fund="NSAF")
    client.post(f"/cases/{case.id}/acknowledge", data={"version": _version(client, case.id), "message": "Seen."})
    page = text_of(client.get(f"/cases/{case.id}"))
    assert _public_steps(page) == ["Received", "Acknowledged"]


def test_officer_of_another_fund_gets_404_everywhere_and_changes_nothing(client, login_as, filed):
    case, _code = filed
    before = _snapshot(case.id)
    login_as("officer", fund="NSSF")

    assert case.reference not in text_of(client.get("/cases/?status=all"))
    page = client.get(f"/cases/{case.id}")
    assert page.status_code == 404
    assert case.description not in text_of(page)
    assert "ទំព័រនេះមិនមានទេ ឬអ្នកមិនអាចមើលវាបានទេ។" in text_of(page)

    data = {
        "version": case.version,
        "message": "x",
        "outcome": "remedied",
        "fund": "NSSF",
        "extra_days": 5,
        "decision": "approve",
        "request_id": 1,
    }
    for action in [*ACTIONS, "identity"]:
        response = client.post(f"/cases/{case.id}/{action}", data=data)
        assert response.status_code == 404, action
    # Same answer as for a case that does not exist: existence is not confirmed.
    assert client.get("/cases/999999").status_code == 404
    assert client.post("/cases/999999/acknowledge", data=data).status_code == 404
    assert _snapshot(case.id) == before


def test_supervisor_of_another_fund_is_kept_out_too(client, login_as, filed):
    case, _code = filed
    before = _snapshot(case.id)
    login_as("supervisor", fund="HEALTH")
    assert client.get(f"/cases/{case.id}").status_code == 404
    assert client.post(f"/cases/{case.id}/acknowledge", data={"version": 1, "message": "x"}).status_code == 404
    assert _snapshot(case.id) == before


@pytest.mark.parametrize(
    ("action", "data", "km", "en"),
    [
        (
            "resolve",
            {"outcome": "remedied", "message": "done"},
            "មិនបានធ្វើទេ៖ អ្នកមិនអាច «ដោះស្រាយ» ករណីដែល «បានទទួល» បានទេ។",
            "Not done: you cannot “Resolve” a case that is “Received”.",
        ),
        (
            "close",
            {},
            "មិនបានធ្វើទេ៖ អ្នកមិនអាច «បិទ» ករណីដែល «បានទទួល» បានទេ។",
            "Not done: you cannot “Close” a case that is “Received”.",
        ),
        (
            "reopen",
            {"message": "again"},
            "មិនបានធ្វើទេ៖ អ្នកមិនអាច «បើកឡើងវិញ» ករណីដែល «បានទទួល» បានទេ។",
            "Not done: you cannot “Reopen” a case that is “Received”.",
        ),
    ],
    ids=["resolve-a-received-case", "close-an-open-case", "reopen-an-open-case"],
)
@pytest.mark.parametrize("lang", ["km", "en"])
def test_forbidden_transition_is_refused_clearly_and_changes_nothing(
    client, login_as, filed, lang, action, data, km, en
):
    case, _code = filed
    if lang == "en":
        client.set_cookie("lang", "en")
    login_as("officer", fund="NSAF")
    before = _snapshot(case.id)
    response = client.post(f"/cases/{case.id}/{action}", data={"version": case.version, **data})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/cases/{case.id}")
    page = text_of(client.get(response.headers["Location"]))
    assert (km if lang == "km" else en) in _flashes(page)
    assert _snapshot(case.id) == before


def test_stale_version_gets_the_case_changed_message_and_changes_nothing(client, login_as, filed):
    case, _code = filed
    login_as("officer", fund="NSAF")
    seen = _version(client, case.id)

    # A colleague acknowledges first.
    client.post(f"/cases/{case.id}/acknowledge", data={"version": seen, "message": "ចាប់ផ្ដើមពិនិត្យ។"})
    before = _snapshot(case.id)
    assert before[0] == "acknowledged"

    # This officer still has the old page open and sends a note with the old version.
    response = client.post(
        f"/cases/{case.id}/public_update", data={"version": seen, "message": "ព័ត៌មានថ្មី"}, follow_redirects=True
    )
    assert response.status_code == 409  # the page comes back at once, with the typed text (a conflict)
    assert any(CHANGED_KM in f for f in _flashes(text_of(response)))
    assert _snapshot(case.id) == before

    client.set_cookie("lang", "en")
    response = client.post(
        f"/cases/{case.id}/resolve",
        data={"version": seen, "outcome": "remedied", "message": "late"},
        follow_redirects=True,
    )
    assert CHANGED_EN in _flashes(text_of(response))
    assert _snapshot(case.id) == before


def test_action_without_a_message_is_refused_with_the_field_named(client, login_as, filed):
    case, _code = filed
    login_as("officer", fund="NSAF")
    before = _snapshot(case.id)
    response = client.post(
        f"/cases/{case.id}/acknowledge", data={"version": case.version, "message": ""}, follow_redirects=True
    )
    assert any(f.startswith("សូមកែទម្រង់នេះ៖") for f in _flashes(text_of(response)))
    assert _snapshot(case.id) == before


def test_anonymous_visitors_are_sent_to_login_for_pages_and_refused_for_actions(client, filed):
    case, _code = filed
    before = _snapshot(case.id)
    for path in ("/cases/", f"/cases/{case.id}", "/cases/?status=all"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/auth/login" in response.headers["Location"]
    for action in [*ACTIONS, "identity"]:
        response = client.post(f"/cases/{case.id}/{action}", data={"version": case.version, "message": "x"})
        assert response.status_code == 401, action
        assert "អ្នកមិនមានសិទ្ធិធ្វើការនេះទេ។" in text_of(response)
        assert case.description not in text_of(response)
    assert _snapshot(case.id) == before


def test_logged_out_officer_is_anonymous_again(client, login_as, filed):
    case, _code = filed
    login_as("officer", fund="NSAF")
    assert client.get(f"/cases/{case.id}").status_code == 200
    client.post("/auth/logout")
    assert client.get(f"/cases/{case.id}").status_code == 302
    assert client.post(f"/cases/{case.id}/acknowledge", data={"version": 1, "message": "x"}).status_code == 401
