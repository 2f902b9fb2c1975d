"""Appeal on each channel: "did not solve it" by SMS and on Telegram opens the appeal stage (its own
clock, the fund or the council reviewing), the phone or chat is told the decision date, tracking on
that channel shows who reviews it and by when, and the decision comes back the same way."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from grievance.cases import appeals
from grievance.cases import service as svc
from grievance.chat import texts
from grievance.domain import dates
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.models import Appeal, Event
from grievance.models.timeutil import from_db
from grievance.notifications import messages
from grievance.sms import replies
from tests.chat.helpers import Chat, Phone, case_of, deliver_sms, deliver_telegram
from tests.chat.test_sms_conversation import NUMBER, _file_by_sms
from tests.chat.test_telegram import CHAT_ID, _file_with_photo
from tests.fake_gateway import FakeGateway
from tests.fake_telegram import FakeTelegram


@pytest.fixture()
def bot(app, channels, monkeypatch):
    with FakeTelegram() as fake:
        monkeypatch.setitem(app.config, "TELEGRAM_API_URL", fake.url)
        yield fake


def _answer(case, make):
    officer = make.user("officer", fund="NSAF")
    svc.acknowledge(case, officer, "យើងបានទទួល")
    svc.resolve(case, officer, "explained", "ប្រាក់នឹងបើកនៅខែក្រោយ")
    db.session.commit()
    return officer


def _the_appeal(case) -> Appeal:
    return db.session.execute(select(Appeal).where(Appeal.case_id == case.id)).scalar_one()


def test_an_appeal_by_sms_to_the_fund_is_tracked_and_decided_by_sms(client, channels, make):
    phone = Phone(client, NUMBER)
    with FakeGateway() as gateway:
        reference, code, _ = _file_by_sms(phone, gateway)
        officer = _answer(case_of(reference), make)
        phone.text(f"{reference} {code}")
        phone.text("3")  # did not solve it: an appeal to the fund
        deliver_sms(gateway)
        case = case_of(reference)
        appeal = _the_appeal(case)
        assert (appeal.reviewer_body, appeal.via, appeal.resolver_id) == ("fund", "sms", officer.id)
        assert from_db(appeal.due_at) > from_db(appeal.started_at)
        sent = [body["text"] for _key, body in gateway.requests]
        told = messages.complainant_sms("appeal", reference, "km", due=from_db(appeal.due_at))
        assert told in sent  # the phone is told a reviewer decides, and by which day

        # Tracking by SMS during the appeal: who reviews it and the appeal's own date, not the first one's.
        phone.text(f"{reference} {code}")
        deliver_sms(gateway)
        texts_now = [body["text"] for _key, body in gateway.requests[-2:]]
        status = next(t for t in texts_now if t.startswith(f"{reference}៖"))
        assert status.startswith(replies.APPEAL["fund"]["km"].split("{due}")[0].format(ref=reference))
        day = dates.day(from_db(appeal.due_at).astimezone(TZ), "km")
        assert day in told and day in status  # the appeal's own decision day, in the notice and the status
        assert dates.day(from_db(case.resolve_due_at).astimezone(TZ), "km") != day

        # The officer who answered may not decide it; the supervisor does, and the phone hears of it.
        with pytest.raises(Exception):  # noqa: B017 - NotPermitted, whatever its module
            appeals.decide(case, officer, "upheld", "The payment date was right.")
        db.session.rollback()
        supervisor = make.user("supervisor", fund="NSAF")
        case = case_of(reference)
        appeals.decide(case, supervisor, "overturned", "The agent deducted money.", new_outcome="remedied")
        db.session.commit()
        deliver_sms(gateway)
        assert gateway.requests[-1][1]["text"] == messages.complainant_sms("appeal_decided", reference, "km")
        phone.text(f"{reference} {code}")
        deliver_sms(gateway)
        final = [body["text"] for _key, body in gateway.requests[-2:]]
        assert any(replies.APPEAL_DECIDED["overturned"]["km"] in t for t in final)
    case = case_of(reference)
    assert case.status == "resolved" and case.outcome == "remedied"
    kinds = [e.kind for e in db.session.execute(select(Event).where(Event.case_id == case.id)).scalars()]
    assert "appeal" in kinds and "appeal_decided" in kinds


def test_an_appeal_by_sms_can_go_to_the_council(client, channels, make):
    phone = Phone(client, "+855 97 555 0101")
    with FakeGateway() as gateway:
        reference, code, _ = _file_by_sms(phone, gateway)
        _answer(case_of(reference), make)
        phone.text(f"{reference} {code}")
        phone.text("4")  # ask the council instead
        deliver_sms(gateway)
        appeal = _the_appeal(case_of(reference))
        assert (appeal.reviewer_body, appeal.via) == ("council", "sms")
        phone.text(f"{reference} {code}")
        deliver_sms(gateway)
        texts_now = [body["text"] for _key, body in gateway.requests[-2:]]
        assert any(
            t.startswith(replies.APPEAL["council"]["km"].split("ក្រុមប្រឹក្សា")[0].format(ref=reference))
            and "ក្រុមប្រឹក្សាជាតិគាំពារសង្គម" in t
            for t in texts_now
        )
        # A fund supervisor may not decide what was sent to the council; a council member does.
        with pytest.raises(Exception):  # noqa: B017
            appeals.decide(case_of(reference), make.user("supervisor", fund="NSAF"), "upheld", "Fine as it is.")
        db.session.rollback()
        council = make.user("oversight", fund=None)
        appeals.decide(case_of(reference), council, "upheld", "The first answer explained the date.")
        db.session.commit()
        deliver_sms(gateway)
        assert gateway.requests[-1][1]["text"] == messages.complainant_sms("appeal_decided", reference, "km")
    assert case_of(reference).status == "resolved"


def test_an_appeal_on_telegram_to_the_council_comes_back_to_the_chat(client, bot, channels, make):
    chat = Chat(client, CHAT_ID)
    reference, code = _file_with_photo(chat, bot)
    _answer(case_of(reference), make)
    deliver_telegram(bot)
    chat.send(text=f"{reference} {code}")
    chat.send(text="4")  # ask the council
    deliver_telegram(bot)
    case = case_of(reference)
    appeal = _the_appeal(case)
    assert (appeal.reviewer_body, appeal.via) == ("council", "telegram")
    sent = bot.texts_to(CHAT_ID)
    assert texts.say("feedback.appeal", "km", ref=reference) in sent
    assert messages.complainant_sms("appeal", reference, "km", due=from_db(appeal.due_at)) in sent

    chat.send(text=f"{reference} {code}")  # tracking in the chat names the council and the appeal's day
    deliver_telegram(bot)
    assert any("ក្រុមប្រឹក្សាជាតិគាំពារសង្គម" in t and t.startswith(f"{reference}៖") for t in bot.texts_to(CHAT_ID)[-2:])

    council = make.user("oversight", fund=None)
    appeals.decide(case_of(reference), council, "overturned", "The agent must repay.", new_outcome="remedied")
    db.session.commit()
    deliver_telegram(bot)
    assert bot.texts_to(CHAT_ID)[-1] == messages.complainant_sms("appeal_decided", reference, "km")
    assert case_of(reference).outcome == "remedied"
