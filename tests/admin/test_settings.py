"""The settings page (issue 17 item 5): an administrator chooses Khmer digits for Khmer readers."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from grievance.admin import settings
from grievance.admin.editing import EditConflict
from grievance.admin.guard import AdminRefused
from grievance.extensions import db
from grievance.models import Event, Setting
from tests.intake.helpers import submit_complaint

KHMER_DATE = re.compile(r"[០-៩]{1,2} \S+ [០-៩]{4}")  # ៧ ធ្នូ ២០២៦
WESTERN_DATE = re.compile(r"\b\d{1,2} \S+ \d{4}\b")


def _text(response) -> str:
    return re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))


def _version(page) -> str:
    return re.search(r'name="version"[^>]*value="(\d+)"', page.get_data(as_text=True)).group(1)


def test_without_a_saved_setting_the_configuration_decides(app, db, monkeypatch):
    assert settings.khmer_digits() is False
    monkeypatch.setitem(app.config, "KHMER_DIGITS", True)
    settings.forget()
    assert settings.khmer_digits() is True
    assert settings.version(settings.KHMER_DIGITS) == 0


def test_an_administrator_turns_khmer_digits_on_and_khmer_pages_follow(admin_client, client, admin):
    before = _text(submit_complaint(client))
    assert WESTERN_DATE.search(before) and not KHMER_DATE.search(before)

    page = admin_client.get("/admin/settings")
    assert page.status_code == 200
    assert "០១២៣" in page.get_data(as_text=True)  # the choice shows an example of each
    answer = admin_client.post("/admin/settings", data={"version": _version(page), "khmer_digits": "y"})
    assert answer.status_code == 303

    after = _text(submit_complaint(client))
    assert KHMER_DATE.search(after)
    reference = re.search(r"GRV-\d{4}-\d{6}", after).group(0)
    assert re.fullmatch(r"GRV-\d{4}-\d{6}", reference)  # references stay as people copy them

    row = db.session.get(Setting, "khmer_digits")
    assert json.loads(row.value) is True and row.version == 1
    event = db.session.execute(select(Event).where(Event.kind == "admin_change").order_by(Event.seq.desc())).scalar()
    payload = json.loads(event.payload) if isinstance(event.payload, str) else event.payload
    assert payload["entity"] == "setting" and payload["before"] == {"khmer_digits": False}
    assert payload["after"] == {"khmer_digits": True} and event.actor_id == admin.id

    # the change log on the page says who changed it
    assert admin.email in admin_client.get("/admin/settings").get_data(as_text=True)

    # and off again
    page = admin_client.get("/admin/settings")
    assert admin_client.post("/admin/settings", data={"version": _version(page)}).status_code == 303
    assert not KHMER_DATE.search(_text(submit_complaint(client)))


def test_a_stale_page_is_refused_and_keeps_what_was_chosen(admin_client, admin):
    admin_client.set_cookie("lang", "en")
    page = admin_client.get("/admin/settings")
    stale = _version(page)
    assert admin_client.post("/admin/settings", data={"version": stale, "khmer_digits": "y"}).status_code == 303
    refused = admin_client.post("/admin/settings", data={"version": stale})
    assert refused.status_code == 409
    assert settings.khmer_digits() is True  # nothing written by the stale page
    html = refused.get_data(as_text=True)
    assert "Saved now by someone else" in html and "Someone else saved a change here" in html
    box = re.search(r'<input[^>]*name="khmer_digits"[^>]*>', html).group(0)
    assert "checked" not in box  # what the administrator chose on the stale page is still in the form
    assert f'value="{int(stale) + 1}"' in html  # and the form now carries the saved version


def test_only_an_administrator_changes_a_setting(make, db):
    for role in ("officer", "supervisor", "oversight", "monitor"):
        with pytest.raises(AdminRefused):
            settings.update_setting(make.user(role), settings.KHMER_DIGITS, 0, True)
    assert db.session.execute(select(Setting)).first() is None
    with pytest.raises(EditConflict):
        settings.update_setting(None, settings.KHMER_DIGITS, 3, True)  # the operator too checks the version


def test_sms_replies_follow_the_setting(app, db, make):
    from grievance.sms.service import reply_for

    case, _code = make.case(language="km")
    western, _lang = reply_for(case)
    assert not re.search("[០-៩]", western.replace(case.reference, ""))
    settings.update_setting(None, settings.KHMER_DIGITS, 0, True)
    db.session.commit()
    khmer, _lang = reply_for(case)
    assert KHMER_DATE.search(khmer) and case.reference in khmer  # the reference keeps its digits
