"""The bad-input catalogue (security.md items 1–14) against every surface each item can reach.

For each surface and item: never a 5xx; either a refusal that leaves the database exactly as it
was, or the value stored literally (after NFC) and shown escaped wherever it is displayed.
Items that must be refused (NUL, invalid UTF-8, over-long, invisible runs...) may not be stored.
The public form's files (item 12) and the tracking lookups have their own, fuller catalogues in
tests/intake; the PDF items (13, 14) are checked here on every PDF a user's text reaches.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes, urlencode

import pytest
from sqlalchemy import String, Text, func, select

from grievance.extensions import db as _db
from grievance.models import Case
from tests.intake.helpers import complaint_data, form_token
from tests.reports.scenario import pdf_text_pages
from tests.reports.test_rendering_safety import canary  # noqa: F401 - the loopback canary fixture
from tests.security import catalogue
from tests.security.catalogue import RAW_MARKUP, TEXT_ITEMS, Item
from tests.security.routes import changed_tables, db_state

FORM = "application/x-www-form-urlencoded"


def cleaned(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def stored_literally(text: str) -> bool:
    """True if some text column of some row holds the cleaned value (JSON payloads included)."""
    wanted = cleaned(text)
    forms = {wanted, json.dumps(wanted, ensure_ascii=False)[1:-1]}
    for table in _db.metadata.sorted_tables:
        columns = [c for c in table.columns if isinstance(c.type, String | Text)]
        for row in _db.session.execute(select(*columns)).all() if columns else []:
            if any(isinstance(v, str) and any(f in v for f in forms) for v in row):
                return True
    return False


def newest_case_id() -> int | None:
    return _db.session.scalar(select(func.max(Case.id)))


@dataclass
class Surface:
    """Where a value can be typed, how to send it, and which pages show it afterwards."""

    id: str
    role: str  # who sends it (logged in on the client first)
    limit: int | None  # the field's maximum, in code points
    send: Callable  # (client, world, item) -> response
    shows: Callable  # (world) -> [(viewer role, method, url)] pages that display the value
    stores: bool = True  # False: the surface never stores what was typed (login)


def _form(client, path, fields: dict, name: str, item: Item):
    body = urlencode(fields).encode("ascii") + b"&" + name.encode("ascii") + b"=" + item.wire
    return client.post(path, data=body, content_type=FORM)


def _public_form(field: str, **extra):
    def send(client, world, item):
        data = complaint_data(form_token(client), **extra)
        data.pop(field, None)
        return _form(client, "/", data, field, item)

    return send


def _api(field: str, **extra):
    def send(client, world, item):
        body = {"service_code": "NSAF-CT-MISSING", "description": "Hostile input check.", **extra}
        if item.text is None:  # not representable in JSON text: the raw bytes go on the wire
            raw = json.dumps({**body, field: "@@"}).encode("utf-8").replace(b"@@", unquote_to_bytes(item.wire))
            return client.post("/open311/v2/requests.json", data=raw, content_type="application/json")
        return client.post("/open311/v2/requests.json", json={**body, field: item.text})

    return send


def _case_page_of_newest(world):
    return [
        ("officer_a", "GET", f"/cases/{newest_case_id()}"),
        ("officer_a", "POST", f"/cases/{newest_case_id()}/identity"),
    ]


def _case_a_pages(*extra):
    def shows(world):
        case_id = world.cases["a"].id
        return [("officer_a", "GET", f"/cases/{case_id}"), *[(r, "GET", u.format(id=case_id)) for r, u in extra]]

    return shows


def _staff_action(world_path: str, field: str, **extra):
    def send(client, world, item):
        case = world.cases["a"]
        _db.session.refresh(case)
        fields = {"version": case.version, **extra}
        return _form(client, world_path.format(id=case.id), fields, field, item)

    return send


def _tracking(client, world, item):
    fields = {"reference": world.cases["a"].reference, "code": world.codes["a"]}
    return _form(client, "/track/information", fields, "message", item)


def _info_edit(client, world, item):
    from grievance.models import InfoPage

    # The editor sends the version it showed (a stale one is a conflict): the page as it is now.
    version = _db.session.execute(select(InfoPage.version).where(InfoPage.id == world.info_page.id)).scalar_one()
    fields = {"version": version, "title_km": "ទំព័រ", "title_en": "Page", "body_km": "អត្ថបទ"}
    return _form(client, f"/admin/info/{world.info_page.id}", fields, "body_en", item)


def _login(field: str):
    def send(client, world, item):
        fields = {"email": "nobody@example.org", "password": "a long wrong password"}
        fields.pop(field)
        return _form(client, "/auth/login", fields, field, item)

    return send


SURFACES = [
    Surface("public-form-description", "anonymous", 5000, _public_form("description"), _case_page_of_newest),
    Surface(
        "public-form-name",
        "anonymous",
        200,
        _public_form("name", identity_mode="confidential", consent="y"),
        _case_page_of_newest,
    ),
    Surface("public-form-programme-number", "anonymous", 64, _public_form("programme_number"), _case_page_of_newest),
    Surface("tracking-add-information", "anonymous", 5000, _tracking, _case_a_pages()),
    Surface("open311-description", "anonymous", 5000, _api("description"), _case_page_of_newest),
    Surface(
        "open311-first-name",
        "anonymous",
        100,
        _api("first_name", attribute={"identity_mode": "confidential"}),
        _case_page_of_newest,
    ),
    Surface("staff-note", "officer_a", 5000, _staff_action("/cases/{id}/note", "message"), _case_a_pages()),
    Surface(
        "staff-acknowledge",
        "officer_a",
        5000,
        _staff_action("/cases/{id}/public_update", "message"),
        _case_a_pages(),
    ),
    Surface(
        "monitor-comment",
        "monitor_in",
        2000,
        _staff_action("/monitor/cases/{id}/comment", "message"),
        _case_a_pages(("monitor_in", "/monitor/cases/{id}")),
    ),
    Surface(
        "monitor-flag-note",
        "monitor_in",
        2000,
        _staff_action("/monitor/cases/{id}/flag", "note", kind="other"),
        _case_a_pages(("oversight", "/oversight/flags"), ("oversight", "/oversight/")),
    ),
    Surface(
        "frontdesk-visit",
        "frontdesk",
        2000,
        _staff_action("/frontdesk/cases/{id}/visit", "note"),
        _case_a_pages(("frontdesk", "/frontdesk/cases/{id}")),
    ),
    Surface(
        "info-page-body",
        "admin",
        6000,
        _info_edit,
        lambda world: [("anonymous", "GET", f"/info/{world.info_page.slug}")],
    ),
    Surface("login-email", "anonymous", 254, _login("email"), lambda world: [], stores=False),
    Surface("login-password", "anonymous", 128, _login("password"), lambda world: [], stores=False),
]


def _items_for(surface: Surface) -> list[Item]:
    items = list(TEXT_ITEMS) + [catalogue.TEN_MEGABYTES]
    if surface.limit:
        items.append(catalogue.khmer_over(surface.limit))
    return items


def _assert_escaped(html: str, where: str, failures: list) -> None:
    for raw in RAW_MARKUP:
        if raw in html:
            failures.append(f"{where}: unescaped {raw!r}")
    if "test-secret-key" in html or "SQLALCHEMY" in html:
        failures.append(f"{where}: a template expression was evaluated")


@pytest.mark.parametrize("surface", SURFACES, ids=[s.id for s in SURFACES])
def test_every_catalogue_item_is_refused_or_stored_literally(app, world, surface):
    from tests.intake.helpers import FreshRequestClient

    clients = {}

    def client_for(role):
        if role not in clients:
            clients[role] = FreshRequestClient(app, app.response_class, use_cookies=True)
            world.login(clients[role], role)
        return clients[role]

    failures = []
    for item in _items_for(surface):
        before = db_state()
        response = surface.send(client_for(surface.role), world, item)
        where = f"{surface.id} × {item.id}"
        if response.status_code >= 500:
            failures.append(f"{where}: {response.status_code}")
            continue
        _assert_escaped(response.get_data(as_text=True), where, failures)
        changed = changed_tables(before, db_state())
        if not changed:
            continue  # refused, nothing half-saved
        if item.must_refuse or not surface.stores:
            failures.append(f"{where}: accepted ({response.status_code}) and changed {changed}")
        elif item.text is not None and not stored_literally(item.text):
            failures.append(f"{where}: stored, but not as typed")
        for role, method, url in surface.shows(world):
            page = client_for(role).open(url, method=method)
            if page.status_code >= 500:
                failures.append(f"{where}: {method} {url} as {role} answered {page.status_code}")
            _assert_escaped(page.get_data(as_text=True), f"{where} shown at {url}", failures)
    assert not failures, "\n".join(failures)


# --- 8. JSON bodies ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"), [b[1:] for b in catalogue.JSON_BODIES], ids=[b[0] for b in catalogue.JSON_BODIES]
)
def test_hostile_json_gets_a_clear_json_4xx_and_stores_nothing(client, db, body, content_type):
    before = db_state()
    response = client.post("/open311/v2/requests.json", data=body, content_type=content_type)
    assert 400 <= response.status_code < 500
    assert response.is_json and response.get_json()[0]["description"]
    assert changed_tables(before, db_state()) == []


def test_extra_status_fund_assignee_and_role_fields_write_nothing_anywhere(app, world):
    """Forms and payloads write only the fields they list (mass assignment)."""
    from tests.intake.helpers import FreshRequestClient

    extra = {"status": "closed", "fund": "NSSF", "fund_id": "2", "assignee": "1", "assignee_id": "1", "role": "admin"}
    api = FreshRequestClient(app, app.response_class).post(
        "/open311/v2/requests.json",
        json={"service_code": "NSAF-CT-MISSING", "description": "Mass assignment check.", **extra},
    )
    assert api.status_code == 201
    case = _db.session.get(Case, newest_case_id())
    assert (case.status, case.fund.code, case.assignee_id) == ("received", "NSAF", None)

    officer = FreshRequestClient(app, app.response_class, use_cookies=True)
    world.login(officer, "officer_a")
    target = world.cases["a"]
    _db.session.refresh(target)
    note = officer.post(f"/cases/{target.id}/note", data={"version": target.version, "message": "A note.", **extra})
    assert note.status_code == 303
    _db.session.expire_all()
    target = _db.session.get(Case, target.id)
    assert (target.status, target.fund.code, target.assignee_id) == ("acknowledged", "NSAF", None)
    password = officer.post(
        "/auth/password", data={"current": "wrong", "new": "", "confirm": "", "role": "admin", "fund_id": "2"}
    )
    assert password.status_code in (200, 400)
    _db.session.expire_all()
    assert world.users["officer_a"].role == "officer"


# --- 9. redirect targets -------------------------------------------------------------------------


@pytest.mark.parametrize("target", catalogue.BAD_NEXT)
def test_next_never_leaves_the_site(client, world, target):
    from urllib.parse import quote, urlsplit

    from tests.factories import PASSWORD

    language = client.get(f"/lang/en?next={quote(target)}")
    user = world.users["officer_a"]
    login = client.post(f"/auth/login?next={quote(target)}", data={"email": user.email, "password": PASSWORD})
    for response in (language, login):
        assert response.status_code == 302
        location = urlsplit(response.headers["Location"])
        assert location.netloc in ("", "localhost") and location.scheme in ("", "http")
        assert location.path.startswith("/") and not location.path.startswith("//") and "\\" not in location.path
        assert "evil" not in response.headers["Location"] and "javascript" not in response.headers["Location"]


# --- 10. ids and CSRF ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["officer_a", "admin", "monitor_in", "frontdesk"])
def test_out_of_range_ids_are_404_never_500(app, client, world, role):
    from tests.security.routes import routes, values_for

    world.login(client, role)
    before = db_state()
    failures = []
    for route in routes(app):
        ints = [n for n, conv in route.rule._converters.items() if type(conv).__name__ == "IntegerConverter"]
        if not ints or route.endpoint == "auth.logout":
            continue
        for bad in catalogue.BAD_IDS:
            values = values_for(route, world, app=app)
            url = route.rule.build(values, append_unknown=False)[1]
            for name in ints:
                url = url.replace(f"/{values[name]}", f"/{bad}", 1)
            response = client.open(url, method=route.method, data={"version": "1", "message": "x"})
            if response.status_code not in (403, 404, 405):
                failures.append(f"{route.method} {url} as {role}: {response.status_code}")
    assert not failures, "\n".join(failures)
    assert changed_tables(before, db_state()) == []


def test_staff_posts_need_their_own_fresh_csrf_token(tmp_path):
    """With CSRF on (as in production): missing, foreign or expired tokens are refused on every staff POST."""
    from config import TestConfig
    from grievance import create_app
    from grievance.extensions import csrf
    from grievance.seed import seed_reference
    from tests.factories import PASSWORD, Factory
    from tests.security import routes as found

    class WithCsrf(TestConfig):
        WTF_CSRF_ENABLED = True
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'csrf.sqlite'}"

    app = create_app(WithCsrf)
    with app.app_context():
        _db.create_all()
        seed_reference()
        _db.session.commit()
        make = Factory(app)
        user = make.user("supervisor", fund="NSAF")
        case, _code = make.case("NSAF-CT-MISSING")
        case_id, version, email = case.id, case.version, user.email
    # Requests run outside any shared app context: each gets its own `g` (Flask-WTF caches the token there).
    one, other = app.test_client(), app.test_client()
    tokens = {}
    for name, c in (("one", one), ("other", other)):
        page = c.get("/auth/login").get_data(as_text=True)
        tokens[name] = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        login = c.post("/auth/login", data={"email": email, "password": PASSWORD, "csrf_token": tokens[name]})
        assert login.status_code == 302
    checked = 0
    for route in found.routes(app):
        if route.method != "POST" or route.blueprint in ("api", "sms") or route.endpoint == "auth.login":
            continue
        if f"{app.view_functions[route.endpoint].__module__}.{route.endpoint.split('.')[-1]}" in csrf._exempt_views:
            continue
        values = {n: (case_id if n.endswith("_id") else "note" if n == "action" else "x") for n in route.rule.arguments}
        url = route.rule.build(values, append_unknown=False)[1]
        with app.app_context():
            before = db_state()
        for token in (None, tokens["other"], "IjEyMyI.ZmFrZQ.expired-signature"):
            data = {"version": version, "message": "csrf check"}
            if token:
                data["csrf_token"] = token
            response = one.post(url, data=data)
            assert response.status_code == 400, f"POST {url} with token {token!r}: {response.status_code}"
        with app.app_context():
            assert changed_tables(before, db_state()) == [], url
        checked += 1
    assert checked >= 10
    with app.app_context():
        _db.engine.dispose()


# --- 11. spreadsheet formulas in every CSV the app serves ----------------------------------------


def _csv_cells(text: str):
    for row in csv.reader(io.StringIO(text)):
        yield from row


@pytest.mark.parametrize("role", ["anonymous", "admin", "oversight", "supervisor"])
def test_no_csv_cell_can_start_a_formula(app, client, world, make, role):
    from tests.security.routes import routes, url_for_route

    for formula in catalogue.CSV_FORMULAS:
        make.case(
            "NSAF-CT-MISSING",
            description=f"{formula} formula in the text",
            name=formula,
            phone="012 345 678",
            identity_mode="confidential",
            province_code="12",
        )
    world.login(client, role)
    served = 0
    for route in routes(app):
        if route.method != "GET" or route.endpoint == "static":
            continue
        response = client.get(url_for_route(route, world, app=app))
        if response.mimetype != "text/csv":
            continue
        served += 1
        for cell in _csv_cells(response.get_data(as_text=True)):
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r"), f"{route}: formula-like cell {cell!r}"
    assert served >= (1 if role == "anonymous" else 0)
    from grievance.domain.redaction import safe_cell

    for formula in catalogue.CSV_FORMULAS:
        assert str(safe_cell(formula))[:1] not in ("=", "+", "-", "@", "\t", "\r"), formula


# --- 13, 14. user text in PDFs: literal, nothing fetched, bounded ---------------------------------


def _pdf_texts(port: int) -> list[tuple[str, str]]:
    texts = [(i.id, i.text) for i in TEXT_ITEMS if not i.must_refuse and i.id[:2] in ("2-", "3-", "13")]
    texts = [
        (id_, text.replace("127.0.0.1:9/", f"127.0.0.1:{port}/").replace("127.0.0.1/", f"127.0.0.1:{port}/"))
        for id_, text in texts
    ]
    return texts + [("14-200k-khmer", "ក" * 200_000)]


def test_user_text_in_pdfs_stays_text_and_fetches_nothing(app, world, canary):  # noqa: F811 - the fixture
    """Case file (staff) and receipt (complainant): every hostile text at once, then 200,000 Khmer characters."""
    from tests.intake.helpers import FreshRequestClient

    port, hits = canary
    case = world.cases["a"]
    staff = FreshRequestClient(app, app.response_class, use_cookies=True)
    world.login(staff, "officer_a")
    for item_id, text in _pdf_texts(port):
        case.description = text  # stored directly: item 14 is past the form's limit on purpose
        _db.session.commit()
        if len(text) <= 5000:
            assert (
                staff.post(f"/cases/{case.id}/note", data={"version": case.version, "message": text}).status_code == 303
            )
        for client, method, url, data in (
            (staff, "GET", f"/reports/case/{case.id}.pdf", None),
            (
                FreshRequestClient(app, app.response_class),
                "POST",
                "/reports/receipt.pdf",
                {"reference": case.reference, "code": world.codes["a"]},
            ),
        ):
            response = client.open(url, method=method, data=data)
            assert response.status_code == 200, f"{item_id} {url}: {response.status_code}"
            assert response.mimetype == "application/pdf"
            assert "root:x:0:0" not in " ".join(pdf_text_pages(response.data)), f"{item_id} {url}"
        _db.session.refresh(case)
    assert hits == [], f"the PDF renderer fetched {hits}"


@pytest.mark.parametrize("version", catalogue.BAD_IDS + ["1e309", "true", ""])
def test_a_bad_version_number_on_a_staff_form_is_refused_not_a_500(client, world, version):
    world.login(client, "officer_a")
    case = world.cases["a"]
    before = db_state()
    response = client.post(f"/cases/{case.id}/note", data={"version": version, "message": "A note."})
    assert response.status_code in (303, 400, 409)
    assert changed_tables(before, db_state()) == []


# --- 4, 7. hostile query strings on every page (search boxes, filters, paging) -------------------

QUERY_NAMES = [
    "q", "search", "status", "category", "province", "fund", "reference", "service_code", "month", "page",
    "page_size", "figure", "from", "to", "next", "lang", "band", "group", "sort", "service_request_id",
    "start_date", "end_date", "code", "kind", "org",
]  # fmt: skip
QUERY_VALUES = ["abc\x00def", "' OR '1'='1", "%", "_", "x" * 5000, "9" * 400, "\ud800".encode("utf-8", "surrogatepass")]


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "oversight", "monitor_in", "frontdesk"])
def test_hostile_query_strings_never_cause_a_500(app, client, world, role):
    from urllib.parse import quote_from_bytes

    from tests.security.routes import routes, url_for_route

    world.login(client, role)
    failures = []
    for route in routes(app):
        if route.method != "GET" or route.endpoint == "static":
            continue
        base = url_for_route(route, world, app=app)
        for value in QUERY_VALUES:
            raw = value if isinstance(value, bytes) else value.encode("utf-8")
            query = "&".join(f"{name}={quote_from_bytes(raw, safe='')}" for name in QUERY_NAMES)
            response = client.get(f"{base}?{query}")
            if response.status_code >= 500:
                failures.append(f"{route} as {role} with {value!r:.20}: {response.status_code}")
            if response.mimetype == "text/html":
                _assert_escaped(response.get_data(as_text=True), f"{route} as {role}", failures)
    assert not failures, "\n".join(failures)
