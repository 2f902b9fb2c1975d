"""Nobody who should not know can find a complainant: identities planted in every spelling, every surface crawled.

Named, confidential and anonymous complaints carry their complainant's name, phone, e-mail and
programme number in the description, written the ways people really write them (Khmer without
spaces, zero-width and double spaces, line breaks, reversed order, upper case, phones with
commas, slashes and Khmer digits, programme numbers with any separator); the fund's public
messages, a transfer reason and the complainant's own additions repeat them. Then every public
route (tracking pages and receipts, Open311 `requests` and `requests/{id}` in every advertised
format, errors, transparency page and CSV, information pages), every monitor page of an
organisation that did not file them, the council's pages and files about other funds' cases
and the front desk are walked, and every body (PDF text included) is searched.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as cases
from grievance.domain.redaction import skeleton
from grievance.extensions import db as _db
from grievance.frontdesk.offices import office_for_place
from grievance.intake.service import Submission, submit
from grievance.models import Fund, InfoPage, OutboxMessage
from grievance.monitoring.service import add_scope
from grievance.security import PUBLIC_ENDPOINTS
from tests.factories import PASSWORD
from tests.intake.helpers import FreshRequestClient
from tests.reports.scenario import pdf_text_pages

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
# Distinctive parts, so that finding one on a page can only be a leak.
KHMER_FAMILY = ["ឃ្លាំង", "ស្រឡាញ់", "ព្រះច័ន្ទ", "ឃុនសំ", "វង្សា", "ឆ្លូញ"]
KHMER_GIVEN = ["វិរៈបុត្រ", "សុវណ្ណារី", "ច័ន្ទបូរី", "ពេជ្ររតនា", "មន្ថា", "បុប្ផាវី"]
LATIN_FAMILY = ["Qzvorak", "Plinthey", "Kravanhx", "Moulthy", "Sreyzoth", "Bokorva"]
LATIN_GIVEN = ["Vireakboth", "Sovannary", "Chanbory", "Pechrotana", "Monthazy", "Bophavy"]


def _person(i: int) -> dict:
    khmer = i % 2 == 0
    family = (KHMER_FAMILY if khmer else LATIN_FAMILY)[(i // 2) % 6]
    given = (KHMER_GIVEN if khmer else LATIN_GIVEN)[(i // 2 + 1 + i // 12) % 6]
    return {
        "family": family,
        "given": given,
        "name": f"{family} {given}",
        "groups": (f"0{71 + i}", f"{731 + 7 * i}", f"{946 - 3 * i}"),
        "email": f"qleak{i:02d}x@example.org",
        "programme": ("IDPX", f"{2019 + i % 5}", f"{47100 + i}"),
        "khmer": khmer,
    }


def _spellings(p: dict, *, anonymous: bool = False) -> list[str]:
    """The ways the issue lists, one description each.

    An anonymous complainant's name is not stored, so only a name they introduce ("My name is",
    "ខ្ញុំឈ្មោះ") can be recognised: for them the name is always introduced, while their numbers
    (phone, card, e-mail) take every spelling.
    """
    f, g = p["family"], p["given"]
    a, b, c = p["groups"]
    pa, pb, pc = p["programme"]
    intro = "ខ្ញុំឈ្មោះ" if p["khmer"] else "My name is "
    if anonymous:
        name = f"{intro}{f}{g}" if p["khmer"] else f"{intro}{f} {g}"
        return [
            f"{name} ខ្ញុំមិនទាន់បានទទួលប្រាក់ ទូរស័ព្ទ {a},{b},{c}",
            f"{name}, call {a} / {b} / {c}",
            f"{name}\nphone\n{a}\n{b}\n{c}",
            f"{name}, phone {(a + ' ' + b + ' ' + c).translate(KHMER_DIGITS)}",
            f"{name}, card {pa} {pb} {pc} mail {p['email']}",
            f"{name}, card {pa}/{pb}/{pc}, +855 {a[1:]}-{b}-{c}",
        ]
    return [
        f"{intro}{f}{g} ខ្ញុំមិនទាន់បានទទួលប្រាក់ ទូរស័ព្ទ {a},{b},{c}",  # no space, commas
        f"{intro}{f}\u200b{g} call {a} / {b} / {c}",  # zero-width space, slashes
        f"{intro}{f}  {g}\nphone\n{a}\n{b}\n{c}",  # double space, line breaks
        f"{g} {f} is my name, phone {(a + ' ' + b + ' ' + c).translate(KHMER_DIGITS)}",  # reversed, Khmer digits
        f"{intro}{(f + ' ' + g).upper()} card {pa} {pb} {pc} mail {p['email']}",  # upper case, spaced number
        f"{intro}{f} {g}, card {pa}/{pb}/{pc}, +855 {a[1:]}-{b}-{c}",  # programme with slashes, +855
    ]


def _needles(p: dict) -> set[str]:
    """What must appear nowhere, in the folded form `skeleton` gives (case, spacing, digits folded)."""
    fold = lambda text: skeleton(text)[0]  # noqa: E731
    a, b, c = p["groups"]
    return {
        fold(p["family"] + p["given"]),
        fold(p["given"] + p["family"]),
        fold(p["given"]),
        fold(p["family"]),
        fold(a[1:] + b + c),  # the phone without its trunk 0
        fold(p["email"].split("@")[0]),
        fold("".join(p["programme"][1:])),  # year and number of the programme card
    }


@pytest.fixture()
def client(app, db):
    return FreshRequestClient(app, app.response_class, use_cookies=True)


@pytest.fixture()
def planted(db, make):
    officers = {code: make.user("officer", fund=code) for code in ("NSAF", "NSSF", "HEALTH")}
    council_desk = make.user("officer", fund="NSPC")  # the triage desk: the oversight fund's staff
    filer = make.user("monitor", org="Organisation that filed")
    watcher = make.user("monitor", org="Another organisation")
    add_scope(watcher.organisation, make.user("admin"), None, None)  # it watches every case
    nssf = _db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    needles: set[str] = set()
    tracked = []
    n = 0
    for mode in ("named", "confidential", "anonymous"):
        for i in range(6):
            p = _person(n)
            needles |= _needles(p)
            spellings = _spellings(p, anonymous=mode == "anonymous")
            description = spellings[i]
            assisted = mode != "anonymous" and i % 3 == 0  # filed by the other organisation
            stored = {} if mode == "anonymous" else {"name": p["name"], "phone": " ".join(p["groups"])}
            if mode != "anonymous":
                stored["email"] = p["email"]
            receipt = submit(
                Submission(
                    category_code=("NSAF-CT-MISSING", "NSSF-INFORMAL", "HEALTH-FEE")[n % 3],
                    description=description,
                    identity_mode=mode,
                    channel="assisted" if assisted else "web",
                    province_code="12",
                    consent_given=True,
                    programme_number="-".join(p["programme"]),
                    **stored,
                ),
                key=make.key,
                actor=filer if assisted else None,
                organisation=filer.organisation if assisted else None,
                now=T0 + timedelta(hours=n),
            )
            case = receipt.case
            officer = officers.get(case.fund.code) or council_desk
            at = T0 + timedelta(hours=n, minutes=20)
            spelled = spellings[(i + 1) % 6]
            cases.acknowledge(case, officer, f"Dear {spelled}. We will call you back.", now=at)
            cases.add_information(case, f"Again: {spellings[(i + 2) % 6]}", now=at + timedelta(minutes=5))
            if case.fund.code == "NSAF" and i % 2:
                cases.transfer(case, officer, nssf, f"Member {spelled}", now=at + timedelta(minutes=10))
            tracked.append((case.reference, receipt.tracking_code, case.id))
            _db.session.commit()
            n += 1
    return {"needles": needles, "tracked": tracked, "watcher": watcher, "officers": officers}


def _clean(where: str, body: str, needles: set[str]) -> None:
    folded = skeleton(unicodedata.normalize("NFC", body))[0]
    found = sorted(n for n in needles if n in folded)
    assert not found, f"{where} shows {found}"


def _body(response) -> str:
    if response.mimetype == "application/pdf":
        return "\n".join(pdf_text_pages(response.data))
    return response.get_data(as_text=True)


def _walk_gets(client, app, endpoints, args_for):
    """(url, response) for every GET rule of `endpoints`, once per set of arguments `args_for` gives."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in endpoints or "GET" not in rule.methods:
            continue
        for values in args_for(rule):
            url = rule.build(values)[1]
            yield url, client.get(url)


