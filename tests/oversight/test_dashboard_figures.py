"""Dashboard figures equal figures recomputed from the raw events; each lands on exactly its cases."""

from __future__ import annotations

import re

import pytest

from grievance.oversight import figures
from grievance.reports.metrics import BACKLOG_BANDS, Month
from tests.oversight.generate import generate, oracle

APRIL = Month(2026, 4)
CASE_FIGURES = [
    "received",
    "ack_due",
    "ack_on_time",
    "resolve_due",
    "resolve_on_time",
    "resolved",
    "backlog_total",
    "breached_cases",
    "escalations",
    "reopened",
    "finished",
    "feedback",
    "satisfied",
]


@pytest.fixture()
def world(db, make):
    return generate(make)


def test_the_generated_month_exercises_every_figure(world):
    truth = oracle(2026, 4)["sets"]["ALL"]
    for figure in (
        "received",
        "ack_on_time",
        "resolve_on_time",
        "resolved",
        "backlog_total",
        "breached_cases",
        "escalations",
        "transfers",
        "reopened",
        "satisfied",
    ):
        assert truth[figure], f"the generated April has no {figure}: the test would prove nothing"
    assert len(truth["ack_due"]) > len(truth["ack_on_time"]), "some acknowledgements should be late"


def test_dashboard_figures_equal_the_events(world):
    truth = oracle(2026, 4)
    data = figures.dashboard(figures.Period(APRIL, APRIL))
    blocks = {b["code"]: b for b in data["funds"]} | {"ALL": data["total"]}
    for code, block in blocks.items():
        sets = truth["sets"].get(code, {})
        for figure in CASE_FIGURES:
            expected = len(sets.get(figure, ()))
            if figure in ("feedback", "satisfied"):
                expected = truth["events"].get(code, {}).get(figure, 0)
            assert block[figure] == expected, f"{code} {figure}: dashboard {block[figure]}, events {expected}"
        for band in BACKLOG_BANDS:
            assert block["backlog"][band] == len(sets.get("backlog:" + band, ())), f"{code} backlog {band}"
        assert block["transfers"] == truth["events"].get(code, {}).get("transfers", 0), f"{code} transfers"
        assert block["days_median"] == pytest.approx(truth["median"].get(code), abs=0.051), f"{code} median"
        assert block["days_p90"] == pytest.approx(truth["p90"].get(code), abs=0.051), f"{code} p90"


def test_province_figures_equal_the_events(world):
    truth = oracle(2026, 4)["sets"]
    data = figures.dashboard(figures.Period(APRIL, APRIL))
    for code, block in data["by_province"].items():
        for figure in ("received", "ack_due", "ack_on_time", "backlog_total", "breached_cases"):
            assert block[figure] == len(truth[f"ALL:{code}"].get(figure, ())), f"{code} {figure}"


@pytest.mark.parametrize("fund", [None, "NSAF", "NSSF", "HEALTH", "NSPC"])
def test_every_figure_lists_exactly_the_cases_it_counted(world, fund):
    truth = oracle(2026, 4)["sets"].get(fund or "ALL", {})
    period = figures.Period(APRIL, APRIL)
    for figure in CASE_FIGURES + ["transfers"]:
        ids = figures.case_ids(figures.Drill(figure, period, fund))
        assert set(ids) == truth.get(figure, set()), f"{fund} {figure}"
    for band in BACKLOG_BANDS:
        ids = figures.case_ids(figures.Drill("backlog_total", period, fund, band=band))
        assert set(ids) == truth.get("backlog:" + band, set()), f"{fund} backlog {band}"


def test_a_range_of_months_adds_up_what_it_receives(world):
    spring = figures.dashboard(figures.Period(Month(2026, 3), Month(2026, 4)))["total"]
    march = figures.dashboard(figures.Period(Month(2026, 3), Month(2026, 3)))["total"]
    april = figures.dashboard(figures.Period(APRIL, APRIL))["total"]
    assert spring["received"] == march["received"] + april["received"]
    assert spring["backlog_total"] == april["backlog_total"]  # open at the end of the range


def test_the_breached_link_on_the_page_lands_on_those_cases(world, client, login_as):
    login_as("oversight")
    page = client.get("/oversight/?from=2026-04&to=2026-04").get_data(as_text=True)
    link = re.search(r'data-figure="breached_cases" data-fund="NSSF" href="([^"]+)">(\d+)</a>', page)
    assert link, "no breached/NSSF figure on the dashboard"
    shown = int(link.group(2))
    listing = client.get(link.group(1).replace("&amp;", "&")).get_data(as_text=True)
    listed = {int(i) for i in re.findall(r'<tr data-case="(\d+)">', listing)}
    assert shown == len(listed) > 0
    assert listed == oracle(2026, 4)["sets"]["NSSF"]["breached_cases"]


def test_trend_covers_twelve_months_ending_with_the_period(world):
    trend = figures.dashboard(figures.Period(APRIL, APRIL))["trend"]
    assert [m["month"] for m in trend][-3:] == ["2026-02", "2026-03", "2026-04"]
    assert len(trend) == 12
    assert trend[-1]["received"] == len(oracle(2026, 4)["sets"]["ALL"]["received"])
    assert trend[-2]["received"] == len(oracle(2026, 3)["sets"]["ALL"]["received"])
