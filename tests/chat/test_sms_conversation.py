"""A whole complaint by SMS through the gateway's webhook, then track, add information and appeal.

Everything goes the way production goes: the gateway posts each text to /sms/inbound, the replies
wait in the outbox and `outbox deliver` hands them to a fake gateway on loopback.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from grievance.cases import service as svc
from grievance.chat import texts
from grievance.domain import dates, smslen
from grievance.extensions import db
from grievance.models import Case, Draft, Event, OutboxMessage
from grievance.models.outbox import SCRUBBED
from grievance.notifications import messages
from grievance.sms import replies
from tests.chat.helpers import CODE, REFERENCE, Phone, case_of, deliver_sms
from tests.fake_gateway import FakeGateway

NUMBER = "+855 12 345 678"
DESCRIPTION = "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភកូនតូច អស់រយៈពេលបីខែហើយ។"


def _file_by_sms(phone: Phone, gateway, *, keep_number=True, name="សុខ ដារា") -> tuple[str, str, list[str]]:
    """Text the whole exchange; (reference, tracking code, every text the phone received)."""
    phone.text("ប្ដឹង")
    phone.text("1")  # money or support
    phone.text("1")  # cash support not received or late
    phone.text("កំពត")  # the province, by name
    phone.text(DESCRIPTION)
    phone.text("1" if keep_number else "2")
    if keep_number:
        phone.text(name)
    deliver_sms(gateway)
    received = [body["text"] for _key, body in gateway.requests]
    last = received[-1]
    return REFERENCE.search(last).group(0), CODE.search(last).group(0), received


def test_a_whole_complaint_by_sms_in_khmer(client, channels, make):
    phone = Phone(client, NUMBER)
    with FakeGateway() as gateway:
        reference, code, received = _file_by_sms(phone, gateway)

    # Each question came back in Khmer and fits the three SMS parts we allow.
    assert received[0].startswith(texts.say("situation", "km"))
    assert "1 មិនបានទទួលប្រាក់ឧបត្ថម្ភ ឬទទួលបានយឺត" in received[1]
    assert received[2].startswith(texts.say("province", "km"))
    assert received[3] == texts.say("describe", "km")
    assert all(smslen.size(text).parts <= smslen.MAX_PARTS for text in received)
    assert all(body["to"] == NUMBER for _key, body in gateway.requests)

    case = case_of(reference)
    assert (case.channel, case.category.code, case.province_code, case.fund.code) == (
        "sms",
        "NSAF-CT-MISSING",
        "07",
        "NSAF",
    )
    assert case.description == DESCRIPTION and case.language == "km"
    assert case.complainant.name == "សុខ ដារា" and case.complainant.phone == NUMBER and case.complainant.sms_opt_in
    # The same routing and clocks as the web form; the reply says the answer-by date in Khmer.
    assert case.resolve_due_at is not None and case.ack_due_at < case.resolve_due_at
    assert dates.day(case.resolve_due_at, "km").split(" ")[1] in received[-1]
    # The code reached the phone, and the outbox no longer holds it, nor the number.
    message = db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc())).scalars().first()
    assert message.status == "sent" and message.secret is None and message.recipient == SCRUBBED
    assert code not in message.body and "{secret}" in message.body
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0  # the exchange is over


def test_track_add_information_and_appeal_by_sms(client, channels, make):
    phone = Phone(client, NUMBER)
    with FakeGateway() as gateway:
        reference, code, _ = _file_by_sms(phone, gateway)
        start = len(gateway.requests)

        # Track: the status and the choices (in a second message when one would pass three parts).
        phone.text(f"{reference} {code}")
        phone.text("1")
        phone.text("ខ្ញុំបើកប្រាក់នៅសាលាឃុំ ថ្ងៃទី៥ រៀងរាល់ខែ។")
        deliver_sms(gateway)
        texts_now = [body["text"] for _key, body in gateway.requests[start:]]
        assert texts_now[0].startswith(f"{reference}៖")
        assert "1 បន្ថែមព័ត៌មាន" in texts_now[0] + texts_now[1]
        assert texts_now[-1] == texts.say("info.done", "km", ref=reference)
        case = case_of(reference)
        added = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "note")).scalar_one()
        assert "សាលាឃុំ" in added.payload and added.public

        # The fund answers: the opted-in phone gets the news; "3" (did not solve it) is an appeal.
        officer = make.user("officer", fund="NSAF")
        svc.acknowledge(case, officer, "យើងបានទទួល")
        svc.resolve(case, officer, "explained", "ប្រាក់នឹងបើកនៅខែក្រោយ")
        db.session.commit()
        phone.text(f"{reference} {code}")
        phone.text("3")
        deliver_sms(gateway)
    case = case_of(reference)
    assert case.status == "reopened" and case.satisfied is False
    assert gateway.requests[-1][1]["text"] == texts.say("feedback.appeal", "km", ref=reference)
    sent = [body["text"] for _key, body in gateway.requests]
    assert messages.complainant_sms("resolve", reference, "km") in sent  # the news reached the phone
    appeal = db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "reopen")).scalar_one()
    assert json.loads(appeal.payload)["appeal"] is True


def test_an_anonymous_sms_complainant_is_warned_and_leaves_no_number(client, channels):
    phone = Phone(client, NUMBER)
    with FakeGateway() as gateway:
        phone.text("complain")  # English keyword: the exchange is in English
        phone.text("4")
        deliver_sms(gateway)
        menu = gateway.requests[-1][1]["text"]
        # Before filing, the person is told a lost code cannot be recovered if anonymous.
        assert "a lost code cannot be recovered" in texts.say("identity.sms", "en")
        assert menu.startswith("Choose: 1 Bribery")  # officials and other problems
        phone.text("1")
        phone.text("Phnom Penh")
        phone.text("An official asked me for money to put my name on the list.")
        phone.text("2")
        deliver_sms(gateway)
    last = gateway.requests[-1][1]["text"]
    reference = REFERENCE.search(last).group(0)
    assert last.endswith(texts.say("received.anonymous", "en"))
    case = case_of(reference)
    assert case.identity_mode == "anonymous" and case.complainant is None and case.province_code == "12"
    # No outbox row ties the number to the case.
    assert db.session.execute(select(OutboxMessage).where(OutboxMessage.case_id == case.id)).scalars().all() == []


def test_a_session_times_out_and_can_be_restarted(client, channels, monkeypatch):
    from grievance.chat import engine

    phone = Phone(client, NUMBER)
    phone.text("ប្ដឹង")
    phone.text("1")
    real = engine.Conversation.__init__

    def later_init(self, settings, key, *, now=None):
        real(self, settings, key, now=datetime.now(timezone.utc) + timedelta(minutes=31))

    monkeypatch.setattr(engine.Conversation, "__init__", later_init)
    phone.text("1")  # 31 minutes later: the answers are gone, the person is told
    bodies = [m.body for m in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]
    assert bodies[-1] == texts.say("timed_out", "km")
    phone.text("ប្ដឹង")  # and starts again
    phone.text("ប្ដឹង")  # the bare keyword restarts even in the middle
    bodies = [m.body for m in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]
    assert bodies[-1].startswith(texts.say("situation", "km")) and bodies[-2].startswith(texts.say("situation", "km"))
    phone.text("បោះបង់")
    assert db.session.scalar(select(func.count()).select_from(Draft)) == 0


def test_a_wrong_answer_asks_again_and_a_description_starting_with_a_keyword_is_kept(client, channels):
    phone = Phone(client, "012 999 888")
    for body in ("complain", "9", "1", "1", "Kampong"):
        phone.text(body)
    bodies = [m.body for m in db.session.execute(select(OutboxMessage).order_by(OutboxMessage.id)).scalars()]
    assert bodies[1].startswith(texts.say("again", "en"))  # 9 is not on the menu
    assert bodies[-1].startswith(texts.say("again", "en"))  # four provinces start with Kampong
    phone.text("Kampong Cham")
    phone.text("New payment cards were given to everyone except my family.")
    phone.text("2")
    case = db.session.execute(select(Case)).scalar_one()
    assert case.description.startswith("New payment cards") and case.province_code == "03"


def test_a_gateway_failure_loses_no_message(client, channels):
    phone = Phone(client, NUMBER)
    phone.text("ប្ដឹង")
    with FakeGateway(failures=1) as gateway:
        first = deliver_sms(gateway)
        assert (first.sent, first.retried) == (0, 1)
        assert deliver_sms(gateway, minutes=1).sent == 0  # not due yet: backing off
        again = deliver_sms(gateway, minutes=5)
    assert again.sent == 1
    (key_one, body_one), (key_two, body_two) = gateway.requests
    assert key_one == key_two and body_one == body_two  # the same message, its same key


def test_a_repeated_webhook_does_not_advance_the_exchange_twice(client, channels):
    phone = Phone(client, NUMBER)
    phone.text("ប្ដឹង", message_id="gw-1")
    phone.text("1", message_id="gw-2")
    again = phone.text("1", message_id="gw-2")  # the gateway retried: nothing new
    assert again.get_json() == {"status": "duplicate"}
    draft = db.session.execute(select(Draft)).scalar_one()
    assert draft.step == "category"


def test_nothing_typed_or_the_number_reaches_the_log(client, channels, caplog):
    caplog.set_level(logging.DEBUG)
    phone = Phone(client, "+855 97 111 2222")
    with FakeGateway(failures=2) as gateway:
        _file_by_sms(phone, gateway, name="Canary Name Sokha")
        deliver_sms(gateway, minutes=10)
    logged = caplog.text
    for secret in ("97 111 2222", "971112222", "Canary Name Sokha", DESCRIPTION, "កំពត"):
        assert secret not in logged


def test_every_sms_reply_fits_three_parts():
    long_ref, code, due = "GRV-2026-999999", "ABCD-EFGH-JKMN-PQRS", "30 វិច្ឆិកា 2026"
    for key, table in texts.TEXTS.items():
        for lang, text in table.items():
            filled = text.replace("{ref}", long_ref).replace("{secret}", code).replace("{due}", due)
            filled = filled.replace("{n}", "3").replace("{message}", "")
            assert smslen.fits(filled), (key, lang, smslen.size(filled))
    assert smslen.fits(replies.NOT_FOUND)
    for status in replies.STATUS:
        for lang in ("km", "en"):
            assert smslen.fits(replies.status_text(long_ref, status, lang, due, escalated=True))
            for outcome in replies.APPEAL_DECIDED:  # said of an answered case, never an escalated open one
                assert smslen.fits(replies.status_text(long_ref, status, lang, due, False, appeal_outcome=outcome))
    for body in replies.APPEAL:
        for lang in ("km", "en"):
            text = replies.status_text(long_ref, "reopened", lang, due, escalated=True, appeal_by=body)
            assert smslen.fits(text) and due in text