def _formats(client) -> list[str]:
    """The Open311 formats the discovery document advertises, as file extensions."""
    found = client.get("/open311/v2/discovery.json").get_json()
    extensions = {"application/json": "json", "text/xml": "xml", "application/xml": "xml"}
    return sorted({extensions[f] for e in found["endpoints"] for f in e["formats"] if f in extensions})


def test_no_public_route_in_any_format_shows_a_planted_identity(planted, client, app):
    needles, tracked = planted["needles"], planted["tracked"]
    slugs = list(_db.session.execute(select(InfoPage.slug)).scalars())
    references = [ref for ref, _code, _id in tracked]

    def by_name(arguments):
        if not arguments:
            return [{}]
        if arguments == {"slug"}:
            return [{"slug": s} for s in slugs[:3]]
        if arguments == {"service_code"}:
            return [{"service_code": "NSAF-CT-MISSING"}]
        if arguments == {"request_id"}:
            return [{"request_id": ref} for ref in references] + [{"request_id": "GRV-2026-999999"}]
        return []

    def args_for(rule):
        # Open311 routes take their format as an argument too (requests/<id>.<format>): every format.
        formats = {"format", "fmt"} & set(rule.arguments)
        if not formats:
            return by_name(rule.arguments)
        (name,) = formats
        return [{**args, name: ext} for args in by_name(rule.arguments - {name}) for ext in ("json", "xml")]

    public = {e for e in PUBLIC_ENDPOINTS if e != "static"}
    walked = 0
    for url, response in _walk_gets(client, app, public, args_for):
        _clean(url, _body(response), needles)
        walked += 1
    assert walked >= len(references) + 8
    formats = _formats(client)
    assert "json" in formats
    for ext in formats:
        for page in (1, 2, 3):
            listing = client.get(f"/open311/v2/requests.{ext}?page_size=10&page={page}")
            assert listing.status_code == 200
            _clean(f"requests.{ext} page {page}", _body(listing), needles)
        for ref in references:
            shown = client.get(f"/open311/v2/requests/{ref}.{ext}")
            assert shown.status_code == 200 and ref in _body(shown)
            _clean(f"requests/{ref}.{ext}", _body(shown), needles)
        for bad in ("?status=maybe", "?page_size=1000", "?start_date=yesterday", "?service_request_id=x" * 60):
            _clean(f"requests.{ext}{bad[:30]}", _body(client.get(f"/open311/v2/requests.{ext}{bad}")), needles)
    for month in ("2026-03", "2026-02"):
        _clean(month, _body(client.get(f"/transparency?month={month}")), needles)
    csv = client.get("/transparency/figures.csv")
    assert "2026-03" in _body(csv)
    _clean("figures.csv", _body(csv), needles)
    for reference, code, _case_id in tracked:  # what anyone holding a tracking code reads
        form = {"reference": reference, "code": code}
        status = client.post("/track", data=form)
        assert status.status_code == 200 and reference in _body(status)
        _clean(f"/track {reference}", _body(status), needles)
        receipt = client.post("/reports/receipt.pdf", data=form)
        assert receipt.mimetype == "application/pdf"
        _clean(f"receipt {reference}", _body(receipt), needles)
        _clean("wrong code", _body(client.post("/track", data={**form, "code": "AAAA-AAAA-AAAA-AAAA"})), needles)


