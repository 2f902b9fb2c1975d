"""Following a complaint with its reference and tracking code: status, history, answers, appeals."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as svc
from grievance.extensions import db
from grievance.models import Event
from grievance.models.timeutil import from_db
from tests.intake.helpers import case_by_reference, field_error, receipt_of, submit_complaint, text_of

NOT_FOUND_KM = "យើងរកមិនឃើញបណ្ដឹងដែលមានលេខយោង និងលេខកូដនេះទេ។ សូមពិនិត្យលេខទាំងពីរ ហើយសាកម្ដងទៀត។"
NOT_FOUND_EN = "We could not find a complaint with this reference and code. Check both and try again."


def track(client, reference, code):
    return client.post("/track", data={"reference": reference, "code": code})


@pytest.fixture()
def officer(make):
    return make.user("officer", fund="NSAF")


@pytest.fixture()
def filed(client):
    """A complaint filed through the form: (reference, code)."""
    return receipt_of(submit_complaint(client, category="NSAF-CT-MISSING"))


def _case(reference):
    return case_by_reference(reference)


def test_lookup_shows_status_in_plain_words_and_the_public_history(client, filed, officer):
    reference, code = filed
    case = _case(reference)
    svc.acknowledge(case, officer, "យើងបានទទួលបណ្ដឹងរបស់អ្នក ហើយនឹងទាក់ទងភ្នាក់ងារបើកប្រាក់។")
    db.session.commit()

    response = track(client, reference, code)
    assert response.status_code == 200
    page = text_of(response)
    assert f"<h1>{reference}</h1>" in page
    assert "មូលនិធិបានឃើញបណ្ដឹងរបស់អ្នកហើយ ហើយនឹងពិនិត្យមើល។" in page  # status, in plain Khmer
    assert "មូលនិធិជាតិជំនួយសង្គម" in page  # handled by NSAF, in Khmer
    history = re.search(r'<ol class="timeline">(.*?)</ol>', page, re.S).group(1)
    steps = re.findall(r"<strong>(.*?)</strong>", history)
    assert steps == ["បានទទួលបណ្ដឹង", "មូលនិធិបានទទួលស្គាល់"]  # received, then acknowledged
    assert "ទាក់ទងភ្នាក់ងារបើកប្រាក់" in history  # the fund's public message
    assert officer.name not in page  # staff names are not shown to the public


def test_lookup_in_english_with_the_language_cookie(client, filed):
    reference, code = filed
    client.set_cookie("lang", "en")
    page = text_of(track(client, reference, code))
    assert "We have received your complaint. The fund has not answered yet." in page
    assert "Complaint received" in page
    assert "National Social Assistance Fund" in page


def test_code_is_accepted_as_people_type_it(client, filed):
    reference, code = filed
    typed = code.replace("-", " ").lower()  # spaces instead of dashes, small letters
    assert track(client, reference.lower(), typed).status_code == 200


def _without_typed_values(page: str) -> str:
    return re.sub(r'value="[^"]*"', 'value=""', page)


def test_wrong_code_wrong_reference_and_malformed_code_look_the_same(client, filed, make):
    reference, code = filed
    other_case, other_code = make.case("HEALTH-FEE")
    next_reference = reference[:-6] + f"{int(reference[-6:]) + 5:06d}"
    attempts = {
        "wrong code": (reference, "ABCD-EFGH-JKMN-PQRS"),
        "another case's code": (reference, other_code),
        "wrong reference": (next_reference, code),
        "other case's reference": (other_case.reference, code),
        "malformed code": (reference, "12345"),
        "malformed reference": ("GRV-20X6-1", code),
    }
    pages = {}
    for label, (ref, typed) in attempts.items():
        response = track(client, ref, typed)
        assert response.status_code == 404, label
        page = text_of(response)
        assert field_error(page, "code") == NOT_FOUND_KM, label
        assert "មូលនិធិ" not in page.split("<main>")[1].split("</form>")[1], label  # no fund, no status
        assert 'class="status' not in page, label
        pages[label] = _without_typed_values(page)
    assert len(set(pages.values())) == 1, "the pages differ, so they reveal which part was wrong"


def test_not_found_message_in_english(client, filed):
    reference, _code = filed
    client.set_cookie("lang", "en")
    response = track(client, reference, "ABCD-EFGH-JKMN-PQRS")
    assert response.status_code == 404
    assert field_error(text_of(response), "code") == NOT_FOUND_EN


def test_missing_fields_are_asked_for_without_a_lookup(client):
    response = client.post("/track", data={"reference": "", "code": ""})
    assert response.status_code == 400
    assert field_error(text_of(response), "reference")
    assert field_error(text_of(response), "code")


def test_adding_information_resumes_a_case_awaiting_information(client, filed, officer):
    reference, code = filed
    case = _case(reference)
    asked_at = datetime.now(timezone.utc) - timedelta(days=3)
    svc.acknowledge(case, officer, "បានទទួល", now=asked_at - timedelta(hours=1))
    svc.request_info(case, officer, "សូមផ្ញើលេខប័ណ្ណសមធម៌របស់អ្នក។", now=asked_at)
    db.session.commit()
    due_before = from_db(case.resolve_due_at)

    page = text_of(track(client, reference, code))
    assert "មូលនិធិត្រូវការព័ត៌មានបន្ថែមពីអ្នក។" in page  # the fund needs more information
    assert "សូមផ្ញើលេខប័ណ្ណសមធម៌របស់អ្នក។" in page  # the question itself

    answer = "លេខប័ណ្ណរបស់ខ្ញុំគឺ 12-345-678។"
    response = client.post("/track/information", data={"reference": reference, "code": code, "message": answer})
    assert response.status_code == 200
    page = text_of(response)
    assert "មូលនិធិកំពុងដោះស្រាយបណ្ដឹងរបស់អ្នក។" in page  # working on it again
    assert answer in page

    case = _case(reference)
    assert case.status == "in_progress"
    assert case.paused_at is None
    assert case.paused_seconds > 0
    assert from_db(case.resolve_due_at) > due_before  # the paused working time was given back


def test_adding_information_to_an_open_case_is_shown_in_the_history(client, filed):
    reference, code = filed
    response = client.post(
        "/track/information", data={"reference": reference, "code": code, "message": "ខ្ញុំភ្លេចប្រាប់ថា..."}
    )
    assert response.status_code == 200
    assert "ខ្ញុំភ្លេចប្រាប់ថា..." in text_of(response)
    assert _case(reference).status == "received"


def test_adding_information_with_a_wrong_code_changes_nothing(client, filed):
    reference, _code = filed
    events_before = db.session.scalar(select(db.func.count()).select_from(Event))
    response = client.post(
        "/track/information", data={"reference": reference, "code": "ABCD-EFGH-JKMN-PQRS", "message": "x"}
    )
    assert response.status_code == 404
    assert field_error(text_of(response), "code") == NOT_FOUND_KM
    assert db.session.scalar(select(db.func.count()).select_from(Event)) == events_before


def _resolve(case, officer, *, days_ago=0):
    when = datetime.now(timezone.utc) - timedelta(days=days_ago)
    svc.acknowledge(case, officer, "បានទទួល", now=when - timedelta(hours=2))
    svc.resolve(case, officer, "remedied", "ប្រាក់របស់អ្នកនឹងត្រូវផ្ញើនៅថ្ងៃច័ន្ទ។", now=when)
    db.session.commit()


def test_answer_no_within_30_days_reopens_the_case_as_an_appeal(client, filed, officer):
    reference, code = filed
    _resolve(_case(reference), officer, days_ago=10)

    page = text_of(track(client, reference, code))
    assert "មូលនិធិបានឆ្លើយតបបណ្ដឹងរបស់អ្នកហើយ។" in page  # the fund has answered
    assert "ប្រាក់របស់អ្នកនឹងត្រូវផ្ញើនៅថ្ងៃច័ន្ទ។" in page
    assert "តើចម្លើយនេះដោះស្រាយបញ្ហារបស់អ្នកបានទេ?" in page  # did this solve your problem?

    response = client.post("/track/feedback", data={"reference": reference, "code": code, "solved": "no"})
    assert response.status_code == 200
    page = text_of(response)
    assert "បណ្ដឹងរបស់អ្នកត្រូវបានបើកឡើងវិញ ហើយមូលនិធិកំពុងពិនិត្យមើល។" in page  # opened again
    assert "តើចម្លើយនេះដោះស្រាយបញ្ហារបស់អ្នកបានទេ?" not in page  # not asked twice

    case = _case(reference)
    assert case.status == "reopened"
    assert case.satisfied is False
    assert case.reopen_count == 1
    reopen = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "reopen")).scalar_one()
    assert json.loads(reopen.payload)["appeal"] is True


def test_answer_yes_keeps_the_case_resolved(client, filed, officer):
    reference, code = filed
    _resolve(_case(reference), officer)
    response = client.post("/track/feedback", data={"reference": reference, "code": code, "solved": "yes"})
    assert response.status_code == 200
    case = _case(reference)
    assert case.status == "resolved"
    assert case.satisfied is True
    assert "តើចម្លើយនេះដោះស្រាយបញ្ហារបស់អ្នកបានទេ?" not in text_of(response)


def test_answer_no_after_30_days_is_recorded_but_does_not_reopen(client, filed, officer):
    reference, code = filed
    _resolve(_case(reference), officer, days_ago=45)
    response = client.post("/track/feedback", data={"reference": reference, "code": code, "solved": "no"})
    assert response.status_code == 200
    case = _case(reference)
    assert case.status == "resolved"
    assert case.satisfied is False
    assert case.reopen_count == 0


def test_feedback_before_an_answer_is_refused(client, filed):
    reference, code = filed
    response = client.post("/track/feedback", data={"reference": reference, "code": code, "solved": "no"})
    assert response.status_code == 409
    case = _case(reference)
    assert case.status == "received"
    assert case.satisfied is None


def test_internal_notes_never_appear_on_the_tracking_page(client, filed, officer):
    reference, code = filed
    case = _case(reference)
    svc.acknowledge(case, officer, "សារសាធារណៈ")
    svc.add_note(case, officer, "INTERNAL: agent Sok may be skimming; check before calling")
    db.session.commit()
    transfer_to = db.session.execute(select(svc.Fund).where(svc.Fund.code == "NSSF")).scalar_one()
    svc.transfer(case, officer, transfer_to, "wrong fund: contributions, not cash transfer")
    db.session.commit()

    for lang in ("km", "en"):
        client.set_cookie("lang", lang)
        page = text_of(track(client, reference, code))
        assert "សារសាធារណៈ" in page  # the public message is there
        assert "INTERNAL" not in page
        assert "skimming" not in page
        assert officer.name not in page
        assert officer.email not in page
