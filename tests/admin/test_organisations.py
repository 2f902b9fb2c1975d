"""Organisations (kind chosen, never guessed) and their API keys: shown once, purpose, revoke, last used."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grievance.admin import organisations as svc
from grievance.admin.editing import EditConflict
from grievance.admin.guard import AdminRefused
from grievance.auth.service import create_user
from grievance.extensions import db
from grievance.models import ApiKey, Organisation
from tests.intake.helpers import FreshRequestClient

BODY = {
    "service_code": "NSAF-CT-MISSING",
    "description": "ខ្ញុំមិនទាន់បានទទួលប្រាក់។",
    "attribute": {"province_code": "12", "identity_mode": "confidential", "consent_given": True},
    "first_name": "Sok",
}


def test_an_organisation_is_created_with_the_kind_chosen(admin_client):
    response = admin_client.post("/admin/organisations/", data={"name": "Tuk-tuk Union Network", "kind": "platform"})
    assert response.status_code == 303
    org = db.session.execute(select(Organisation).where(Organisation.name == "Tuk-tuk Union Network")).scalar_one()
    assert org.kind == "platform", "the kind was guessed from the name"
    again = admin_client.post("/admin/organisations/?lang=en", data={"name": "tuk-tuk union network", "kind": "cso"})
    assert again.status_code == 400 and b"already exists" in again.data


def test_the_command_line_no_longer_guesses_the_kind(db):
    user = create_user("m@example.org", "a long enough password", "monitor", org_name="Informal Workers Union")
    assert user.organisation.kind == "cso"
    other = create_user(
        "p@example.org", "a long enough password", "monitor", org_name="FixMyStreet KH", org_kind="platform"
    )
    assert other.organisation.kind == "platform"


def test_a_key_is_shown_once_works_records_its_last_use_and_stops_when_revoked(app, admin_client, admin):
    org = svc.create(admin, name="Social Protection CSO Network", kind="cso")
    db.session.commit()
    issued = admin_client.post(f"/admin/organisations/{org.id}/keys", data={"purpose": "assisted"})
    assert issued.status_code == 200
    key = re.search(r'id="new-key">(grv_[A-Za-z0-9_\-]+)<', issued.get_data(as_text=True)).group(1)
    assert "no-store" in issued.headers["Cache-Control"]
    assert key.encode() not in admin_client.get(f"/admin/organisations/{org.id}").data, "the key was shown twice"
    row = db.session.execute(select(ApiKey).where(ApiKey.organisation_id == org.id)).scalar_one()
    assert row.purpose == "assisted" and row.key_hash != key and row.last_used_at is None
    api = FreshRequestClient(app, app.response_class)
    assert api.post("/open311/v2/requests.json", json={**BODY, "api_key": key}).status_code == 201
    db.session.expire_all()
    assert db.session.get(ApiKey, row.id).last_used_at is not None
    page = admin_client.get(f"/admin/organisations/{org.id}?lang=en").get_data(as_text=True)
    assert "never" not in page.split("API keys", 1)[1].split("</table>", 1)[0]
    assert admin_client.post(f"/admin/organisations/{org.id}/keys/{row.id}/revoke").status_code == 303
    assert api.post("/open311/v2/requests.json", json={**BODY, "api_key": key}).status_code == 403
    with pytest.raises(EditConflict):
        svc.revoke_key(admin, db.session.get(ApiKey, row.id))


def test_deactivating_an_organisation_stops_its_keys(app, admin, db):
    org = svc.create(admin, name="Garment Workers Union", kind="union")
    key, _row = svc.issue_key(admin, org, "assisted")
    db.session.commit()
    svc.update_organisation(admin, org, org.version, name=org.name, kind="union", active=False)
    db.session.commit()
    api = FreshRequestClient(app, app.response_class)
    assert api.post("/open311/v2/requests.json", json={**BODY, "api_key": key}).status_code == 403


def test_organisation_verbs_refuse_a_non_administrator(make, admin):
    org = svc.create(admin, name="Any CSO", kind="cso")
    _key, row = svc.issue_key(admin, org, "relay")
    db.session.commit()
    monitor = make.user("monitor", org="Any CSO")
    for verb in (
        lambda: svc.create(monitor, name="Mine", kind="cso"),
        lambda: svc.update_organisation(monitor, org, org.version, name="Renamed", kind="cso", active=True),
        lambda: svc.issue_key(monitor, org, "relay"),
        lambda: svc.revoke_key(monitor, row),
    ):
        with pytest.raises(AdminRefused):
            verb()
        db.session.rollback()
    assert db.session.get(ApiKey, row.id).active and db.session.get(Organisation, org.id).name == "Any CSO"
