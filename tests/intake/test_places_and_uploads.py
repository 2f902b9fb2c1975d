"""The public form: places without JavaScript, optional details, SMS opt-in and attachments (all-or-nothing)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Attachment, Case, Complainant, IdentityView
from tests.intake import sample_files as files
from tests.intake.helpers import (
    case_by_reference,
    complaint_data,
    field_error,
    form_token,
    receipt_of,
    row_counts,
    stored_files,
    submit_complaint,
    text_of,
    textarea_value,
)


def attachment_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Attachment))


def post_with_files(client, file_list, **fields):
    data = complaint_data(form_token(client), **fields)
    data["attachments"] = [(io.BytesIO(content), name) for name, content in file_list]
    return client.post("/", data=data, content_type="multipart/form-data")


# --- places ----------------------------------------------------------------------------------


def test_choosing_a_province_shows_its_districts_and_keeps_what_was_typed(client):
    data = complaint_data(form_token(client), province="12", description="ខ្ញុំមិនទាន់បានទទួលប្រាក់")
    page = text_of(client.post("/place", data=data))
    assert 'name="district"' in page and "ចំការមន" in page  # Chamkar Mon, a khan of Phnom Penh
    assert 'name="commune"' not in page
    assert textarea_value(page, "description") == "ខ្ញុំមិនទាន់បានទទួលប្រាក់"
    assert row_counts() == (0, 0, 0)  # choosing a place stores nothing

    data["district"] = "1201"
    page = text_of(client.post("/place", data=data))
    assert 'name="commune"' in page and "ទន្លេបាសាក់" in page  # Tonle Basak, a sangkat of Chamkar Mon


def test_the_place_is_stored_as_codes(client):
    reference, _ = receipt_of(submit_complaint(client, province="12", district="1201", commune="120101"))
    case = case_by_reference(reference)
    assert (case.province_code, case.district_code, case.commune_code) == ("12", "1201", "120101")


@pytest.mark.parametrize(
    ("place", "field"),
    [
        ({"province": "12", "district": "0102"}, "district"),  # a district of Banteay Meanchey
        ({"province": "12", "district": "1201", "commune": "120201"}, "commune"),  # a sangkat of Doun Penh
        ({"province": "", "district": "1201"}, "district"),
        ({"province": "99"}, "province"),
        ({"province": "12", "district": "1201", "commune": "' OR '1'='1"}, "commune"),
    ],
)
def test_a_place_outside_the_one_chosen_above_is_refused(client, place, field):
    response = submit_complaint(client, **place)
    assert response.status_code == 400
    assert field_error(text_of(response), field)
    assert row_counts() == (0, 0, 0)


def test_the_place_step_in_english(client):
    client.set_cookie("lang", "en")
    page = text_of(client.post("/place", data=complaint_data(form_token(client), province="12")))
    assert "Chamkar Mon" in page and "Choose the commune" in page


# --- optional details ------------------------------------------------------------------------


def test_optional_details_are_stored_on_the_case_and_the_programme_number_apart(client):
    reference, _ = receipt_of(
        submit_complaint(
            client,
            gender="female",
            age_band="60_plus",
            disability="y",
            idpoor="y",
            informal_worker="y",
            indigenous="y",
            programme_number="IDP-12-345678",
        )
    )
    case = case_by_reference(reference)
    assert (case.gender, case.age_band) == ("female", "60_plus")
    assert (case.disability, case.idpoor, case.informal_worker, case.indigenous) == (True, True, True, True)
    assert "345678" not in case.description
    assert case.complainant.programme_number == "IDP-12-345678"  # personal data, apart from the case
    assert case.complainant.name is None


def test_details_left_out_are_stored_as_not_said(client):
    case = case_by_reference(receipt_of(submit_complaint(client))[0])
    assert (case.gender, case.age_band, case.disability, case.idpoor) == (None, None, None, None)


def test_an_unknown_gender_value_is_refused(client):
    response = submit_complaint(client, gender="<script>")
    assert response.status_code == 400
    assert field_error(text_of(response), "gender")
    assert row_counts() == (0, 0, 0)


def test_sms_updates_are_recorded_when_a_phone_is_given(client):
    reference, _ = receipt_of(
        submit_complaint(client, identity_mode="confidential", name="ស្រី ពៅ", phone="012 345 678", sms_opt_in="y")
    )
    complainant = case_by_reference(reference).complainant
    assert complainant.sms_opt_in is True and complainant.phone == "012 345 678"


def test_sms_updates_without_a_phone_are_refused(client):
    response = submit_complaint(client, identity_mode="confidential", name="ស្រី ពៅ", sms_opt_in="y")
    assert response.status_code == 400
    assert field_error(text_of(response), "sms_opt_in")


def test_extra_posted_fields_cannot_set_status_fund_or_assignee(client):
    reference, _ = receipt_of(submit_complaint(client, status="closed", fund_id="2", assignee_id="1", channel="api"))
    case = case_by_reference(reference)
    assert (case.status, case.fund.code, case.assignee_id, case.channel) == ("received", "NSAF", None, "web")


# --- attachments -----------------------------------------------------------------------------


def test_a_photo_is_stored_without_its_gps_under_a_random_name_with_its_khmer_name_shown(client, upload_dir):
    response = post_with_files(client, [("ការតវ៉ា.jpg", files.jpeg_with_gps())])
    assert response.status_code == 200
    case = case_by_reference(receipt_of(response)[0])
    (item,) = case.attachments
    assert item.original_name == "ការតវ៉ា.jpg"
    assert item.content_type == "image/jpeg"
    assert stored_files(upload_dir) == [item.stored_name]
    assert "ការតវ៉ា" not in item.stored_name and len(item.stored_name) >= 32
    data = (upload_dir / item.stored_name).read_bytes()
    assert not files.has_exif(data) and not files.has_gps(data)
    assert item.size == len(data)


def test_png_and_pdf_are_accepted_up_to_three_files(client, upload_dir):
    response = post_with_files(
        client, [("a.png", files.png()), ("letter.pdf", files.pdf()), ("b.jpg", files.jpeg_with_gps())]
    )
    assert response.status_code == 200
    case = case_by_reference(receipt_of(response)[0])
    assert [a.content_type for a in case.attachments] == ["image/png", "application/pdf", "image/jpeg"]
    assert len(stored_files(upload_dir)) == 3


@pytest.mark.parametrize(
    ("name", "content", "shown"),
    [
        ("../../etc/passwd", files.jpeg_with_gps(), "passwd.jpg"),
        ("a.pdf\x00.exe", files.pdf(), "a.pdf.exe.pdf"),
        ("photo.png", files.jpeg_with_gps(), "photo.png.jpg"),  # the bytes decide, not the name
        ("ក" * 1000 + ".jpg", files.jpeg_with_gps(), None),
        ("<img src=x onerror=alert(1)>.pdf", files.pdf(), "<img src=x onerror=alert(1)>.pdf"),
    ],
    ids=["path-traversal", "nul-in-name", "wrong-extension", "1000-character-name", "markup-in-name"],
)
def test_hostile_file_names_become_harmless_display_text(client, upload_dir, login_as, name, content, shown):
    response = post_with_files(client, [(name, content)])
    assert response.status_code == 200
    case = case_by_reference(receipt_of(response)[0])
    (item,) = case.attachments
    if shown is not None:
        assert item.original_name == shown
    assert len(item.original_name) <= 255 and "/" not in item.original_name and "\x00" not in item.original_name
    assert stored_files(upload_dir) == [item.stored_name]
    assert (upload_dir / item.stored_name).resolve().parent == upload_dir.resolve()

    login_as("officer", fund="NSAF")
    page = text_of(client.get(f"/cases/{case.id}"))
    assert "<img src=x onerror" not in page


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("complaint.pdf", files.HTML_AS_PDF, "Only photos (JPEG, PNG) and PDF"),
        ("drawing.svg", files.SVG_WITH_SCRIPT, "Only photos (JPEG, PNG) and PDF"),
        ("huge.png", files.png_bomb(), "cannot be opened"),
        ("empty.jpg", b"", "empty"),
        ("broken.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 100, "cannot be opened"),
        ("big.pdf", b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024), "5 MB"),
    ],
    ids=["html-renamed-pdf", "svg-with-script", "50000x50000-png", "empty-file", "truncated-jpeg", "over-5MB"],
)
def test_bad_files_are_refused_and_nothing_is_stored(client, upload_dir, name, content, reason):
    client.set_cookie("lang", "en")
    response = post_with_files(client, [("good.jpg", files.jpeg_with_gps()), (name, content)])
    assert response.status_code == 400
    assert reason in field_error(text_of(response), "attachments")
    assert row_counts() == (0, 0, 0)
    assert attachment_count() == 0
    assert stored_files(upload_dir) == []


def test_more_than_three_files_are_refused(client, upload_dir):
    client.set_cookie("lang", "en")
    response = post_with_files(client, [(f"{i}.png", files.png()) for i in range(4)])
    assert response.status_code == 400
    assert "at most 3 files" in field_error(text_of(response), "attachments")
    assert row_counts() == (0, 0, 0) and stored_files(upload_dir) == []


def test_the_refusal_is_in_khmer_by_default_and_keeps_the_text(client, upload_dir):
    response = post_with_files(client, [("x.svg", files.SVG_WITH_SCRIPT)], description="ខ្ញុំត្រូវបានគេយកលុយ")
    assert response.status_code == 400
    page = text_of(response)
    assert "PDF" in field_error(page, "attachments") and "ឯកសារ" in page
    assert textarea_value(page, "description") == "ខ្ញុំត្រូវបានគេយកលុយ"


def test_a_failure_after_the_files_were_written_leaves_no_case_and_no_file(client, upload_dir, monkeypatch):
    def broken_commit():
        raise RuntimeError("database went away")

    token = form_token(client)
    monkeypatch.setattr(db.session, "commit", broken_commit)
    data = complaint_data(token)
    data["attachments"] = [(io.BytesIO(files.jpeg_with_gps()), "a.jpg"), (io.BytesIO(files.pdf()), "b.pdf")]
    response = client.post("/", data=data, content_type="multipart/form-data")
    monkeypatch.undo()
    assert response.status_code == 500
    assert row_counts() == (0, 0, 0)
    assert attachment_count() == 0
    assert stored_files(upload_dir) == []


def test_a_body_over_the_limit_gets_the_too_large_page_in_the_persons_language(client, app, upload_dir, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    big = [("a.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))]
    response = post_with_files(client, big)
    assert response.status_code == 413
    assert "អ្វីដែលអ្នកបានផ្ញើ ធំពេក។" in text_of(response)
    client.set_cookie("lang", "en")
    response = post_with_files(client, big)
    assert response.status_code == 413 and "5 MB or smaller" in text_of(response)
    assert row_counts() == (0, 0, 0) and stored_files(upload_dir) == []


def test_a_reloaded_form_asks_to_choose_the_files_again(client, upload_dir):
    client.set_cookie("lang", "en")
    data = complaint_data(form_token(client), province="12")
    data["attachments"] = [(io.BytesIO(files.png()), "a.png")]
    page = text_of(client.post("/place", data=data, content_type="multipart/form-data"))
    assert "please choose them again" in page
    assert stored_files(upload_dir) == []


def test_the_form_is_multipart_and_offers_the_place_step_without_javascript(client):
    # The whole form on one page, as a one-request submission with a mistake gets it back to correct
    # (the stepped form's own place step is in test_steps.py).
    page = text_of(submit_complaint(client, description=""))
    assert 'enctype="multipart/form-data"' in page
    assert 'formaction="/place#place"' in page
    assert "<script" not in page


def test_anonymous_programme_number_is_kept_apart_and_no_name_or_phone_is_stored(client):
    reference, _ = receipt_of(submit_complaint(client, programme_number="NSSF 1234567"))
    case = case_by_reference(reference)
    complainant = db.session.execute(select(Complainant).where(Complainant.case_id == case.id)).scalar_one()
    assert (complainant.programme_number, complainant.name, complainant.phone) == ("NSSF 1234567", None, None)
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_the_handling_officer_downloads_the_cleaned_photo_with_its_khmer_name(client, upload_dir, login_as):
    case = case_by_reference(receipt_of(post_with_files(client, [("ការតវ៉ា.jpg", files.jpeg_with_gps())]))[0])
    (item,) = case.attachments
    assert case.identity_mode == "anonymous"  # the default: evidence must still reach the fund
    login_as("officer", fund="NSSF")
    url = f"/cases/{case.id}/attachments/{item.id}"
    assert client.post(url, data={"reason": "investigate"}).status_code == 404  # another fund
    officer = login_as("officer", fund="NSAF")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "ការតវ៉ា.jpg" in page and f'formaction="{url}"' in page
    assert client.post(url).status_code == 303  # no reason, no file
    response = client.post(url, data={"reason": "investigate"})
    assert response.status_code == 200
    view = db.session.execute(select(IdentityView)).scalar_one()
    assert (view.user_id, view.reason, view.output) == (officer.id, "investigate", "attachment")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "filename*=UTF-8''%E1%9E%80" in response.headers["Content-Disposition"]  # ការតវ៉ា, percent-encoded
    assert response.mimetype == "image/jpeg" and not files.has_gps(response.data)
