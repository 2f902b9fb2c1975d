"""Updates by SMS (opt-in, one per public event) and status checks by SMS through the gateway."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from config import TestConfig
from grievance import create_app
from grievance.cases import service as svc
from grievance.extensions import db as _db
from grievance.extensions import limiter
from grievance.models import Fund, OutboxMessage
from grievance.notifications import delivery, messages
from grievance.services.sweep import sweep
from grievance.sms import replies
from grievance.sms.service import parse
from tests.fake_gateway import FakeGateway

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # Monday 10:00 in Phnom Penh
SECRET = "gateway-shared-secret-for-tests"
PHONE = "012 345 678"


def _deliver(gateway) -> None:
    soon = datetime.now(timezone.utc) + timedelta(minutes=1)  # messages are due from when they are written
    delivery.deliver(delivery.Transport(sms_gateway_url=gateway.url), now_fn=lambda: soon)


def _opted_in_case(make, **fields):
    fields.setdefault("language", "km")
    case, code = make.case(
        "NSAF-CT-MISSING",
        now=T0,
        identity_mode="confidential",
        name="Sok Dara",
        phone=PHONE,
        sms_opt_in=True,
        **fields,
    )
    return case, code


def test_an_opted_in_complainant_gets_exactly_one_sms_per_public_event(db, make):
    case, _ = _opted_in_case(make)
    officer = make.user("officer", fund="NSAF")
    svc.acknowledge(case, officer, "យើងបានទទួល", now=T0 + timedelta(hours=2))
    svc.start(case, officer, now=T0 + timedelta(hours=3))  # internal: no SMS
    svc.add_note(case, officer, "internal", now=T0 + timedelta(hours=4))  # internal: no SMS
    svc.public_update(case, officer, "កំពុងពិនិត្យ", now=T0 + timedelta(days=1))
    svc.request_info(case, officer, "សូមផ្ញើរូបថតប័ណ្ណ", now=T0 + timedelta(days=2))
    svc.add_information(case, "បានផ្ញើហើយ", now=T0 + timedelta(days=3))  # the person's own words: no SMS
    sweep(T0 + timedelta(days=60))  # breach (supervisors are e-mailed) and escalation to the council
    svc.resolve(case, officer, "remedied", "បានបើកប្រាក់ហើយ", now=T0 + timedelta(days=61))
    _db.session.commit()
    with FakeGateway() as gateway:
        _deliver(gateway)
    bodies = [body["text"] for _key, body in gateway.requests]
    expected = [
        messages.complainant_sms(kind, case.reference, "km")
        for kind in ("acknowledge", "public_update", "request_info", "escalated", "resolve")
    ]
    assert bodies == expected
    assert all(body["to"] == PHONE for _key, body in gateway.requests)
    assert len({key for key, _body in gateway.requests}) == 5
    for body in bodies:  # the reference only: no name, none of the fund's or the person's words
        assert "Sok Dara" not in body and "សូមផ្ញើរូបថតប័ណ្ណ" not in body and "បានបើកប្រាក់ហើយ" not in body


def test_sms_follow_the_complaints_language(db, make):
    case, _ = _opted_in_case(make, language="en")
    svc.acknowledge(case, make.user("officer", fund="NSAF"), "ok", now=T0 + timedelta(hours=1))
    _db.session.commit()
    (msg,) = _db.session.execute(select(OutboxMessage)).scalars()
    assert msg.body == messages.complainant_sms("acknowledge", case.reference, "en")


def test_no_sms_without_opt_in_nor_for_a_transfer(db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, identity_mode="named", name="A", phone=PHONE)
    officer = make.user("officer", fund="NSAF")
    svc.acknowledge(case, officer, "ok", now=T0 + timedelta(hours=1))
    opted, _ = _opted_in_case(make)
    nssf = _db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    svc.transfer(opted, officer, nssf, "NSSF matter", now=T0 + timedelta(hours=1))
    _db.session.commit()
    assert _db.session.execute(select(OutboxMessage)).scalars().all() == []


# --- status checks by SMS --------------------------------------------------------------


@pytest.fixture()
def gateway_secret(app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_INBOUND_SECRET", SECRET)
    return SECRET


def _inbound(client, text, *, sender="+855 12 345 678", message_id="m-1", secret=SECRET, as_json=True):
    headers = {} if secret is None else {"X-Gateway-Secret": secret}
    payload = {"from": sender, "text": text, "id": message_id}
    if as_json:
        return client.post("/sms/inbound", json=payload, headers=headers)
    return client.post("/sms/inbound", data=payload, headers=headers)


def test_a_status_request_gets_the_status_in_the_cases_language(client, make, gateway_secret):
    case, code = _opted_in_case(make, language="en")
    messy = f"  {case.reference.lower().replace('-', ' ')}   {code.lower().replace('-', '')} "
    response = _inbound(client, messy)
    assert response.status_code == 200
    with FakeGateway() as gateway:
        _deliver(gateway)
    ((key, body),) = gateway.requests
    assert body["to"] == "+855 12 345 678"
    assert body["text"].startswith(f"{case.reference}: we have received your complaint")
    assert "Sok Dara" not in body["text"] and code not in body["text"]
    assert key == body["id"]


def test_the_reply_is_queued_once_per_inbound_message(client, make, gateway_secret):
    case, code = _opted_in_case(make)
    first = _inbound(client, f"{case.reference} {code}", message_id="gw-42", as_json=False)
    again = _inbound(client, f"{case.reference} {code}", message_id="gw-42", as_json=False)
    assert first.get_json() == {"status": "queued"} and again.get_json() == {"status": "duplicate"}
    (msg,) = _db.session.execute(select(OutboxMessage)).scalars()
    assert msg.body.startswith(f"{case.reference}៖") and msg.language == "km"


def test_a_wrong_code_and_an_unknown_reference_get_the_same_reply_that_reveals_nothing(client, make, gateway_secret):
    case, code = _opted_in_case(make)
    _inbound(client, f"{case.reference} AAAA-BBBB-CCCC-DDDD", message_id="a")
    _inbound(client, f"GRV-2026-999999 {code}", message_id="b")
    _inbound(client, "hello", message_id="c")
    bodies = [m.body for m in _db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]
    assert bodies == [replies.NOT_FOUND] * 3
    assert case.reference not in replies.NOT_FOUND
    assert all(m.case_id is None for m in _db.session.execute(select(OutboxMessage)).scalars())


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", SECRET + "x"])
def test_a_request_without_the_shared_secret_is_refused(client, make, gateway_secret, secret):
    case, code = _opted_in_case(make)
    response = _inbound(client, f"{case.reference} {code}", secret=secret)
    assert response.status_code == 403
    assert _db.session.execute(select(OutboxMessage)).scalars().all() == []


def test_no_secret_configured_refuses_everything(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "SMS_INBOUND_SECRET", None)
    assert _inbound(client, "GRV-2026-000001 x", secret="").status_code == 403


def test_csrf_does_not_block_the_gateway(client, app, make, gateway_secret, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    case, code = _opted_in_case(make)
    assert _inbound(client, f"{case.reference} {code}").status_code == 200


def test_neither_the_text_nor_the_number_is_logged(client, make, gateway_secret, caplog):
    case, code = _opted_in_case(make)
    with caplog.at_level(logging.DEBUG):
        _inbound(client, f"{case.reference} {code}", sender="+855 99 888 777")
        _inbound(client, f"{case.reference} WRONG", sender="+855 99 888 777", message_id="m-2")
    assert "99 888 777" not in caplog.text and code not in caplog.text


def test_parse_tolerates_spaces_case_and_dashes():
    assert parse("grv 2026 123  abcd efgh jkmn pqrs") == ("GRV-2026-000123", "abcdefghjkmnpqrs")
    assert parse("GRV-2026-000123\nABCD-EFGH-JKMN-PQRS") == ("GRV-2026-000123", "ABCDEFGHJKMNPQRS")
    assert parse("no reference here") is None


@pytest.fixture()
def limited_app(tmp_path):
    """An app with rate limiting on; the shared limiter is switched back off afterwards."""

    class Limited(TestConfig):
        RATELIMIT_ENABLED = True
        RATELIMIT_STORAGE_URI = "memory://"
        SMS_INBOUND_SECRET = SECRET
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'sms.sqlite'}"

    was_enabled = limiter.enabled
    app = create_app(Limited)
    with app.app_context():
        _db.create_all()
    try:
        yield app
    finally:
        limiter.enabled = was_enabled
        with app.app_context():
            _db.session.remove()
            _db.engine.dispose()


def test_status_requests_are_rate_limited_per_sender(limited_app):
    client = limited_app.test_client()
    codes = [_inbound(client, "GRV-2026-000001 X", sender="A1", message_id=f"a{i}").status_code for i in range(6)]
    assert codes == [200] * 5 + [429]
    assert _inbound(client, "GRV-2026-000001 X", sender="B2", message_id="b1").status_code == 200
    # Without the secret nothing is counted, so nobody can use up a sender's allowance.
    assert _inbound(client, "x", sender="C3", message_id="c", secret="nope").status_code == 403
