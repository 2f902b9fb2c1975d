"""The admin area's tests: an administrator, a client logged in as one, and the outbox's e-mails."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from grievance.extensions import db as _db
from grievance.models import OutboxMessage
from tests.factories import PASSWORD


@pytest.fixture()
def admin(make):
    return make.user("admin")


@pytest.fixture()
def admin_client(app, db, admin):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": admin.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def emails_to(address: str) -> list[OutboxMessage]:
    return list(
        _db.session.execute(
            select(OutboxMessage).where(OutboxMessage.recipient == address).order_by(OutboxMessage.id)
        ).scalars()
    )


def link_token(message: OutboxMessage) -> str:
    """The token of the one-time link an e-mail carries."""
    found = re.search(r"/auth/set-password\?token=([A-Za-z0-9_\-]+)", message.body)
    assert found, message.body
    return found.group(1)


def logged_in(client) -> bool:
    return client.get("/cases/").status_code == 200
