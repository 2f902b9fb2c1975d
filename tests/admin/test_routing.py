"""Routing rules: add, edit, reorder (guarded by the table's version), and "which rule routes this?"."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grievance.admin import routing as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.guard import AdminRefused
from grievance.extensions import db
from grievance.models import Category, Fund, RoutingRule


def _id(model, code):
    return db.session.execute(select(model).where(model.code == code)).scalar_one().id


def _first_rule_id() -> int:
    return svc.rules()[0].id


def test_a_rule_for_one_province_routes_the_next_complaint_from_there_and_explain_names_it(admin_client, make, runner):
    data = {
        "table": svc.table_version(),
        "category": str(_id(Category, "NSAF-CT-MISSING")),
        "province": "17",
        "channel": "",
        "fund": str(_id(Fund, "NSSF")),
        "office": "Siem Reap provincial office",
        "before": str(_first_rule_id()),
    }
    assert admin_client.post("/admin/routing/rules", data=data).status_code == 303
    from_siem_reap, _code = make.case("NSAF-CT-MISSING", province_code="17")
    from_phnom_penh, _code = make.case("NSAF-CT-MISSING", province_code="12")
    assert (from_siem_reap.fund.code, from_siem_reap.office) == ("NSSF", "Siem Reap provincial office")
    assert from_phnom_penh.fund.code == "NSAF"
    explained = runner.invoke(args=["routing", "explain", "--category", "NSAF-CT-MISSING", "--province", "17"])
    assert explained.exit_code == 0
    assert explained.output.startswith("Rule 1 ") and "province 17" in explained.output and "NSSF" in explained.output
    query = f"category={data['category']}&province=17&channel=web&lang=en"
    page = admin_client.get(f"/admin/routing/?{query}").get_data(as_text=True)
    assert "Rule 1 routes it to National Social Security Fund" in page
    other = runner.invoke(args=["routing", "explain", "--category", "NSAF-CT-MISSING", "--province", "12"])
    assert "Rule 2 " in other.output and "NSAF" in other.output


def test_moving_a_rule_changes_the_order_and_a_stale_view_is_refused(admin_client, admin):
    before = [r.id for r in svc.rules()]
    stale = svc.table_version()
    moved = admin_client.post(f"/admin/routing/{before[1]}/move", data={"table": stale, "direction": "up"})
    assert moved.status_code == 303
    after = [r.id for r in svc.rules()]
    assert after[:2] == [before[1], before[0]] and after[2:] == before[2:]
    refused = admin_client.post(f"/admin/routing/{before[2]}/move", data={"table": stale, "direction": "up"})
    assert refused.status_code == 409
    assert [r.id for r in svc.rules()] == after, "a move made on a stale view of the table was applied"
    assert not svc.move(admin, db.session.get(RoutingRule, after[0]), -1, svc.table_version())  # already first


def test_editing_a_rule_checks_its_version_and_keeps_typed_values(admin_client, admin):
    rule = svc.rules()[0]
    seen = rule.version
    svc.update_rule(
        admin, rule, seen, category=rule.category, province="02", channel=None, fund=rule.fund, office=None, active=True
    )
    db.session.commit()
    data = {
        "version": seen,
        "category": str(rule.category_id),
        "province": "",
        "channel": "web",
        "fund": str(rule.fund_id),
        "office": "typed office",
        "active": "y",
    }
    response = admin_client.post(f"/admin/routing/{rule.id}", data=data)
    assert response.status_code == 409
    assert 'value="typed office"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule.id).province_code == "02"
    # The conflict page carries the version saved now: checking and saving again goes through.
    carried = re.search(r'name="version"[^>]*value="(\d+)"', response.get_data(as_text=True)).group(1)
    assert int(carried) == seen + 1
    again = admin_client.post(f"/admin/routing/{rule.id}", data=data | {"version": carried})
    assert again.status_code == 303
    db.session.expire_all()
    assert db.session.get(RoutingRule, rule.id).channel == "web"


def test_a_sensitive_category_cannot_be_routed_away_from_the_council(admin, make):
    misconduct = db.session.execute(select(Category).where(Category.code == "MISCONDUCT")).scalar_one()
    nsaf = db.session.get(Fund, _id(Fund, "NSAF"))
    with pytest.raises(Invalid):
        svc.add(admin, svc.table_version(), category=misconduct, fund=nsaf)
    # A rule for every category of a province does not capture complaints about officials either.
    svc.add(admin, svc.table_version(), province="17", fund=nsaf, before=svc.rules()[0])
    db.session.commit()
    case, _code = make.case("MISCONDUCT", province_code="17")
    assert case.fund.code == "NSPC"
    answer = svc.which_rule(misconduct, "17", "web")
    assert answer.fund.code == "NSPC" and any(c.skipped == "sensitive" for c in answer.explanation.checks)


def test_routing_verbs_refuse_a_non_administrator(make):
    supervisor = make.user("supervisor")
    rule = svc.rules()[0]
    for verb in (
        lambda: svc.add(supervisor, svc.table_version(), fund=rule.fund),
        lambda: svc.update_rule(
            supervisor,
            rule,
            rule.version,
            category=None,
            province=None,
            channel=None,
            fund=rule.fund,
            office=None,
            active=False,
        ),
        lambda: svc.move(supervisor, svc.rules()[1], -1, svc.table_version()),
    ):
        with pytest.raises(AdminRefused):
            verb()
        db.session.rollback()
    assert svc.rules()[0].active


def test_add_with_a_stale_table_version_is_refused(admin):
    nsaf = db.session.get(Fund, _id(Fund, "NSAF"))
    with pytest.raises(EditConflict):
        svc.add(admin, "0" * 16, province="17", fund=nsaf)
