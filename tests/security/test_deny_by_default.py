"""Deny by default: every endpoint outside the public allow-list refuses an anonymous request."""

from __future__ import annotations

from urllib.parse import urlsplit

from grievance.security import PUBLIC_ENDPOINTS
from tests.security.routes import changed_tables, db_state, routes, url_for_route

# The public side, listed here on purpose: making an endpoint public is a deliberate act that
# needs a change to this set as well as to grievance/security.py.
INTENDED_PUBLIC = {
    "static",
    # the complaint form, its receipt and the status page (tracking code holders)
    "intake.form",
    "intake.submit",
    "intake.choose_place",
    "intake.track",
    "intake.track_lookup",
    "intake.add_information",
    "intake.feedback",
    "reports.receipt_pdf",
    # Open311 GeoReport v2: redacted public requests; filing is anonymous or by organisation key
    "api.discovery",
    "api.openapi",
    "api.services",
    "api.service_definition",
    "api.requests_list",
    "api.requests_create",
    "api.request_show",
    "api.token_show",
    "api.updates",
    # staff log in here, set up a required second factor before their first session, ask for a
    # password link and open it (one-time, expiring)
    "auth.login",
    "auth.totp",
    "auth.totp_enrol",
    "auth.forgot",
    "auth.set_password",
    # language switch, load balancer health check, information pages, published figures
    "main.set_language",
    "main.healthz",
    "info.index",
    "info.page",
    "transparency.page",
    "transparency.figures_csv",
    # the SMS gateway (shared secret, not a login)
    "sms.inbound",
}


def test_the_public_allow_list_is_exactly_what_is_intended(app):
    assert PUBLIC_ENDPOINTS == INTENDED_PUBLIC
    registered = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert PUBLIC_ENDPOINTS <= registered, f"public endpoints that no longer exist: {PUBLIC_ENDPOINTS - registered}"


def test_every_other_endpoint_refuses_an_anonymous_request(app, client, world):
    before = db_state()
    checked = []
    for route in routes(app):
        if route.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = url_for_route(route, world, app=app)
        response = client.open(url, method=route.method, data={"version": 1, "message": "x"})
        if route.method == "GET":
            assert response.status_code == 302, f"{route} answered {response.status_code} to an anonymous visitor"
            target = urlsplit(response.headers["Location"])
            assert target.path == "/auth/login", f"{route} redirected to {target.path}"
            assert not target.netloc or target.netloc == "localhost"
        else:
            assert response.status_code in (401, 403, 404), f"{route} answered {response.status_code}"
        for secret in ("Canary-A", "Canary-B", world.cases["a"].reference, world.cases["b"].reference):
            assert secret.encode() not in response.data, f"{route} leaked {secret!r} to an anonymous visitor"
        checked.append(route)
    assert len(checked) >= 30, "the url_map walk found suspiciously few protected routes"
    assert changed_tables(before, db_state()) == [], "an anonymous request changed the database"


def test_the_login_redirect_keeps_only_the_path(app, client, world):
    """The page asked for comes back as a local `next`, never with its query string."""
    response = client.get(f"/cases/{world.cases['a'].id}?q=Canary-A")
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "Canary-A" not in location
    assert f"next=/cases/{world.cases['a'].id}" in location.replace("%2F", "/")
