"""Notifications: written with their event, delivered at least once, recognisable on retry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.cases import service as svc
from grievance.models import OutboxMessage
from grievance.notifications import delivery, outbox
from tests.fake_gateway import FakeGateway

T0 = datetime(2026, 3, 2, 3, 0, tzinfo=timezone.utc)  # Monday 10:00 in Phnom Penh


def _send_time() -> datetime:
    """Messages become due when they are written (real time): deliver from just after now."""
    return datetime.now(timezone.utc) + timedelta(minutes=1)


@pytest.fixture()
def acknowledged_case(db, make):
    case, _code = make.case(
        "NSAF-CT-MISSING",
        now=T0,
        identity_mode="confidential",
        name="Sok Dara",
        phone="012 345 678",
        language="km",
        sms_opt_in=True,
    )
    officer = make.user("officer", fund="NSAF")
    svc.acknowledge(case, officer, "យើងបានទទួល", now=T0 + timedelta(hours=2))
    db.session.commit()
    return case


def _messages(db):
    return db.session.execute(select(OutboxMessage)).scalars().all()


def test_public_event_queues_one_sms_in_the_complainants_language_with_no_personal_data(acknowledged_case, db):
    (msg,) = _messages(db)
    assert msg.channel == "sms" and msg.recipient == "012 345 678"
    assert acknowledged_case.reference in msg.body
    assert "Sok Dara" not in msg.body and "យើងបានទទួល" not in msg.body
    assert "ពាក្យបណ្តឹង" in msg.body  # Khmer, the language the complaint was made in


def test_anonymous_complainants_get_no_messages(db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0)
    svc.acknowledge(case, make.user("officer", fund="NSAF"), "ok", now=T0 + timedelta(hours=1))
    db.session.commit()
    assert _messages(db) == []


def test_gateway_fails_twice_then_succeeds_exactly_one_delivery(acknowledged_case, db):
    clock = [_send_time()]
    with FakeGateway(failures=2) as gateway:
        transport = delivery.Transport(sms_gateway_url=gateway.url)
        reports = []
        for _ in range(5):
            reports.append(delivery.deliver(transport, now_fn=lambda: clock[0]))
            clock[0] += timedelta(hours=2)  # past any backoff
    (msg,) = _messages(db)
    assert msg.status == "sent" and msg.attempts == 3
    assert [r.sent for r in reports] == [0, 0, 1, 0, 0]
    assert len(gateway.requests) == 3 and gateway.accepted == 1
    assert len({key for key, _ in gateway.requests}) == 1, "every attempt carries the same idempotency key"


def test_backoff_waits_before_retrying(acknowledged_case, db):
    with FakeGateway(failures=10) as gateway:
        transport = delivery.Transport(sms_gateway_url=gateway.url)
        now = _send_time()
        delivery.deliver(transport, now_fn=lambda: now)
        delivery.deliver(transport, now_fn=lambda: now + timedelta(seconds=5))
    assert len(gateway.requests) == 1, "a retry must wait for its backoff"


def test_process_killed_between_sending_and_marking_resends_with_same_key(acknowledged_case, db, monkeypatch):
    with FakeGateway() as gateway:
        transport = delivery.Transport(sms_gateway_url=gateway.url)

        def killed(*_args, **_kwargs):
            raise SystemExit("killed")  # the process dies after the gateway accepted the message

        monkeypatch.setattr(outbox, "mark_sent", killed)
        with pytest.raises(SystemExit):
            send = _send_time()
            delivery.deliver(transport, now_fn=lambda: send)
        db.session.rollback()
        monkeypatch.undo()
        (msg,) = _messages(db)
        assert msg.status == "pending", "nothing acknowledged as sent, so it must not be lost"
        later = _send_time() + timedelta(hours=1)
        report = delivery.deliver(transport, now_fn=lambda: later)
    assert report.sent == 1
    assert len(gateway.requests) == 2
    assert gateway.requests[0][0] == gateway.requests[1][0], "the retry is recognisable downstream"
    assert _messages(db)[0].status == "sent"


def test_message_given_up_after_max_attempts_is_marked_failed(acknowledged_case, db):
    clock = [_send_time()]
    with FakeGateway(failures=100) as gateway:
        transport = delivery.Transport(sms_gateway_url=gateway.url)
        for _ in range(outbox.MAX_ATTEMPTS + 2):
            delivery.deliver(transport, now_fn=lambda: clock[0])
            clock[0] += timedelta(hours=2)
    (msg,) = _messages(db)
    assert msg.status == "failed" and msg.attempts == outbox.MAX_ATTEMPTS
    assert "012" not in (msg.last_error or ""), "errors never carry the recipient"


def test_no_sms_without_opt_in(db, make):
    case, _ = make.case("NSAF-CT-MISSING", now=T0, identity_mode="named", name="A", phone="012 000 111")
    svc.acknowledge(case, make.user("officer", fund="NSAF"), "ok", now=T0 + timedelta(hours=1))
    db.session.commit()
    assert _messages(db) == []


def test_outbox_row_rolls_back_with_its_event(db, make):
    case, _ = make.case(
        "NSAF-CT-MISSING", now=T0, identity_mode="named", name="A", phone="012 000 111", sms_opt_in=True
    )
    svc.acknowledge(case, make.user("officer", fund="NSAF"), "ok", now=T0 + timedelta(hours=1))
    db.session.rollback()
    assert _messages(db) == []
