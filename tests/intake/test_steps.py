"""The public form in short steps: one question per screen, answers and files kept on the server."""

from __future__ import annotations

import io
import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.intake import steps
from grievance.models import Case, Draft, PendingUpload
from tests.intake import sample_files
from tests.intake.helpers import (
    KHMER_DESCRIPTION,
    case_by_reference,
    field_error,
    form_token,
    receipt_of,
    stored_files,
    text_of,
    textarea_value,
)


def post_step(client, step, data=None, files=None):
    data = dict(data or {})
    if files is not None:
        data["attachments"] = [(io.BytesIO(content), name) for name, content in files]
        return client.post(f"/complaint/{step}", data=data, content_type="multipart/form-data")
    return client.post(f"/complaint/{step}", data=data)


def go(client, step, data=None, files=None, expect=None):
    """Answer a step; it answers with a redirect (303) to the next one, which is returned as a page."""
    response = post_step(client, step, data, files)
    assert response.status_code == 303, (step, response.status_code, field_errors(text_of(response)))
    target = response.headers["Location"]
    if expect is not None:
        assert target.split("#")[0] == f"/complaint/{expect}"
    return client.get(target)


def field_errors(page: str) -> list[str]:
    return re.findall(r'<p class="error"[^>]*>(.*?)</p>', page, re.S)


def start(client, category="NSAF-CT-MISSING"):
    return go(client, "what", {"category": category, "form_token": form_token(client)}, expect="story")


def test_a_complaint_in_steps_keeps_the_photo_when_the_district_changes(client, upload_dir):
    start(client)
    go(client, "story", {"description": KHMER_DESCRIPTION}, files=[("ការតវ៉ា.jpg", sample_files.jpeg_with_gps())])
    assert len(stored_files(upload_dir)) == 1  # checked, cleaned and kept at once, as a pending upload
    page = go(client, "place", {"province": "12", "go": "district"}, expect="place")
    assert 'name="district"' in text_of(page)
    go(client, "place", {"province": "12", "district": "1201", "go": "commune"}, expect="place")
    # The person changes the district: the commune of the old one is dropped, the photo stays.
    page = go(client, "place", {"province": "12", "district": "1202", "commune": "120101", "go": "commune"})
    assert 'value="1202" selected' in text_of(page) or 'selected value="1202"' in text_of(page)
    go(client, "place", {"province": "12", "district": "1202", "commune": "", "go": "next"}, expect="when")
    go(client, "when", {"occurred_on-day": "3", "occurred_on-month": "2", "occurred_on-year": "2026"}, expect="card")
    go(client, "card", {"programme_number": ""}, expect="identity")
    go(client, "identity", {"identity_mode": "anonymous"}, expect="about")  # no contact step
    summary = go(client, "about", {"idpoor": "y"}, expect="check")
    page = text_of(summary)
    assert KHMER_DESCRIPTION in page and "ការតវ៉ា.jpg" in page and "3 កុម្ភៈ 2026" in page

    sent = client.post("/complaint/check", data={"go": "send"})
    assert sent.status_code == 200
    reference, _code = receipt_of(sent)
    assert "ឯកសារភ្ជាប់៖ 1" in text_of(sent)  # "Files attached: 1"
    case = case_by_reference(reference)
    assert (case.province_code, case.district_code, case.commune_code) == ("12", "1202", None)
    assert case.occurred_on.isoformat() == "2026-02-03" and case.idpoor is True and case.channel == "web"
    (attachment,) = case.attachments
    assert attachment.original_name == "ការតវ៉ា.jpg"
    stored = (upload_dir / attachment.stored_name).read_bytes()
    assert not sample_files.has_gps(stored)
    assert stored_files(upload_dir) == [attachment.stored_name]
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0


def test_the_back_button_and_a_reload_show_what_is_saved(client, upload_dir):
    start(client)
    go(client, "story", {"description": "first words"})
    page = text_of(client.get("/complaint/story"))  # back
    assert textarea_value(page, "description") == "first words"
    go(client, "story", {"description": "better words"}, expect="place")
    assert textarea_value(text_of(client.get("/complaint/story")), "description") == "better words"
    assert 'value="NSAF-CT-MISSING" checked' in text_of(client.get("/"))  # the first step too
    # A later step's Back link leads to the step before it.
    assert 'href="/complaint/story"' in text_of(client.get("/complaint/place"))


def test_files_are_added_removed_and_capped_across_visits(client, upload_dir):
    start(client)
    go(client, "story", {"description": "x"}, files=[("a.png", sample_files.png()), ("b.pdf", sample_files.pdf())])
    go(client, "story", {"description": "x"}, files=[("c.png", sample_files.png())])
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 3
    too_many = post_step(client, "story", {"description": "x"}, files=[("d.png", sample_files.png())])
    assert too_many.status_code == 400 and field_error(text_of(too_many), "attachments")
    refused = post_step(client, "story", {"description": "x", "remove": "1"}, files=[("e.pdf", b"<html>")])
    assert refused.status_code == 400  # a bad file: nothing changes, the removal neither
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 3
    first = db.session.execute(select(PendingUpload).order_by(PendingUpload.id)).scalars().first()
    go(client, "story", {"description": "x", "remove": str(first.id)})
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 2
    assert len(stored_files(upload_dir)) == 2  # the removed file is gone from the disk


