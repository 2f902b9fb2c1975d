"""The queue's sortable columns: assignee, received, working days left; keyset paging under every sort."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone

import pytest

from grievance.cases import queries
from grievance.extensions import db

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)


def _references(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<a href="/cases/\d+">([^<]+)</a>', body)


def _next(page: str) -> str | None:
    match = re.search(r'<a href="([^"]+)">Next page', page)
    return html.unescape(match.group(1)) + "&lang=en" if match else None


@pytest.fixture()
def queue(make):
    """Nine NSAF cases: received in pairs (ties), three officers (two of the same name), some unassigned."""
    officers = [make.user("officer", fund="NSAF") for _ in range(3)]
    officers[0].name, officers[1].name, officers[2].name = "Sokha", "Dara", "Dara"
    cases = []
    for i in range(9):
        case, _ = make.case("NSAF-CT-MISSING", now=T0 + timedelta(hours=(i // 2) * 20))
        case.assignee_id = None if i % 4 == 0 else officers[i % 3].id
        cases.append(case)
    make.case("NSSF-CONTRIB", now=T0)  # another fund's: never in the NSAF queue
    db.session.commit()
    return cases, {o.id: o.name for o in officers}


@pytest.mark.parametrize("sort", queries.SORT_CHOICES)
def test_walking_every_page_under_each_sort_shows_every_case_once_in_order(client, login_as, queue, monkeypatch, sort):
    monkeypatch.setattr(queries, "PAGE_SIZE", 2)
    cases, names = queue
    login_as("supervisor", fund="NSAF")
    url, seen, pages = f"/cases/?lang=en&sort={sort}", [], 0
    while url:
        page = client.get(url).get_data(as_text=True)
        seen += _references(page)
        url, pages = _next(page), pages + 1
        assert url is None or sort == queries.DEFAULT_SORT or f"sort={sort}" in url, "the next page keeps the sort"
        assert pages < 20, "paging does not end"
    assert sorted(seen) == sorted(c.reference for c in cases), "every case exactly once"
    key = sort.lstrip("-")
    value = {
        "due": lambda c: c.resolve_due_at,
        "received": lambda c: c.received_at,
        "assignee": lambda c: names.get(c.assignee_id, ""),
    }[key]
    expected = sorted(cases, key=lambda c: (value(c), c.id), reverse=sort.startswith("-"))
    assert seen == [c.reference for c in expected]


def test_headers_link_to_the_other_direction_and_say_the_current_order(client, login_as, queue):
    login_as("officer", fund="NSAF")
    page = client.get("/cases/?lang=en&sort=received").get_data(as_text=True)
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)"[^>]*>Received', page)
    assert header and "sort=-received" in html.unescape(header.group(1))
    assert page.count("aria-sort=") == 1
    page = client.get("/cases/?lang=en&sort=-received").get_data(as_text=True)
    assert re.search(r'aria-sort="descending"><a href="[^"]*sort=received[^"]*"[^>]*>Received', page)
    # Days left is the resolution clock: the default sort, its header marked when no sort is asked.
    page = client.get("/cases/?lang=en").get_data(as_text=True)
    assert re.search(r'aria-sort="ascending"><a [^>]*>Working days left', page)


def test_columns_show_assignee_received_in_cambodian_time_and_days_left(client, login_as, queue, monkeypatch):
    cases, names = queue
    login_as("officer", fund="NSAF")
    monkeypatch.setattr(queries, "working_days_left", lambda due, now_=None: 7.5 if due else None)
    page = client.get("/cases/?lang=en&sort=received").get_data(as_text=True)
    rows = page.split("<tbody>", 1)[1].split("</tr>")
    first = rows[0]
    assert cases[0].reference in first
    assert '<td class="assignee">Unassigned</td>' in first  # case 0 is unassigned
    assert "Dara" in page and "Sokha" in page
    assert '<td class="received">2026-03-02</td>' in first
    assert '<td class="days-left">7.5</td>' in first


def test_received_is_the_date_in_cambodian_time(client, login_as, make):
    make.case("NSAF-CT-MISSING", now=datetime(2026, 3, 1, 18, 30, tzinfo=timezone.utc))  # 01:30 on 2 March there
    login_as("officer", fund="NSAF")
    page = client.get("/cases/?lang=en").get_data(as_text=True)
    assert '<td class="received">2026-03-02</td>' in page


def test_an_unknown_sort_falls_back_to_the_due_date(client, login_as, queue):
    login_as("officer", fund="NSAF")
    response = client.get("/cases/?lang=en&sort=description;drop")
    assert response.status_code == 200
    assert re.search(r'aria-sort="ascending"><a [^>]*>Working days left', response.get_data(as_text=True))


def test_a_forged_cursor_is_ignored_not_an_error(client, login_as, queue):
    login_as("officer", fund="NSAF")
    for after in ("nonsense", "x_y", "2026-13-01_5", "Dara_99999999999999999999"):
        for sort in ("received", "-assignee"):
            assert client.get(f"/cases/?sort={sort}&after={after}").status_code == 200
