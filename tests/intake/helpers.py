"""Helpers for tests that drive the public form, the tracking page and the staff pages."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone

from flask import g
from flask.testing import FlaskClient
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.models import Case, Complainant, Event

KHMER_DESCRIPTION = "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភសម្រាប់កូនតូចរបស់ខ្ញុំ អស់រយៈពេលបីខែហើយ។ សូមជួយពិនិត្យផង។"


class FreshRequestClient(FlaskClient):
    """A test client whose requests do not share per-request caches.

    The `db` fixture keeps one application context open for the whole test, and Flask reuses
    it for every request, so `g` survives from one request to the next. Flask-Babel caches the
    chosen locale in `g` and Flask-Login the current user: without this, a second request in
    another language (or by another user) would be served with the first one's.
    """

    def open(self, *args, **kwargs):
        for key in ("_flask_babel", "_login_user"):
            g.pop(key, None)
        return super().open(*args, **kwargs)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def form_token(client, path: str = "/") -> str:
    page = client.get(path)
    assert page.status_code == 200
    match = re.search(r'name="form_token" type="hidden" value="([^"]+)"', text_of(page))
    assert match, "the complaint form has no form_token"
    return match.group(1)


def complaint_data(token: str, **fields) -> dict:
    data = {
        "category": "NSAF-CT-MISSING",
        "description": KHMER_DESCRIPTION,
        "identity_mode": "anonymous",
        "province": "12",
        "occurred_on": "",
        "programme_number": "",
        "name": "",
        "phone": "",
        "website": "",
        "form_token": token,
    }
    data.update(fields)
    return data


def submit_complaint(client, **fields):
    """GET the form (as a person would), then POST it with `fields` changed."""
    token = form_token(client)
    return client.post("/", data=complaint_data(token, **fields))


def receipt_of(response) -> tuple[str, str]:
    """(reference, tracking code) as shown on the receipt page."""
    page = text_of(response)
    reference = re.search(r'<strong class="big">(GRV-\d{4}-\d{6})</strong>', page)
    code = re.search(r'<strong class="big code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})</strong>', page)
    assert reference and code, "the receipt shows no reference or no tracking code"
    return reference.group(1), code.group(1)


def field_error(page: str, field_id: str) -> str | None:
    """The error text shown next to a form field (None if there is none)."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return None if match is None else html.unescape(match.group(1)).strip()


def textarea_value(page: str, field_id: str) -> str | None:
    match = re.search(rf'<textarea[^>]*id="{field_id}"[^>]*>(.*?)</textarea>', page, re.S)
    return None if match is None else html.unescape(match.group(1)).lstrip("\r\n")


def input_value(page: str, field_id: str) -> str | None:
    tag = re.search(rf'<input[^>]*id="{field_id}"[^>]*>', page)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return "" if value is None else html.unescape(value.group(1))


def row_counts() -> tuple[int, int, int]:
    """(cases, complainants, events) in the database."""
    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Case)),
        db.session.scalar(select(func.count()).select_from(Complainant)),
        db.session.scalar(select(func.count()).select_from(Event)),
    )


def case_by_reference(reference: str) -> Case:
    db.session.expire_all()
    return db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()


def frozen_datetime(instant: datetime):
    """A stand-in for the `datetime` class whose now() is fixed at `instant` (timezone-aware)."""
    assert instant.tzinfo is not None

    class Frozen(datetime):
        @classmethod
        def now(cls, tz=None):
            return instant if tz is None else instant.astimezone(tz)

        @classmethod
        def utcnow(cls):
            return instant.astimezone(timezone.utc).replace(tzinfo=None)

    return Frozen


def stored_files(upload_dir) -> list[str]:
    """The files in the upload folder (none if it was never made)."""
    return sorted(p.name for p in upload_dir.iterdir()) if upload_dir.exists() else []
