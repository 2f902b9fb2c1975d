"""flask apikeys create/revoke: the key is printed once and only its SHA-256 is stored."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import ApiKey, Organisation


def test_create_prints_the_key_once_and_stores_only_its_hash(runner, client):
    db.session.add(Organisation(name="Garment Workers Union", kind="union"))
    db.session.commit()
    result = runner.invoke(args=["apikeys", "create", "--org", "Garment Workers Union"])
    assert result.exit_code == 0, result.output
    key = result.output.strip().splitlines()[-1]
    assert key.startswith("grv_") and len(key) > 40
    row = db.session.execute(select(ApiKey)).scalar_one()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in (row.key_hash, row.prefix) and row.prefix == key[4:12]

    body = {"service_code": "OTHER", "description": "x", "api_key": key, "attribute": {"consent_given": True}}
    response = client.post("/open311/v2/requests.json", json=body)
    assert response.status_code == 201

    revoked = runner.invoke(args=["apikeys", "revoke", row.prefix])
    assert revoked.exit_code == 0, revoked.output
    assert client.post("/open311/v2/requests.json", json=body).status_code == 403


def test_create_refuses_an_unknown_organisation(runner):
    result = runner.invoke(args=["apikeys", "create", "--org", "Nobody"])
    assert result.exit_code != 0 and "No active organisation" in result.output
    assert db.session.execute(select(ApiKey)).first() is None


def test_create_records_the_purpose_given_and_refuses_an_unknown_one(runner):
    db.session.add(Organisation(name="Relay Platform", kind="cso"))
    db.session.commit()
    relay = runner.invoke(args=["apikeys", "create", "--org", "Relay Platform", "--purpose", "relay"])
    assert relay.exit_code == 0, relay.output
    assert relay.output.startswith("Relay API key for Relay Platform")
    default = runner.invoke(args=["apikeys", "create", "--org", "Relay Platform"])
    assert default.exit_code == 0, default.output
    purposes = db.session.execute(select(ApiKey.purpose).order_by(ApiKey.id)).scalars().all()
    assert purposes == ["relay", "assisted"]

    refused = runner.invoke(args=["apikeys", "create", "--org", "Relay Platform", "--purpose", "other"])
    assert refused.exit_code != 0 and "relay" in refused.output
    assert len(db.session.execute(select(ApiKey)).all()) == 2
