"""Categories (names, fund, priority, sensitive, active, order, information page) and offices."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.admin import categories as svc
from grievance.admin import offices as offices_svc
from grievance.admin import routing
from grievance.admin.editing import Invalid
from grievance.admin.guard import AdminRefused
from grievance.extensions import db
from grievance.models import Category, Fund, InfoPage, Office, RoutingRule
from tests.factories import PASSWORD


def _fund(code: str) -> Fund:
    return db.session.execute(select(Fund).where(Fund.code == code)).scalar_one()


def test_a_new_category_appears_on_the_form_routes_to_its_fund_and_has_a_page(admin_client, client, make):
    data = {
        "code": "NSAF-DISABILITY",
        "name_km": "ប្រាក់ឧបត្ថម្ភជនពិការ",
        "name_en": "Disability allowance not paid",
        "fund": str(_fund("NSAF").id),
        "priority": "normal",
        "situation": "money",
        "active": "y",
        "info_page": "new",
    }
    assert admin_client.post("/admin/categories/new", data=data).status_code == 303
    category = db.session.execute(select(Category).where(Category.code == "NSAF-DISABILITY")).scalar_one()
    assert "ប្រាក់ឧបត្ថម្ភជនពិការ".encode() in client.get("/").data
    case, _code = make.case("NSAF-DISABILITY")
    assert case.fund.code == "NSAF"
    page = db.session.execute(select(InfoPage).where(InfoPage.category_id == category.id)).scalar_one()
    assert client.get(f"/info/{page.slug}").status_code == 200
    assert svc.linkable_pages(None) and page not in svc.linkable_pages(None)


def test_changing_a_categorys_fund_moves_its_own_rule_not_province_rules(admin):
    category = db.session.execute(select(Category).where(Category.code == "NSSF-INFORMAL")).scalar_one()
    routing.add(admin, routing.table_version(), category=category, province="17", fund=_fund("NSSF"))
    db.session.commit()
    svc.update_category(
        admin,
        category,
        category.version,
        name_km=category.name_km,
        name_en=category.name_en,
        fund=_fund("NSAF"),
        priority="urgent",
        sensitive=False,
        situation="work",
        position=category.position,
        active=True,
        page=svc.info_page_of(category),
    )
    db.session.commit()
    funds = {
        r.province_code: r.fund.code
        for r in db.session.execute(select(RoutingRule).where(RoutingRule.category_id == category.id)).scalars()
    }
    assert funds == {None: "NSAF", "17": "NSSF"}
    assert category.priority == "urgent"


def test_a_sensitive_category_must_stay_with_the_council_and_an_inactive_one_leaves_the_form(admin, client):
    category = db.session.execute(select(Category).where(Category.code == "OTHER")).scalar_one()
    common = {
        "name_km": category.name_km,
        "name_en": category.name_en,
        "priority": "normal",
        "situation": "other",
        "position": category.position,
        "page": None,
    }
    with pytest.raises(Invalid):
        svc.update_category(
            admin, category, category.version, fund=_fund("NSAF"), sensitive=True, active=True, **common
        )
    db.session.rollback()
    svc.update_category(admin, category, category.version, fund=_fund("NSPC"), sensitive=False, active=False, **common)
    db.session.commit()
    assert category.name_km.encode() not in client.get("/").data


def test_category_verbs_refuse_a_non_administrator(make):
    officer = make.user("officer")
    category = db.session.execute(select(Category).where(Category.code == "OTHER")).scalar_one()
    with pytest.raises(AdminRefused):
        svc.create(
            officer,
            code="NEW-ONE",
            name_km="ក",
            name_en="x",
            fund=_fund("NSPC"),
            priority="normal",
            sensitive=False,
            situation="other",
        )
    with pytest.raises(AdminRefused):
        svc.update_category(
            officer,
            category,
            category.version,
            name_km="ក",
            name_en="x",
            fund=_fund("NSPC"),
            priority="normal",
            sensitive=False,
            situation="other",
            position=1,
            active=False,
            page=None,
        )


def test_an_office_is_placed_by_official_codes_and_a_closed_one_files_nothing(app, admin_client, make, admin):
    data = {
        "name_km": "ការិយាល័យ",
        "name_en": "Kampot town office",
        "province": "07",
        "district": "0799",
        "commune": "",
        "active": "y",
    }
    refused = admin_client.post("/admin/offices/new", data=data)
    assert refused.status_code == 400, "an office was placed in a district that does not exist"
    data["district"] = "0708"
    shown = admin_client.post("/admin/offices/new", data={**data, "show_places": "1"})
    assert shown.status_code == 200 and b"070801" in shown.data, "the communes of the district were not offered"
    assert admin_client.post("/admin/offices/new", data=data).status_code == 303
    office = db.session.execute(select(Office).where(Office.name_en == "Kampot town office")).scalar_one()
    assert (office.level, office.province_code, office.district_code) == ("district", "07", "0708")
    desk = make.user("frontdesk", office_id=office.id)
    assert desk.email.encode() in admin_client.get(f"/admin/offices/{office.id}").data
    desk_client = app.test_client()
    desk_client.post("/auth/login", data={"email": desk.email, "password": PASSWORD})
    assert desk_client.get("/frontdesk/").status_code == 200
    offices_svc.update_office(
        admin,
        office,
        office.version,
        name_km=office.name_km,
        name_en=office.name_en,
        province="07",
        district="0708",
        commune=None,
        active=False,
    )
    db.session.commit()
    assert desk_client.get("/frontdesk/").status_code == 403
    with pytest.raises(AdminRefused):
        offices_svc.create(desk, name_km="ក", name_en="x", province="07", district="0708", commune=None)
