"""Reply templates: administrators create, edit and deactivate them; every change is in the change log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.admin import changelog
from grievance.admin import replies as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.guard import AdminRefused
from grievance.extensions import db
from grievance.models import Fund, ReplyTemplate
from tests.factories import PASSWORD

KM = "យើងបានទទួលពាក្យបណ្តឹងរបស់អ្នក ហើយកំពុងពិនិត្យ។"
EN = "We have your complaint and are looking into it."
FORM = {"title_km": "កំពុងពិនិត្យ", "title_en": "Looking into it", "body_km": KM, "body_en": EN, "active": "y"}


def _fund(code: str) -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == code)).scalar_one()


def test_an_administrator_adds_a_template_and_the_change_is_recorded(admin_client, admin):
    answer = admin_client.post("/admin/replies/new", data=FORM | {"fund_id": str(_fund("NSAF").id)})
    assert answer.status_code == 303
    template = db.session.execute(select(ReplyTemplate)).scalar_one()
    assert (template.body_km, template.body_en, template.fund_id, template.active) == (KM, EN, _fund("NSAF").id, True)
    lines = changelog.recent("en", svc.ENTITY, template.id)
    assert len(lines) == 1 and lines[0].who.startswith(admin.name)
    listing = admin_client.get("/admin/replies/?lang=en").get_data(as_text=True)
    assert "Looking into it" in listing and "NSAF" in listing


def test_editing_and_deactivating_keeps_before_and_after(admin_client, admin):
    template = svc.create(admin, title_km="ក", title_en="A", body_km=KM, body_en=EN)
    db.session.commit()
    data = FORM | {"version": template.version, "fund_id": "", "body_en": "Changed."}
    data.pop("active")  # unticked: deactivated
    assert admin_client.post(f"/admin/replies/{template.id}", data=data).status_code == 303
    db.session.refresh(template)
    assert (template.body_en, template.active, template.version) == ("Changed.", False, 2)
    page = admin_client.get(f"/admin/replies/{template.id}?lang=en").get_data(as_text=True)
    assert "Changed." in page and EN in page  # the change log shows before and after
    listing = admin_client.get("/admin/replies/?lang=en").get_data(as_text=True)
    assert "deactivated" in listing


def test_a_stale_edit_is_refused_with_what_is_saved_now(admin_client, admin):
    template = svc.create(admin, title_km="ក", title_en="A", body_km=KM, body_en=EN)
    db.session.commit()
    svc.update_template(
        admin, template, 1, title_km="ក", title_en="B", body_km=KM, body_en=EN, fund_id=None, active=True
    )
    db.session.commit()
    answer = admin_client.post(f"/admin/replies/{template.id}", data=FORM | {"version": 1, "fund_id": ""})
    assert answer.status_code == 409
    db.session.refresh(template)
    assert template.title_en == "B"
    with pytest.raises(EditConflict):
        svc.update_template(
            admin, template, 1, title_km="ក", title_en="C", body_km=KM, body_en=EN, fund_id=None, active=True
        )


def test_both_languages_are_required(admin):
    with pytest.raises(Invalid) as refused:
        svc.create(admin, title_km="ក", title_en="A", body_km="  ", body_en=EN)
    assert refused.value.field == "body_km"
    with pytest.raises(Invalid):
        svc.create(admin, title_km="ក", title_en="A", body_km=KM, body_en=EN, fund_id=999_999)


def test_the_form_shows_missing_text_on_its_field(admin_client):
    answer = admin_client.post("/admin/replies/new", data=FORM | {"body_en": "", "fund_id": ""})
    assert answer.status_code == 400
    assert db.session.execute(select(ReplyTemplate)).first() is None


@pytest.mark.parametrize("role", ["officer", "supervisor", "oversight"])
def test_only_administrators_manage_templates(app, client, make, role):
    user = make.user(role)
    with pytest.raises(AdminRefused):
        svc.create(user, title_km="ក", title_en="A", body_km=KM, body_en=EN)
    client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert client.post("/admin/replies/new", data=FORM).status_code == 403
    assert db.session.execute(select(ReplyTemplate)).first() is None
