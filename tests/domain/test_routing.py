"""Routing: the first matching rule by position decides the fund; no match goes to NSPC triage."""

from __future__ import annotations

from grievance.domain.routing import Decision, Rule, route

TRIAGE = "NSPC"


def test_no_rule_matches_falls_back_to_triage():
    rules = [Rule(10, "NSAF", category_code="NSAF-CT-MISSING")]
    assert route(rules, "IDPOOR", "12", "web", TRIAGE) == Decision("NSPC", None, None)


def test_empty_table_falls_back_to_triage():
    assert route([], "NSSF-INJURY", "12", "web", TRIAGE) == Decision("NSPC", None, None)


def test_category_rule_routes_to_its_fund():
    rules = [
        Rule(10, "NSAF", category_code="NSAF-CT-MISSING"),
        Rule(20, "NSSF", category_code="NSSF-INJURY"),
    ]
    assert route(rules, "NSSF-INJURY", "12", "web", TRIAGE) == Decision("NSSF", None, 20)


def test_province_specific_rule_before_a_general_one():
    rules = [
        Rule(5, "NSAF", category_code="NSAF-CT-MISSING", province_code="17", office="Siem Reap office"),
        Rule(10, "NSAF", category_code="NSAF-CT-MISSING"),
    ]
    siem_reap = route(rules, "NSAF-CT-MISSING", "17", "web", TRIAGE)
    assert siem_reap == Decision("NSAF", "Siem Reap office", 5)
    phnom_penh = route(rules, "NSAF-CT-MISSING", "12", "web", TRIAGE)
    assert phnom_penh == Decision("NSAF", None, 10)


def test_province_rule_does_not_match_a_complaint_without_province():
    rules = [Rule(5, "HEALTH", province_code="17")]
    assert route(rules, "OTHER", None, "web", TRIAGE).fund_code == "NSPC"


def test_channel_rule():
    rules = [
        Rule(1, "NSPC", channel="phone", office="Hotline desk"),
        Rule(10, "HEALTH", category_code="HEALTH-FEE"),
    ]
    assert route(rules, "HEALTH-FEE", "12", "phone", TRIAGE) == Decision("NSPC", "Hotline desk", 1)
    assert route(rules, "HEALTH-FEE", "12", "web", TRIAGE) == Decision("HEALTH", None, 10)


def test_all_three_fields_must_match():
    rules = [Rule(1, "NSSF", category_code="OTHER", province_code="12", channel="assisted")]
    assert route(rules, "OTHER", "12", "assisted", TRIAGE).fund_code == "NSSF"
    assert route(rules, "OTHER", "12", "web", TRIAGE).fund_code == "NSPC"
    assert route(rules, "OTHER", "01", "assisted", TRIAGE).fund_code == "NSPC"
    assert route(rules, "IDPOOR", "12", "assisted", TRIAGE).fund_code == "NSPC"


def test_order_is_by_position_not_by_list_order():
    general = Rule(50, "NSAF", category_code="IDPOOR")
    specific = Rule(3, "NSSF", category_code="IDPOOR", province_code="08")
    for rules in ([general, specific], [specific, general]):
        assert route(rules, "IDPOOR", "08", "web", TRIAGE) == Decision("NSSF", None, 3)
        assert route(rules, "IDPOOR", "09", "web", TRIAGE) == Decision("NSAF", None, 50)


def test_catch_all_rule_overrides_the_fallback():
    rules = [Rule(999, "NSAF")]
    assert route(rules, "ANYTHING", None, "api", TRIAGE) == Decision("NSAF", None, 999)


def test_rules_may_be_any_iterable():
    rules = (r for r in [Rule(2, "HEALTH", category_code="HEALTH-DENIED"), Rule(1, "NSSF", channel="api")])
    assert route(rules, "HEALTH-DENIED", "12", "api", TRIAGE).fund_code == "NSSF"


def test_explain_names_the_rule_and_why_earlier_ones_did_not_route():
    from grievance.domain.routing import explain

    rules = [
        Rule(10, "NSAF", province_code="17"),
        Rule(20, "NSPC", category_code="MISCONDUCT"),
    ]
    found = explain(rules, "MISCONDUCT", "17", "web", TRIAGE, keep_with=frozenset({"NSPC"}))
    assert found.decision == Decision("NSPC", None, 20)
    assert [(c.rule.position, c.matches, c.skipped) for c in found.checks] == [
        (10, True, "sensitive"),
        (20, True, None),
    ]
    # without the sensitivity rule the province rule would have taken a complaint about an official
    assert route(rules, "MISCONDUCT", "17", "web", TRIAGE) == Decision("NSAF", None, 10)
