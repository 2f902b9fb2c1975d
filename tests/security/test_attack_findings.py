"""Small holes found by attack, each closed: a queue cursor past 64 bits, invalid UTF-8 stored as
"%FF" text, `apikeys revoke` with a prefix that starts with "-", client addresses in gunicorn's
error log."""

from __future__ import annotations

import socket
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from grievance.models import ApiKey, Organisation
from grievance.security import PUBLIC_ENDPOINTS
from tests.security.routes import db_state, routes, url_for_route
from tests.security.test_shared_limits import Served


@pytest.mark.parametrize(
    "after",
    ["2026-01-01T00:00:00_" + "9" * 40, "2026-01-01T00:00:00_9223372036854775808", "2026-01-01_-1", "x_1", "_"],
)
def test_a_queue_cursor_out_of_range_is_ignored_not_a_500(client, login_as, after):
    login_as("officer", fund="NSAF")
    assert client.get("/cases/", query_string={"after": after}).status_code == 200


def _every_field_badly_encoded(route, world) -> bytes:
    fields = ["message", "note", "reason", "comment", "kind", "reference", "code", "title_en", "body_en", "email"]
    good = {"version": world.cases["a"].version, "extra_days": "3", "outcome": "resolved", "decision": "approve"}
    return (urlencode(good) + "&" + "&".join(f"{name}=ok%FF%FE" for name in fields)).encode()


@pytest.mark.parametrize("role", ["officer_a", "supervisor", "monitor_in", "admin", "frontdesk", "oversight"])
def test_invalid_utf8_in_a_form_is_refused_on_every_staff_endpoint_and_stored_nowhere(app, client, world, role):
    world.login(client, role)
    before = db_state()
    tried = 0
    for route in routes(app):
        if route.method != "POST" or route.endpoint in PUBLIC_ENDPOINTS or route.endpoint == "auth.logout":
            continue
        url = url_for_route(route, world, "a", app=app)
        response = client.post(
            url, data=_every_field_badly_encoded(route, world), content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 400, f"{route} as {role}: {response.status_code}"
        tried += 1
    assert tried >= 15
    assert db_state() == before


def test_invalid_utf8_in_a_hidden_field_of_the_public_form_is_refused(client, db):
    from tests.intake.helpers import complaint_data, form_token

    data = complaint_data(form_token(client))
    data.pop("form_token")
    body = urlencode(data) + "&form_token=" + "abc%FF" * 6
    response = client.post("/", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    from grievance.models import Case

    assert db.session.execute(select(Case.id)).first() is None


@pytest.mark.parametrize("prefix", ["-Xa1b2c3", "--a1b2c3", "-h123456"])
def test_apikeys_revoke_takes_a_prefix_that_starts_with_a_dash(runner, db, prefix):
    organisation = Organisation(name="Dash CSO", kind="cso")
    db.session.add(organisation)
    db.session.flush()
    db.session.add(ApiKey(organisation_id=organisation.id, key_hash="0" * 64, prefix=prefix, purpose="assisted"))
    db.session.commit()
    result = runner.invoke(args=["apikeys", "revoke", prefix])
    assert result.exit_code == 0, result.output
    assert "Revoked 1 key" in result.output
    db.session.expire_all()
    assert db.session.execute(select(ApiKey.active)).scalar_one() is False


@pytest.mark.slow
def test_gunicorns_error_log_names_no_client(tmp_path):
    server = Served(tmp_path, {"RATELIMIT_STORAGE_URI": "memory://"}).start()
    try:
        for source in ("127.0.0.99", "127.0.0.98"):
            with socket.create_connection(("127.0.0.1", server.port), source_address=(source, 0)) as sock:
                sock.sendall(b"NOT A REQUEST\x01\r\n\r\n")
                sock.recv(1024)
            with socket.create_connection(("127.0.0.1", server.port), source_address=(source, 0)) as sock:
                sock.sendall(b"GET /track?code=SECRETCODE HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n")
                sock.recv(1024)
    finally:
        server.stop()
    log = server.log.read_text()
    assert "Invalid request from ip=<address>" in log, log[-3000:]
    for leak in ("127.0.0.99", "127.0.0.98", "SECRETCODE"):
        assert leak not in log, f"{leak} in gunicorn's log"