def test_no_page_of_a_monitor_from_another_organisation_shows_a_planted_identity(planted, client, app):
    needles, watcher = planted["needles"], planted["watcher"]
    client.post("/auth/login", data={"email": watcher.email, "password": PASSWORD})
    case_ids = [case_id for _r, _c, case_id in planted["tracked"]]

    def args_for(rule):
        if "case_id" in rule.arguments:
            return [{"case_id": i} for i in case_ids]
        return [] if rule.arguments else [{}]

    monitor_gets = {r.endpoint for r in app.url_map.iter_rules() if r.endpoint.startswith("monitoring.")}
    shown = 0
    for url, response in _walk_gets(client, app, monitor_gets, args_for):
        _clean(url, _body(response), needles)
        shown += response.status_code == 200
    assert shown >= len(case_ids)
    for query in ("status=all", "status=all&page=2", "followed=1", "fund=NSSF&status=all", "province=12"):
        _clean(query, _body(client.get(f"/monitor/?{query}")), needles)
    for case_id in case_ids:
        client.post(f"/monitor/cases/{case_id}/follow")
        denied = client.post(f"/monitor/cases/{case_id}/identity", data={"reason": "contact"})
        assert denied.status_code == 403
        _clean("identity", _body(denied), needles)
    officer = planted["officers"]["NSSF"]
    for case_id in case_ids[:6]:
        case = cases.get_case(case_id)
        if case.fund.code == "NSSF" and case.is_open:
            cases.public_update(case, officer, "News for you", now=T0 + timedelta(days=2))
    _db.session.commit()
    mails = _db.session.execute(select(OutboxMessage).where(OutboxMessage.recipient == watcher.email)).scalars().all()
    for mail in mails:
        _clean("e-mail", mail.subject + mail.body, needles)


