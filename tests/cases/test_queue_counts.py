"""The queue's counts: exact below the cap, "N+" beyond it (explained in Khmer and English), scoped."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from grievance.cases import queries
from grievance.cases.queries import Count

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
NOTE_EN = "Counts stop at 3: “3+” means more than 3 cases."
NOTE_KM = "ការរាប់ឈប់ត្រឹម 3៖ «3+» មានន័យថាច្រើនជាង 3 ករណី។"


def _total(page: str) -> str:
    match = re.search(r"<h1>.*?<small>\((.*?)\)</small></h1>", page, re.S)
    assert match, "the queue shows no total"
    return match.group(1)


def _option(page: str, name: str, value: str) -> str:
    select = re.search(rf'<select name="{name}">(.*?)</select>', page, re.S)
    assert select, f"no {name} filter"
    option = re.search(rf'<option value="{value}"[^>]*>(.*?)</option>', select.group(1), re.S)
    assert option, f"no {value} option"
    return option.group(1)


@pytest.fixture()
def cap_of_three(monkeypatch):
    monkeypatch.setattr(queries, "COUNT_CAP", 3)


def test_counts_below_the_cap_are_exact(client, login_as, make, cap_of_three):
    for _ in range(3):
        make.case("NSAF-CT-MISSING", now=T0)
    make.case("NSAF-CT-MISSING", now=T0, province_code="03")
    make.case("NSSF-CONTRIB", now=T0)  # another fund's case is never counted
    login_as("officer", fund="NSAF")

    page = client.get("/cases/?lang=en&province=12").get_data(as_text=True)
    assert _total(page) == "3"
    assert _option(page, "status", "received").endswith("(3)")
    assert _option(page, "sla_state", "on_track").endswith("(3)")
    assert _option(page, "sla_state", "breached").endswith("(0)")
    assert "Counts stop at" not in page


def test_counts_beyond_the_cap_say_more_than_the_cap_in_english_and_khmer(client, login_as, make, cap_of_three):
    for _ in range(5):
        make.case("NSAF-CT-MISSING", now=T0)
    login_as("officer", fund="NSAF")

    english = client.get("/cases/?lang=en").get_data(as_text=True)
    assert _total(english) == "3+"
    assert _option(english, "status", "received").endswith("(3+)")
    assert _option(english, "sla_state", "on_track").endswith("(3+)")
    assert NOTE_EN in english
    # Every case is still listed: only the counts stop.
    assert english.count('<tr class="sla-') == 5

    khmer = client.get("/cases/?lang=km").get_data(as_text=True)
    assert _total(khmer) == "3+"
    assert NOTE_KM in khmer


def test_the_total_adds_the_open_statuses_and_is_capped_when_one_of_them_is(client, db, login_as, make, cap_of_three):
    for _ in range(2):
        case, _code = make.case("NSAF-CT-MISSING", now=T0)
        case.status = "in_progress"  # the state a claim leaves it in; only the counts matter here
    for _ in range(3):
        make.case("NSAF-CT-MISSING", now=T0)
    db.session.commit()
    login_as("officer", fund="NSAF")

    page = client.get("/cases/?lang=en").get_data(as_text=True)
    assert _option(page, "status", "received").endswith("(3)")
    assert _option(page, "status", "in_progress").endswith("(2)")
    assert _total(page) == "5"  # 3 + 2, each below the cap: the sum is exact
    assert _option(page, "sla_state", "on_track").endswith("(3+)")  # all five: capped, and explained
    assert NOTE_EN in page

    make.case("NSAF-CT-MISSING", now=T0)
    page = client.get("/cases/?lang=en").get_data(as_text=True)
    assert _option(page, "status", "received").endswith("(3+)")
    assert _total(page) == "3+"
    assert NOTE_EN in page


def test_capped_counts_leave_out_sensitive_categories_and_other_funds(client, login_as, make, cap_of_three):
    for _ in range(4):
        make.case("MISCONDUCT", now=T0)
        make.case("NSSF-CONTRIB", now=T0)
    make.case("NSAF-CT-MISSING", now=T0)
    login_as("officer", fund="NSAF")
    page = client.get("/cases/?lang=en&status=all").get_data(as_text=True)
    assert _total(page) == "1"
    assert "Counts stop at" not in page


@pytest.mark.parametrize(
    ("found", "shown"),
    [(0, "0"), (999, "999"), (1000, "1,000"), (1001, "1,000+"), (5000, "1,000+")],
)
def test_a_count_read_with_limit_cap_plus_one_shows_the_cap_and_a_plus(app, found, shown):
    with app.test_request_context("/?lang=en"):
        assert str(Count.of(found)) == shown


def test_a_total_is_exact_unless_one_of_its_parts_is_capped(app):
    with app.test_request_context("/?lang=en"):
        assert str(Count.total([Count(600), Count(700)])) == "1,300"
        assert str(Count.total([Count(2), Count.of(1001)])) == "1,000+"
