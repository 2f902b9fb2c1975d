"""No page or export a monitor or the public can reach shows a complainant's name, phone or programme number.

Distinctive values are planted in every personal field of many cases, and typed again into
descriptions, messages from the fund, transfer reasons and the complainant's own additions;
then every monitor and public endpoint is walked and every response searched.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as cases
from grievance.extensions import db as _db
from grievance.intake.service import Submission, submit
from grievance.models import Case, Fund, OutboxMessage, User
from grievance.monitoring.service import add_scope
from grievance.security import PUBLIC_ENDPOINTS
from tests.factories import PASSWORD

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
CATEGORIES = ["NSAF-CT-MISSING", "NSSF-INFORMAL", "HEALTH-FEE", "IDPOOR", "NSSF-HEALTH"]


def _person(i: int) -> dict:
    return {
        "name": f"Qzname{i:03d} Vorak",
        "phone": f"0{12 + i % 80} {700 + i:03d} {900 - i:03d}",
        "email": f"leak{i:03d}@example.org",
        "programme_number": f"PGX{i:03d}-{31337 + i}",
    }


def _needles(person: dict) -> set[str]:
    digits = re.sub(r"\D", "", person["phone"])
    return {
        person["name"],
        person["name"].split()[0],
        person["phone"],
        digits,
        person["email"],
        person["programme_number"],
    }


@pytest.fixture()
def planted(db, make):
    # NSPC's cases are handled by the council's triage desk (its readers, role oversight, act on none).
    officers = {code: make.user("officer", fund=code) for code in ("NSAF", "NSSF", "HEALTH", "NSPC")}
    monitor = make.user("monitor", org="Informal Workers Union")
    add_scope(monitor.organisation, make.user("admin"), None, None)  # the union watches every case
    nssf = _db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    needles = set()
    for i in range(30):
        person = _person(i)
        needles |= _needles(person)
        mode = ("named", "confidential", "anonymous")[i % 3]
        own = i % 5 == 0 and mode != "named"  # filed by the monitor's union, identity kept confidential
        # An anonymous complainant's name is not stored, so nothing could recognise it in free text:
        # it is typed only where it is also stored. Numbers are typed everywhere.
        name = person["name"] if mode != "anonymous" else "(no name)"
        text = f"My name is {name}, card {person['programme_number']}, phone {person['phone']}."
        case = submit(
            Submission(
                category_code=CATEGORIES[i % len(CATEGORIES)],
                description=text,
                identity_mode=mode,
                channel="assisted" if own else "web",
                province_code=f"{1 + i % 25:02d}",
                consent_given=True,
                **person,
            ),
            key=make.key,
            actor=monitor if own else None,
            organisation=monitor.organisation if own else None,
            now=T0 + timedelta(hours=i),
        ).case
        officer = officers[case.fund.code]
        at = T0 + timedelta(hours=i, minutes=30)
        cases.acknowledge(case, officer, f"Dear {name}, we will call {person['phone']}.", now=at)
        if i % 4 == 0:
            cases.request_info(
                case, officer, f"Is {person['programme_number']} your card?", now=at + timedelta(hours=1)
            )
            cases.provide_info(case, None, f"Yes, call {person['email']}", now=at + timedelta(hours=2))
        if i % 6 == 1 and case.fund.code == "NSAF":
            cases.transfer(case, officer, nssf, f"Member {name} {person['phone']}", now=at + timedelta(hours=3))
        if i % 3 == 2:
            officer = officers[case.fund.code]
            if case.status == "acknowledged":
                cases.start(case, officer, now=at + timedelta(hours=4))
            cases.resolve(case, officer, "remedied", f"Paid to {name}", now=at + timedelta(days=2))
        _db.session.commit()
    return {"monitor": monitor, "needles": needles}


def _walk(client, app, case_ids, prefixes):
    """(url, response) for every GET endpoint under the prefixes, with every case id."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith(prefixes) or "GET" not in rule.methods:
            continue
        if "case_id" in rule.arguments:
            urls = [rule.build({"case_id": i})[1] for i in case_ids]
        elif rule.arguments:
            continue
        else:
            urls = [rule.build({})[1]]
        for url in urls:
            yield url, client.get(url)


def _assert_clean(url, response, needles):
    body = response.get_data(as_text=True)
    found = [n for n in needles if n.lower() in body.lower()]
    assert not found, f"{url} shows {found}"


def test_monitor_pages_show_no_personal_data(planted, client, app):
    monitor = planted["monitor"]
    client.post("/auth/login", data={"email": monitor.email, "password": PASSWORD})
    case_ids = range(1, 32)
    seen = 0
    for url, response in _walk(client, app, case_ids, ("monitoring.",)):
        _assert_clean(url, response, planted["needles"])
        seen += response.status_code == 200
    assert seen >= 30
    for query in ("status=all", "status=all&page=2", "status=resolved", "followed=1", "fund=NSSF&status=all"):
        _assert_clean(query, client.get(f"/monitor/?{query}"), planted["needles"])
    for case_id in case_ids:
        client.post(f"/monitor/cases/{case_id}/follow")
        for path in ("flag", "comment", "identity"):
            data = {"kind": "other", "message": "x", "reason": "contact"}
            response = client.post(f"/monitor/cases/{case_id}/{path}", data=data)
            _assert_clean(path, response, planted["needles"])
    # a public update after following: the e-mail to the monitor carries no personal data either
    case = _db.session.get(Case, 3)
    officer = _db.session.execute(select(User).where(User.fund_id == case.fund_id)).scalars().first()
    if officer is not None and case.is_open:
        cases.public_update(case, officer, "Update for the complainant", now=T0 + timedelta(days=3))
        _db.session.commit()
    mails = _db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == monitor.email)).scalars().all()
    for mail in mails:
        assert not [n for n in planted["needles"] if n in mail.subject + mail.body]


def test_public_pages_and_exports_show_no_personal_data(planted, client, app):
    public_gets = tuple(e + "." if "." not in e else e for e in PUBLIC_ENDPOINTS if e.startswith("transparency"))
    walked = 0
    for url, response in _walk(client, app, [], public_gets + ("main.healthz",)):
        _assert_clean(url, response, planted["needles"])
        walked += 1
    for month in ("2026-03", "2026-02"):
        _assert_clean(month, client.get(f"/transparency?month={month}"), planted["needles"])
    csv = client.get("/transparency/figures.csv")
    assert csv.status_code == 200 and "2026-03" in csv.get_data(as_text=True)
    _assert_clean("csv", csv, planted["needles"])
    assert walked >= 2
