"""Role × endpoint access matrix over every route of the app (security.md, access control).

Every route in app.url_map is tried by every role — anonymous, a complainant holding a tracking
code, an officer of each fund, a supervisor, a monitor in and out of scope, the council, an
administrator, the front desk — against case A (NSAF) and case B (NSSF) where the route names a
case. The expectation comes from the explicit table below; a route of a blueprint the table does
not know fails the test, so giving a new audience access is a deliberate act. Every refusal
leaves the database exactly as it was (row counts and a checksum of every table).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from grievance.cases.actions import ACTIONS
from grievance.security import PUBLIC_ENDPOINTS
from tests.security.conftest import ROLES
from tests.security.routes import Route, changed_tables, db_state, routes, url_for_route

LOGGED_OUT = {"anonymous", "complainant"}
STAFF = set(ROLES) - LOGGED_OUT
FUND_STAFF = {"a": {"officer_a", "supervisor"}, "b": {"officer_b"}}
COUNCIL = {"oversight", "admin"}
MONITORS = {"monitor_in", "monitor_out"}


@dataclass(frozen=True)
class Rule:
    """Who may use an endpoint; for a route naming a case, per case.

    `allowed`: roles that get a real answer. `sees` (case-bound routes): roles that may know the
    case exists — anyone else gets exactly 404, so a case's existence is never confirmed.
    Everyone else who is logged in gets 403 or 404.
    """

    allowed: frozenset | dict
    sees: dict | None = None

    def outcome(self, role: str, case_key: str) -> str:
        if role in LOGGED_OUT:
            return "login"
        allowed = self.allowed[case_key] if isinstance(self.allowed, dict) else self.allowed
        if role in allowed:
            return "ok"
        if self.sees is not None and role not in self.sees[case_key]:
            return "hidden"
        return "refused"


def per_case(a: set, b: set) -> dict:
    return {"a": frozenset(a), "b": frozenset(b)}


def roles(*names) -> frozenset:
    return frozenset(set().union(*[n if isinstance(n, set) else {n} for n in names]))


CASE_VIEWERS = per_case(FUND_STAFF["a"] | COUNCIL, FUND_STAFF["b"] | COUNCIL)
MONITOR_SEES = per_case({"monitor_in"}, set())
DESK_SEES = per_case({"frontdesk"}, set())  # the desk is in Phnom Penh, case A's province
ALL_STAFF = frozenset(STAFF)

# Endpoint → Rule. Public endpoints are not listed: everyone may use them (see test below).
TABLE: dict[str, Rule] = {
    # fund staff's case pages; the queue answers everyone logged in (it is where login lands)
    # but lists only the cases the user may see
    "cases.queue": Rule(ALL_STAFF),
    "cases.show": Rule(CASE_VIEWERS, CASE_VIEWERS),
    "cases.act": Rule(per_case(FUND_STAFF["a"], FUND_STAFF["b"]), CASE_VIEWERS),
    "cases.identity": Rule(per_case(FUND_STAFF["a"], FUND_STAFF["b"]), CASE_VIEWERS),
    # the queue's phone search: the funds' staff (each case shown an identity view), nobody else
    "cases.search_phone": Rule(roles(FUND_STAFF["a"], FUND_STAFF["b"])),
    # appeals: the handling fund's staff and the council reach the forms; the service then
    # refuses the officer who answered and keeps a council appeal for the council
    "appeals.decide": Rule(per_case(FUND_STAFF["a"] | {"oversight"}, FUND_STAFF["b"] | {"oversight"}), CASE_VIEWERS),
    "appeals.refer": Rule(per_case(FUND_STAFF["a"] | {"oversight"}, FUND_STAFF["b"] | {"oversight"}), CASE_VIEWERS),
    # mass incidents (cases/incidents.py): fund staff see their fund's and every fund's incidents,
    # the council all; a fund's supervisor and the council declare and link; only fund staff who
    # manage the incident tell all and resolve together (the council's members act on no case)
    "incidents.index": Rule(roles("officer_a", "officer_b", "supervisor", COUNCIL)),
    "incidents.declare": Rule(roles("supervisor", "oversight")),
    "incidents.show": Rule(roles("officer_a", "supervisor", COUNCIL)),
    "incidents.link_case": Rule(roles("officer_a", "supervisor", "oversight")),
    "incidents.link_filter": Rule(roles("supervisor", "oversight")),
    "incidents.unlink_case": Rule(roles("supervisor", "oversight")),
    "incidents.close": Rule(roles("supervisor", "oversight")),
    "incidents.update_all": Rule(roles("supervisor")),
    "incidents.resolve_all": Rule(roles("supervisor")),
    "cases.attachment": Rule(per_case(FUND_STAFF["a"], FUND_STAFF["b"]), per_case(FUND_STAFF["a"], FUND_STAFF["b"])),
    # a fund supervisor's workload and extension inbox (their own fund; the NSPC desk's supervisor
    # for the desk): officers, readers, administrators and everyone else refused by the service
    "workload.workload_page": Rule(frozenset({"supervisor"})),
    "workload.extensions": Rule(frozenset({"supervisor"})),
    # printable documents and scorecards
    "reports.archive": Rule(roles("supervisor", COUNCIL)),
    "reports.scorecard": Rule(roles("supervisor", COUNCIL)),  # scope NSAF: the supervisor's own fund
    "reports.case_file": Rule(CASE_VIEWERS, CASE_VIEWERS),  # without the complainant
    # with the complainant: the handling fund only, an identity view on record
    "reports.case_file_with_identity": Rule(per_case(FUND_STAFF["a"], FUND_STAFF["b"]), CASE_VIEWERS),
    # the council (supervisors see and handle their own fund's flags)
    "oversight.dashboard": Rule(frozenset(COUNCIL)),
    "oversight.cases": Rule(frozenset(COUNCIL)),
    "oversight.identity_views": Rule(per_case(COUNCIL, COUNCIL), per_case(STAFF, STAFF)),
    "oversight.flags": Rule(roles("supervisor", COUNCIL)),
    "oversight.identity_access": Rule(frozenset(COUNCIL)),
    "oversight.handle_identity_alert": Rule(frozenset(COUNCIL)),
    "oversight.handle_flag": Rule(per_case(COUNCIL | {"supervisor"}, COUNCIL), per_case(STAFF, STAFF - {"supervisor"})),
    # the council instructs the fund on a flag and keeps notes (a fund's supervisor is refused by the service)
    "oversight.instruct_flag": Rule(frozenset({"oversight"})),
    "oversight.note_flag": Rule(frozenset({"oversight"})),
    # the handling fund answers the council's instruction; anyone else: the case is not there
    "flags.answer": Rule(per_case(FUND_STAFF["a"], FUND_STAFF["b"]), per_case(FUND_STAFF["a"], FUND_STAFF["b"])),
    # monitors: a scoped, redacted view; they may follow, flag and comment but never see identity
    "monitoring.cases": Rule(frozenset(MONITORS)),
    "monitoring.show": Rule(MONITOR_SEES, per_case(STAFF - {"monitor_out"}, STAFF - MONITORS)),
    "monitoring.follow": Rule(MONITOR_SEES, per_case(STAFF - {"monitor_out"}, STAFF - MONITORS)),
    "monitoring.flag": Rule(MONITOR_SEES, per_case(STAFF - {"monitor_out"}, STAFF - MONITORS)),
    "monitoring.comment": Rule(MONITOR_SEES, per_case(STAFF - {"monitor_out"}, STAFF - MONITORS)),
    # identity only for a named complainant of a case the organisation filed: neither case here
    "monitoring.identity": Rule(per_case(set(), set()), per_case(STAFF - {"monitor_out"}, STAFF - MONITORS)),
    "assisted.*": Rule(frozenset(MONITORS)),
    # administrators: the admin area, monitoring scopes, information pages
    "admin.*": Rule(frozenset({"admin"})),
    "monitor_admin.*": Rule(frozenset({"admin"})),
    "info_admin.*": Rule(frozenset({"admin"})),
    # the front desk: its office's cases and its province's
    "frontdesk.home": Rule(frozenset({"frontdesk"})),
    "frontdesk.file": Rule(frozenset({"frontdesk"})),
    "frontdesk.lookup": Rule(frozenset({"frontdesk"})),
    "frontdesk.receipt_pdf": Rule(frozenset({"frontdesk"})),
    "frontdesk.show": Rule(DESK_SEES, per_case(STAFF, STAFF - {"frontdesk"})),
    "frontdesk.visit": Rule(DESK_SEES, per_case(STAFF, STAFF - {"frontdesk"})),
    "frontdesk.feedback": Rule(DESK_SEES, per_case(STAFF, STAFF - {"frontdesk"})),
    # a lost code: the desk opens the name on record (recorded) and issues a new code
    "frontdesk.identity": Rule(DESK_SEES, per_case(STAFF, STAFF - {"frontdesk"})),
    "frontdesk.new_code": Rule(DESK_SEES, per_case(STAFF, STAFF - {"frontdesk"})),
    # every account manages its own password and second factor, and logs out; two-step login is
    # for the roles that use it
    "auth.totp_setup": Rule(frozenset(COUNCIL | {"supervisor"})),  # TOTP_ROLES
    "auth.*": Rule(ALL_STAFF),
}

# Query strings some GET pages need to show something rather than a "not found".
QUERY = {
    "oversight.cases": "?figure=received",
    "frontdesk.lookup": "?reference={ref_a}",
}


def rule_for(endpoint: str) -> Rule:
    if endpoint in TABLE:
        return TABLE[endpoint]
    blueprint = endpoint.split(".", 1)[0]
    if f"{blueprint}.*" in TABLE:
        return TABLE[f"{blueprint}.*"]
    raise AssertionError(
        f"{endpoint} is not in the access matrix: decide who may use it and add it to TABLE in {__file__}"
    )


def form_data(world, case_key: str) -> dict:
    """One form that fills what the staff forms ask for (unused fields are ignored)."""
    case = world.cases[case_key]
    return {
        "version": case.version,
        "message": "matrix check message",
        "note": "matrix check note",
        "kind": "other",
        "reason": "contact",
        "province": "17",
        "reference": case.reference,
        "code": world.codes[case_key],
        "language": "en",
        "title_km": "ទំព័រ",
        "title_en": "Page",
        "body_km": "អត្ថបទ",
        "body_en": "Text",
        "current": "not the password",
        "new": "",
        "confirm": "",
    }


def _attempts(app, world):
    """(route, case key, action, url) for every route; auth.logout comes last (it ends the session)."""
    attempts = []
    for route in routes(app):
        keys = ("a", "b") if route.case_bound else ("a",)
        actions = sorted(ACTIONS) if "action" in route.rule.arguments else [None]
        for key in keys:
            for action in actions:
                url = url_for_route(route, world, key, action or "note", app=app)
                url += QUERY.get(route.endpoint, "").format(ref_a=world.cases["a"].reference)
                attempts.append((route, key, action, url))
    return sorted(attempts, key=lambda a: a[0].endpoint == "auth.logout")


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers.get("Location", "")).path == "/auth/login"


def _check(route: Route, role: str, expected: str, response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"{route} as {role}: {status}"
    if expected == "login":
        ok = _is_login_redirect(response) if route.method == "GET" else status in (401, 403, 404)
    elif expected == "ok":
        # Logging out lands on the login page: that is its answer, not a refusal.
        landed = _is_login_redirect(response) and route.endpoint != "auth.logout"
        ok = status not in (401, 403, 404) and not landed
    elif expected == "hidden":
        ok = status == 404
    else:
        ok = status in (403, 404)
    return None if ok else f"{route} as {role}: expected {expected}, got {status}"


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_each_role_as_the_table_says(app, client, world, role):
    world.login(client, role)
    failures, tried = [], 0
    for route, key, action, url in _attempts(app, world):
        if route.endpoint in PUBLIC_ENDPOINTS:
            continue  # everyone's: see test_public_endpoints_serve_every_role
        expected = rule_for(route.endpoint).outcome(role, key)
        refused = expected != "ok"
        before = db_state() if refused else None
        response = client.open(url, method=route.method, data=form_data(world, key))
        tried += 1
        problem = _check(route, role, expected, response)
        if problem:
            failures.append(problem + (f" (action {action})" if action else ""))
        elif refused and (changed := changed_tables(before, db_state())):
            failures.append(f"{route} as {role} was refused but changed {changed}")
        if refused or route.endpoint == "cases.queue":
            _assert_no_leak(role, route, key, response, world, failures)
    assert tried > 60
    assert not failures, "\n".join(failures)


def _assert_no_leak(role, route, key, response, world, failures):
    """A refused page (and the queue) shows nothing of a case the user may not see."""
    body = response.get_data()
    for other in ("a", "b"):
        if role in CASE_VIEWERS[other] and route.endpoint == "cases.queue":
            continue
        for secret in (world.cases[other].reference, f"Canary-{other.upper()}"):
            if secret.encode() in body:
                failures.append(f"{route} as {role} showed {secret!r}")


@pytest.mark.parametrize("role", ["anonymous", "officer_b", "monitor_out", "admin"])
def test_public_endpoints_serve_every_role_and_never_show_identity(app, client, world, role):
    world.login(client, role)
    checked = 0
    for route, key, _action, url in _attempts(app, world):
        if route.endpoint not in PUBLIC_ENDPOINTS or route.endpoint == "auth.login" and route.method == "POST":
            continue
        response = client.open(url, method=route.method, data=form_data(world, key))
        assert response.status_code < 500, f"{route} as {role}: {response.status_code}"
        if route.endpoint in ("sms.inbound", "telegram.webhook"):
            assert response.status_code == 403  # no gateway or webhook secret configured: nobody gets in
        elif route.endpoint not in ("auth.totp", "auth.totp_enrol"):  # no login pending: back to the login page
            assert response.status_code not in (401, 403) and not _is_login_redirect(response), f"{route} as {role}"
        for secret in ("Canary-A", "Canary-B", "012 111 222", "012 333 444"):
            assert secret.encode() not in response.data, f"{route} as {role} showed {secret!r}"
        checked += 1
    assert checked >= 20


def test_a_complainant_reaches_their_own_case_only_with_its_code(client, world):
    ref_a, ref_b, code_a = world.cases["a"].reference, world.cases["b"].reference, world.codes["a"]
    assert client.post("/track", data={"reference": ref_a, "code": code_a}).status_code == 200
    before = db_state()
    assert client.post("/track", data={"reference": ref_b, "code": code_a}).status_code == 404
    assert (
        client.post("/track/information", data={"reference": ref_b, "code": code_a, "message": "hi"}).status_code == 404
    )
    assert client.post("/track/feedback", data={"reference": ref_b, "code": code_a, "solved": "yes"}).status_code == 404
    assert client.post("/reports/receipt.pdf", data={"reference": ref_b, "code": code_a}).status_code == 404
    assert changed_tables(before, db_state()) == []
    receipt = client.post("/reports/receipt.pdf", data={"reference": ref_a, "code": code_a})
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    # The code opens no staff page.
    assert _is_login_redirect(client.get(f"/cases/{world.cases['a'].id}"))


def test_the_table_names_only_endpoints_that_exist(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    blueprints = {e.split(".", 1)[0] for e in endpoints}
    for name in TABLE:
        if name.endswith(".*"):
            assert name[:-2] in blueprints, f"TABLE names a blueprint that no longer exists: {name}"
        else:
            assert name in endpoints, f"TABLE names an endpoint that no longer exists: {name}"