def test_the_council_and_the_front_desk_see_other_funds_cases_without_their_complainants(
    planted, client, app, make, login_as
):
    needles = planted["needles"]
    council = login_as("oversight")
    assert council.role == "oversight"
    for _ref, _code, case_id in planted["tracked"]:
        case = cases.get_case(case_id)
        assert case.fund.code != "NSPC"
        for url in (
            f"/cases/{case_id}",
            f"/reports/case/{case_id}.pdf?lang=en",
            f"/oversight/cases/{case_id}/identity-views",
        ):
            response = client.get(url)
            assert response.status_code == 200, url
            _clean(url, _body(response), needles)
        assert client.post(f"/reports/case/{case_id}.pdf", data={"reason": "legal"}).status_code == 404
    for url in ("/oversight/flags", "/oversight/identity-access", "/cases/?status=all"):
        _clean(url, _body(client.get(url)), needles)
    office = office_for_place("1204", "120401")  # a Phnom Penh office: the cases' province
    desk = make.user("frontdesk", office_id=office.id)
    desk_client = FreshRequestClient(app, app.response_class, use_cookies=True)
    desk_client.post("/auth/login", data={"email": desk.email, "password": PASSWORD})
    for _ref, _code, case_id in planted["tracked"]:
        response = desk_client.get(f"/frontdesk/cases/{case_id}")
        assert response.status_code == 200
        _clean(f"frontdesk {case_id}", _body(response), needles)


def test_the_handling_fund_still_reads_the_whole_text(planted, client, login_as):
    """The redaction is for everyone else: the fund handling the case reads what was written."""
    reference, _code, case_id = planted["tracked"][0]
    case = cases.get_case(case_id)
    login_as("officer", fund=case.fund.code)
    page = client.get(f"/cases/{case_id}").get_data(as_text=True)
    assert re.sub(r"\s+", " ", case.description.split()[0]) in page
    assert skeleton(case.description)[0] in skeleton(page)[0]
