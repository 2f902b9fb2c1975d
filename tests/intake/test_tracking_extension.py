"""An approved extension is told on the tracking page: the new date and the reason, masked; a refused one is not."""

from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone

from grievance.cases import service as svc
from grievance.domain import dates
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models.timeutil import from_db
from tests.intake.helpers import text_of

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # Monday 10:00 Phnom Penh
REASON = "My name is Sok Dara, phone 012 345 678. The bank has not sent the March payment list yet."


def _confidential_case(make):
    return make.case("NSAF-CT-MISSING", now=T0, identity_mode="confidential", name="Sok Dara", phone="012 345 678")


def _extend(make, case, approve: bool, reason: str = REASON):
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    svc.acknowledge(case, officer, "We have your complaint.", now=T0 + timedelta(hours=1))
    request = svc.request_extension(case, officer, 5, reason, now=T0 + timedelta(days=2))
    svc.decide_extension(request, supervisor, approve, "Agreed by Supervisor Chea", now=T0 + timedelta(days=3))
    db.session.commit()
    return officer, supervisor


def _track(client, case, code, lang: str) -> str:
    client.set_cookie("lang", lang)
    return html.unescape(text_of(client.post("/track", data={"reference": case.reference, "code": code})))


def _history(page: str) -> str:
    return page.split('class="timeline"', 1)[1]


def _new_day(case, lang: str) -> str:
    return dates.day(from_db(case.resolve_due_at).astimezone(TZ), lang)


def test_an_approved_extension_is_told_in_khmer_with_the_new_date_and_the_reason_masked(client, make):
    case, code = _confidential_case(make)
    before = case.resolve_due_at
    officer, supervisor = _extend(make, case, approve=True)
    assert case.resolve_due_at != before

    history = _history(_track(client, case, code, "km"))
    assert "ពេលបន្ថែមដើម្បីឆ្លើយតប" in history  # the history line's label
    assert f"មូលនិធិត្រូវការពេលបន្ថែមដើម្បីឆ្លើយតប៖ ថ្ងៃឆ្លើយតបថ្មីគឺ {_new_day(case, 'km')}។ មូលហេតុ៖" in history
    assert "The bank has not sent the March payment list yet." in history
    for secret in ("Sok Dara", "Sok", "Dara", "012 345 678", "345 678", officer.name, supervisor.name, "Chea"):
        assert secret not in history, secret
    assert "Agreed by" not in history, "the supervisor's note is internal"


def test_an_approved_extension_is_told_in_english_with_the_date_the_page_gives_for_an_answer(client, make):
    case, code = _confidential_case(make)
    _extend(make, case, approve=True)

    page = _track(client, case, code, "en")
    day = _new_day(case, "en")
    assert f"<dt>Answer due by</dt><dd>{day}</dd>" in page  # the date told is the case's answer date
    assert (
        f"The fund needs more time to answer: the new date for an answer is {day}. Reason: My name is [•••], "
        "phone [•••]. The bank has not sent the March payment list yet." in _history(page)
    )
    assert "More time to answer" in _history(page)
    assert "Sok Dara" not in page and "012 345 678" not in page


def test_a_refused_extension_tells_nothing_on_the_tracking_page(client, make):
    case, code = _confidential_case(make)
    before = case.resolve_due_at
    _extend(make, case, approve=False, reason="The bank is slow.")
    assert case.resolve_due_at == before
    for lang in ("km", "en"):
        history = _history(_track(client, case, code, lang))
        for told in ("More time to answer", "ពេលបន្ថែមដើម្បីឆ្លើយតប", "The bank is slow", "Agreed by"):
            assert told not in history, (lang, told)

    again = svc.request_extension(case, make.user("officer", fund="NSAF"), 3, "Records are on the way.")
    svc.decide_extension(again, make.user("supervisor", fund="NSAF"), True, "ok")
    db.session.commit()
    history = _history(_track(client, case, code, "en"))
    assert history.count("More time to answer") == 1 and "Records are on the way." in history
    assert "The bank is slow" not in history


def test_a_closure_day_on_the_tracking_page_reads_as_a_day_not_a_masked_number(client, make):
    from grievance.admin import calendar

    case, code = make.case("NSAF-CT-MISSING", identity_mode="anonymous")  # received now: its clocks run ahead
    closed = from_db(case.resolve_due_at).astimezone(TZ).date()  # a working day inside the clock
    calendar.add(
        make.user("admin", fund=None), calendar.calendar_version(), closed, reason_en="Flood", reason_km="ទឹកជំនន់"
    )
    db.session.commit()

    history = _history(_track(client, case, code, "km"))
    assert f"{dates.day(closed, 'km')} (ទឹកជំនន់)" in history and "[•••]" not in history
    history = _history(_track(client, case, code, "en"))
    assert f"Offices are closed on {closed.isoformat()} (Flood)" in history
