"""A retried POST is not a second complaint (tests/load/test_open311_retries.py: retries at once)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select, update

from grievance.api import service
from grievance.extensions import db
from grievance.models import ApiSubmission, Case, Event, ReferenceCounter
from grievance.services.audit import verify_chain

BASE = "/open311/v2"


def body(key: str | None, **fields) -> dict:
    data = {
        "service_code": "NSAF-CT-MISSING",
        "description": "The Family Package payment did not come this month.",
        "first_name": "Srey",
        "last_name": "Mom",
        "lat": "11.5564",
        "long": "104.9282",
    }
    if key:
        data["api_key"] = key
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def post(client, data, fmt="json", **headers):
    return client.post(f"{BASE}/requests.{fmt}", data=data, headers=headers)


def cases() -> int:
    return db.session.scalar(select(func.count()).select_from(Case))


def answer(response) -> dict:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()[0]


def test_the_same_idempotency_key_returns_the_first_case_with_its_tracking_code(client, relay_key):
    key, _org = relay_key
    first = answer(post(client, body(key), **{"Idempotency-Key": "fms-42-try"}))
    # A retry may even differ (a platform re-rendering its description): the header decides.
    again = post(client, body(key, description="changed text"), **{"Idempotency-Key": "fms-42-try"})
    assert again.headers["Idempotent-Replayed"] == "true"
    assert answer(again) == first
    assert cases() == 1
    tracked = client.post("/track", data={"reference": first["service_request_id"], "code": first["tracking_code"]})
    assert tracked.status_code == 200


def test_the_same_external_id_returns_the_first_case_even_after_a_day(client, relay_key):
    key, _org = relay_key
    first = answer(post(client, body(key, **{"attribute[external_id]": "4242"})))
    db.session.execute(update(ApiSubmission).values(created_at=datetime.now(timezone.utc) - timedelta(days=3)))
    db.session.commit()
    again = answer(post(client, body(key, description="sent again days later", **{"attribute[external_id]": "4242"})))
    assert again["service_request_id"] == first["service_request_id"] and again["token"] == first["token"]
    assert "tracking_code" not in again  # shown again only within 24 hours
    assert cases() == 1


def test_the_same_content_within_24_hours_is_the_same_complaint(client, relay_key):
    key, _org = relay_key
    first = answer(post(client, body(key)))
    again = answer(post(client, body(key)))
    assert again == first and cases() == 1
    xml = post(client, body(key), "xml")
    assert xml.status_code == 201 and first["service_request_id"] in xml.get_data(as_text=True)
    assert cases() == 1


def test_the_same_content_after_24_hours_is_a_new_complaint(client, relay_key):
    key, _org = relay_key
    first = answer(post(client, body(key)))
    yesterday = datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(hours=25)
    db.session.execute(update(ApiSubmission).values(created_at=yesterday))
    db.session.commit()
    second = answer(post(client, body(key)))
    assert second["service_request_id"] != first["service_request_id"] and cases() == 2
    third = answer(post(client, body(key)))  # and that one counts from now
    assert third["service_request_id"] == second["service_request_id"] and cases() == 2


def test_other_keys_and_keyless_callers_are_never_merged(client, relay_key, api_key):
    key, _org = relay_key
    other, _ = api_key
    a = answer(post(client, body(key)))
    b = answer(post(client, body(other, **{"attribute[consent_given]": "true"})))
    c = answer(post(client, body(None)))
    d = answer(post(client, body(None)))
    assert len({x["service_request_id"] for x in (a, b, c, d)}) == 4 and cases() == 4
    different = answer(post(client, body(key, first_name="Chanthy")))  # another person, same words
    assert different["service_request_id"] != a["service_request_id"]


def test_a_replayed_retry_leaves_no_trace_behind(client, relay_key):
    key, _org = relay_key
    for _ in range(3):
        answer(post(client, body(key)))
    assert cases() == 1
    assert db.session.scalar(select(ReferenceCounter.last_number)) == 1  # the losers' numbers rolled back
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    assert verify_chain().ok


def test_the_sweep_forgets_replay_secrets_after_the_window(client, relay_key, runner):
    key, _org = relay_key
    answer(post(client, body(key)))
    answer(post(client, body(key, description="another one")))
    db.session.execute(update(ApiSubmission).where(ApiSubmission.id == 1).values(created_at=datetime(2026, 1, 1, 0, 0)))
    db.session.commit()
    result = runner.invoke(args=["sla", "sweep"])
    assert result.exit_code == 0 and "Open311: forgot the replay secrets of 1 request(s)" in result.output
    rows = db.session.execute(select(ApiSubmission).order_by(ApiSubmission.id)).scalars().all()
    assert (rows[0].replay_secret, rows[0].content_digest, rows[0].idempotency_digest) == (None, None, None)
    assert rows[1].replay_secret is not None and rows[1].content_digest is not None
    assert service.forget_expired() == 0