def test_another_visitor_cannot_remove_or_see_my_files(client, app, upload_dir):
    start(client)
    go(client, "story", {"description": "mine"}, files=[("a.png", sample_files.png())])
    (mine,) = db.session.execute(select(PendingUpload)).scalars()
    other = app.test_client()
    assert other.get("/complaint/story").status_code == 303  # no draft of theirs: back to the start
    other_page = other.post("/complaint/what", data={"category": "HEALTH-FEE", "form_token": form_token(other)})
    assert other_page.status_code == 303
    other.post("/complaint/story", data={"description": "theirs", "remove": str(mine.id)})
    assert db.session.get(PendingUpload, mine.id) is not None
    assert "a.png" not in text_of(other.get("/complaint/check"))


def test_a_contact_step_for_a_confidential_complainant_and_the_lost_code_warning(client, upload_dir):
    start(client, "HEALTH-FEE")
    go(client, "story", {"description": "The health centre asked me to pay."})
    go(client, "place", {"province": "17"})
    go(client, "when", {})
    identity = go(client, "card", {})
    assert "មិនអាចរកវិញបានទេ" in text_of(identity)  # anonymous: a lost code cannot be recovered
    go(client, "identity", {"identity_mode": "confidential"}, expect="contact")
    missing = post_step(client, "contact", {"name": "", "phone": "012 345 678"})
    assert missing.status_code == 400 and field_error(text_of(missing), "name")
    go(client, "contact", {"name": "Srey Pov", "phone": "012 345 678", "sms_opt_in": "y"}, expect="about")
    go(client, "about", {}, expect="check")
    reference, _ = receipt_of(client.post("/complaint/check", data={"go": "send"}))
    person = case_by_reference(reference).complainant
    assert (person.name, person.phone, person.sms_opt_in) == ("Srey Pov", "012 345 678", True)


def test_a_double_submitted_summary_files_one_complaint(client, upload_dir):
    start(client)
    go(client, "story", {"description": "twice"})
    check = text_of(client.get("/complaint/check"))
    token = re.search(r'name="form_token" type="hidden" value="([^"]+)"', check).group(1)
    first = client.post("/complaint/check", data={"go": "send", "form_token": token})
    again = client.post("/complaint/check", data={"go": "send", "form_token": token})
    reference, _ = receipt_of(first)
    assert reference in text_of(again) and "big code" not in text_of(again)  # "already sent"
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_summary_sends_the_person_back_to_a_missing_answer(client, upload_dir):
    start(client)
    response = client.post("/complaint/check", data={"go": "send"})
    assert response.status_code == 303 and response.headers["Location"] == "/complaint/story"
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_expired_draft_is_forgotten_with_its_files(client, runner, upload_dir):
    start(client)
    go(client, "story", {"description": "x"}, files=[("a.png", sample_files.png())])
    draft = db.session.execute(select(Draft)).scalar_one()
    draft.expires_at = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(minutes=1)
    db.session.commit()
    page = client.get("/complaint/place")
    assert page.status_code == 303  # back to the start, with a message
    result = runner.invoke(args=["intake", "purge"])
    assert "Drafts: 1 forgotten" in result.output
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
    assert stored_files(upload_dir) == []


def test_the_draft_token_is_never_in_a_url_nor_stored(client, upload_dir):
    first = post_step(client, "what", {"category": "NSAF-CT-MISSING", "form_token": form_token(client)})
    assert first.headers["Location"] == "/complaint/story"
    draft = db.session.execute(select(Draft)).scalar_one()
    with client.session_transaction() as session:
        token = session["intake_draft"]
    assert token not in draft.owner_hash and len(draft.owner_hash) == 64


@pytest.mark.parametrize(
    ("parts", "error"),
    [
        ({"occurred_on-day": "31", "occurred_on-month": "2", "occurred_on-year": "2026"}, "does not exist"),
        ({"occurred_on-day": "3", "occurred_on-month": "", "occurred_on-year": "2026"}, "leave all three empty"),
        ({"occurred_on-day": "1", "occurred_on-month": "1", "occurred_on-year": "2999"}, "in the future"),
    ],
)
def test_a_date_is_asked_day_month_year(client, upload_dir, parts, error):
    client.set_cookie("lang", "en")
    start(client)
    go(client, "story", {"description": "x"})
    go(client, "place", {})
    page = text_of(client.get("/complaint/when"))
    assert (
        page.index('name="occurred_on-day"')
        < page.index('name="occurred_on-month"')
        < page.index('name="occurred_on-year"')
    )
    assert ">April<" in page and 'type="date"' not in page
    refused = post_step(client, "when", parts)
    assert refused.status_code == 400 and error in field_error(text_of(refused), "occurred_on")


def test_khmer_digits_in_a_date_are_read(client, upload_dir):
    start(client)
    go(client, "story", {"description": "x"})
    go(client, "place", {})
    go(client, "when", {"occurred_on-day": "១៤", "occurred_on-month": "4", "occurred_on-year": "២០២៦"})
    assert "14 មេសា 2026" in text_of(client.get("/complaint/check"))


def test_every_step_is_numbered_and_one_question_each(client, upload_dir):
    start(client)
    for step in steps.STEPS:
        page = text_of(client.get(f"/complaint/{step.name}"))
        assert len(re.findall(r"<h1", page)) == 1
        assert "<script" not in page
    assert "1 នៃ" in text_of(client.get("/")) or "ជំហាន 1" in text_of(client.get("/"))
