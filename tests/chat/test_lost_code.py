"""A lost tracking code: replaced by SMS with a one-time code sent to the phone on record."""

from __future__ import annotations

import re

from sqlalchemy import select

from grievance.chat import texts
from grievance.extensions import db
from grievance.models import Event, OutboxMessage
from grievance.sms import replies
from tests.chat.helpers import CODE, Phone, case_of, deliver_sms
from tests.fake_gateway import FakeGateway

ON_RECORD = "012 345 678"  # as the person typed it on the web form


def _case(make, **fields):
    fields.setdefault("identity_mode", "confidential")
    fields.setdefault("name", "Sok Dara")
    fields.setdefault("phone", ON_RECORD)
    return make.case("NSAF-CT-MISSING", **fields)


def _status_text(client, reference, code, sender="+855 12 345 678", mid=None):
    Phone(client, sender).text(f"{reference} {code}", message_id=mid)
    return db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first().body


def test_recovering_a_code_by_sms_makes_the_old_code_fail_and_the_new_one_work(client, channels, make):
    case, old_code = _case(make)
    phone = Phone(client, "+855 12 345 678")  # the same number, written the international way
    with FakeGateway() as gateway:
        phone.text(f"លេខកូដ {case.reference}")
        deliver_sms(gateway)
        ((_key, otp_message),) = gateway.requests
        assert otp_message["to"] == ON_RECORD  # sent to the phone on record
        otp = re.search(r"៖ (\d{6})។", otp_message["text"]).group(1)
        phone.text(otp)
        deliver_sms(gateway)
    new_code = CODE.search(gateway.requests[-1][1]["text"]).group(0)
    assert new_code != old_code
    assert gateway.requests[-1][1]["text"] == texts.say("recover.done", "km", ref=case.reference).replace(
        "{secret}", new_code
    )

    # The old code no longer finds the complaint, on any channel; the new one does.
    assert _status_text(client, case.reference, old_code, mid="x1") == replies.NOT_FOUND
    assert _status_text(client, case.reference, new_code, mid="x2").startswith(f"{case.reference}៖")
    assert client.post("/track", data={"reference": case.reference, "code": old_code}).status_code == 404
    assert client.post("/track", data={"reference": case.reference, "code": new_code}).status_code == 200
    # On record: an event (also in the public history) saying how the person proved who they are.
    event = db.session.execute(
        select(Event).where(Event.case_id == case.id, Event.kind == "code_reissued")
    ).scalar_one()
    assert '"sms"' in event.payload and event.public
    # Neither the one-time code nor the new code is kept once delivered.
    for message in db.session.execute(select(OutboxMessage)).scalars():
        assert message.secret is None and otp not in message.body and new_code not in message.body


def test_another_number_gets_the_same_answer_and_no_code(client, channels, make):
    case, old_code = _case(make)
    stranger = Phone(client, "+855 99 000 111")
    with FakeGateway() as gateway:
        stranger.text(f"CODE {case.reference}")
        for guess in ("000000", "123456", "999999"):
            stranger.text(guess)
        deliver_sms(gateway)
    sent = [body for _key, body in gateway.requests]
    assert sent[0]["text"] == texts.say("recover.sent", "en", ref=case.reference)
    assert all(body["to"] == "+855 99 000 111" for body in sent)  # nothing went to the phone on record
    assert sent[-1]["text"] == texts.say("recover.failed", "en")
    assert case_of(case.reference).tracking_hash == case.tracking_hash  # the code was not changed


def test_an_unknown_reference_looks_like_a_known_one(client, channels, make):
    Phone(client, "+855 99 000 111").text("CODE GRV-2026-999999")
    (message,) = db.session.execute(select(OutboxMessage)).scalars()
    assert message.body == texts.say("recover.sent", "en", ref="GRV-2026-999999")


def test_an_anonymous_complaint_cannot_be_recovered(client, channels, make):
    case, _code = make.case("NSAF-CT-MISSING", identity_mode="anonymous")
    phone = Phone(client, "+855 12 345 678")
    phone.text(f"CODE {case.reference}")
    (message,) = db.session.execute(select(OutboxMessage)).scalars()
    assert message.body == texts.say("recover.sent", "en", ref=case.reference)
    assert message.secret is None


def test_three_wrong_one_time_codes_end_the_attempt(client, channels, make):
    case, _code = _case(make)
    phone = Phone(client, "012345678")
    phone.text(f"CODE {case.reference}")
    otp_row = db.session.execute(select(OutboxMessage)).scalars().one()
    wrong = "000000" if otp_row.secret != "000000" else "111111"
    for _ in range(3):
        phone.text(wrong)
    phone.text(otp_row.secret)  # too late: the attempt is over
    assert case_of(case.reference).tracking_hash == case.tracking_hash
