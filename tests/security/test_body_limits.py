"""Bodies are bounded before anything parses them, on every POST endpoint of the app.

A url-encoded or multipart body over MAX_FORM_MEMORY_SIZE (200 KB) is a 413 that echoes
nothing, whoever sends it and whatever the endpoint; only views that take files accept a
multipart body up to MAX_CONTENT_LENGTH. A body sent without a length (chunked) is cut at the
same bound as it is read.
"""

from __future__ import annotations

import io

import pytest

from grievance.security import PUBLIC_ENDPOINTS
from tests.security.conftest import ROLES
from tests.security.routes import routes, url_for_route

MEGABYTE = 1024 * 1024
UPLOAD_VIEWS = {"intake.submit", "intake.choose_place", "intake.save_step"}  # save_step: the story step


def _posts(app, world):
    for route in routes(app):
        if route.method == "POST":
            yield route, url_for_route(route, world, "a", app=app)


@pytest.mark.parametrize("role", ["anonymous", "officer_a", "admin", "monitor_in", "frontdesk"])
def test_a_megabyte_form_body_is_refused_unread_everywhere(app, client, world, role):
    world.login(client, role)
    body = b"description=" + b"a" * MEGABYTE
    tried = 0
    for route, url in _posts(app, world):
        if role != "anonymous" and route.endpoint in PUBLIC_ENDPOINTS and route.endpoint != "auth.login":
            continue  # the public ones are tried anonymously
        response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
        assert response.status_code == 413, f"{route} as {role}: {response.status_code}"
        assert len(response.get_data()) < 50_000, f"{route} echoed the body back"
        tried += 1
    assert tried >= (10 if role == "anonymous" else 15)


def test_a_megabyte_multipart_body_is_refused_where_no_files_are_taken(app, client, world):
    world.login(client, "officer_a")
    for route, url in _posts(app, world):
        data = {"message": "x", "attachments": (io.BytesIO(b"%PDF-" + b"0" * MEGABYTE), "big.pdf")}
        response = client.post(url, data=data, content_type="multipart/form-data")
        if route.endpoint in UPLOAD_VIEWS:
            assert response.status_code != 413, f"{route} refused a 1 MB upload"
        else:
            assert response.status_code == 413, f"{route}: {response.status_code}"


def test_only_the_complaint_form_takes_files(app):
    takers = {r.endpoint for r in routes(app) if getattr(app.view_functions[r.endpoint], "accepts_uploads", False)}
    assert takers == UPLOAD_VIEWS


def test_a_body_without_a_length_is_cut_at_the_bound(client, db):
    chunks = io.BytesIO(b"reference=" + b"A" * (2 * MEGABYTE))
    response = client.post(
        "/track",
        input_stream=chunks,
        content_type="application/x-www-form-urlencoded",
        environ_overrides={"wsgi.input_terminated": True, "HTTP_TRANSFER_ENCODING": "chunked"},
    )
    assert response.status_code == 413
    assert chunks.tell() <= 300 * 1024, f"{chunks.tell()} bytes were read"


def test_every_role_is_bounded_on_login(app, client, world):
    for role in ROLES:
        response = client.post(
            "/auth/login", data=b"email=" + b"a" * MEGABYTE, content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 413, role
