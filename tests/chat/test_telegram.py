"""The Telegram bot against a fake Bot API on loopback: file with a photo, track, add information,
answer "did this solve it?", news in the chat for those who asked; failures lose nothing."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import func, select

from grievance.cases import service as svc
from grievance.chat import texts
from grievance.extensions import db
from grievance.models import Case, ChatLink, Draft, Event, InboundMessage, OutboxMessage, PendingUpload
from grievance.models.outbox import SCRUBBED
from grievance.notifications import messages
from tests.chat.helpers import CODE, REFERENCE, TG_SECRET, Chat, case_of, deliver_telegram
from tests.fake_telegram import TOKEN, FakeTelegram
from tests.intake import sample_files

CHAT_ID = 777_000_123
DESCRIPTION = "ភ្នាក់ងារកាត់ប្រាក់ខ្ញុំ ២០០០០ រៀល។ នេះជារូបថតបង្កាន់ដៃ។"


@pytest.fixture()
def bot(app, channels, monkeypatch):
    with FakeTelegram() as fake:
        monkeypatch.setitem(app.config, "TELEGRAM_API_URL", fake.url)
        yield fake


def _file_with_photo(chat: Chat, bot: FakeTelegram, *, updates: bool = True) -> tuple[str, str]:
    bot.add_file("photo-1", sample_files.jpeg_with_gps(size=(640, 480)))
    chat.send(text="/start")
    chat.send(text=texts.say("button.complain", "km"))  # the button under the welcome
    chat.send(text="1 ប្រាក់ឧបត្ថម្ភ ឬជំនួយ")  # a button's text: its number is the answer
    chat.send(text="2")  # wrong amount, or money deducted by an agent
    chat.send(text="12")  # Phnom Penh, by its number on the list
    chat.send(text=DESCRIPTION)
    chat.send(photo="photo-1")
    chat.send(text="0")
    chat.send(text="1")  # anonymous
    chat.send(text="1" if updates else "2")  # news in this chat?
    deliver_telegram(bot)
    last = bot.texts_to(chat.chat_id)[-1]
    return REFERENCE.search(last).group(0), CODE.search(last).group(0)


def test_a_whole_complaint_with_a_photo_on_telegram(client, bot, channels):
    chat = Chat(client, CHAT_ID)
    reference, code = _file_with_photo(chat, bot)
    sent = bot.texts_to(CHAT_ID)
    assert sent[0] == texts.say("welcome", "km")
    assert texts.say("photo.got", "km", n=1) in sent
    assert texts.say("received.anonymous", "km") in sent[-1]
    # Buttons under the questions (a reply keyboard), as the Bot API takes them.
    menu = next(m for m in bot.sent if m["text"].startswith(texts.say("situation", "km")))
    assert menu["reply_markup"]["keyboard"][0] == [{"text": "1 " + texts.say("situation.money", "km")}]

    case = case_of(reference)
    assert (case.channel, case.category.code, case.province_code, case.identity_mode) == (
        "telegram",
        "NSAF-CT-AMOUNT",
        "12",
        "anonymous",
    )
    assert case.description == DESCRIPTION and case.complainant is None
    # The photo went through the web form's pipeline: JPEG from its bytes, re-encoded, no EXIF or GPS.
    (attachment,) = case.attachments
    assert attachment.content_type == "image/jpeg"
    stored = (channels / attachment.stored_name).read_bytes()
    assert not sample_files.has_exif(stored) and not sample_files.has_gps(stored)
    assert os.listdir(channels) == [attachment.stored_name]
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0

    # The chat id is kept only where the person agreed (news for this case), else as a keyed hash.
    (link,) = db.session.execute(select(ChatLink)).scalars()
    assert link.case_id == case.id and link.chat_id == str(CHAT_ID) and str(CHAT_ID) not in link.chat_hash
    for message in db.session.execute(select(OutboxMessage)).scalars():
        assert message.recipient == SCRUBBED and message.secret is None
    assert code not in str([m.body for m in db.session.execute(select(OutboxMessage)).scalars()])


def test_track_add_information_and_appeal_on_telegram_with_news_in_the_chat(client, bot, channels, make):
    chat = Chat(client, CHAT_ID)
    reference, code = _file_with_photo(chat, bot)
    chat.send(text=f"{reference} {code}")
    chat.send(text="1")
    chat.send(text="ខ្ញុំបើកប្រាក់នៅសាលាឃុំ។")
    deliver_telegram(bot)
    sent = bot.texts_to(CHAT_ID)
    assert sent[-1] == texts.say("info.done", "km", ref=reference)
    assert "1 បន្ថែមព័ត៌មាន" in sent[-3]

    # The fund answers with a message naming a phone number: the chat gets the news (it asked), and
    # tracking shows the fund's words with the number masked (services/disclosure).
    case = case_of(reference)
    officer = make.user("officer", fund="NSAF")
    svc.acknowledge(case, officer, "យើងបានទទួល")
    svc.resolve(case, officer, "remedied", "ភ្នាក់ងារបានសងប្រាក់វិញ។ ទូរស័ព្ទមក 012 999 888 បើមានបញ្ហា។")
    db.session.commit()
    deliver_telegram(bot)
    assert messages.complainant_sms("resolve", reference, "km") in bot.texts_to(CHAT_ID)
    chat.send(text=f"{reference} {code}")
    deliver_telegram(bot)
    status = bot.texts_to(CHAT_ID)[-1]
    assert "ភ្នាក់ងារបានសងប្រាក់វិញ" in status and "012 999 888" not in status
    chat.send(text="3")  # it did not solve the problem: an appeal
    deliver_telegram(bot)
    assert bot.texts_to(CHAT_ID)[-1] == texts.say("feedback.appeal", "km", ref=reference)
    case = case_of(reference)
    assert case.status == "reopened" and case.satisfied is False
    assert db.session.execute(select(Event).where(Event.case_id == case.id, Event.kind == "feedback")).scalar_one()

    # /stop: no more news, and the chat id is gone with the link.
    chat.send(text="/stop")
    assert db.session.scalar(select(func.count()).select_from(ChatLink)) == 0


def test_without_opting_in_the_chat_id_is_not_kept(client, bot, channels, make):
    chat = Chat(client, CHAT_ID)
    reference, _code = _file_with_photo(chat, bot, updates=False)
    assert db.session.scalar(select(func.count()).select_from(ChatLink)) == 0
    case = case_of(reference)
    svc.acknowledge(case, make.user("officer", fund="NSAF"), "ok")
    db.session.commit()
    assert (
        db.session.execute(
            select(OutboxMessage).where(OutboxMessage.channel == "telegram", OutboxMessage.status == "pending")
        ).first()
        is None
    )
    for row in db.session.execute(select(Draft.owner_hash)).scalars():
        assert str(CHAT_ID) not in row


def test_a_telegram_failure_loses_no_message(client, bot, channels):
    chat = Chat(client, CHAT_ID)
    bot.fail["sendMessage"] = 2
    chat.send(text="ប្ដឹង")
    assert deliver_telegram(bot).retried == 1
    assert deliver_telegram(bot, minutes=3).retried == 1
    assert deliver_telegram(bot, minutes=10).sent == 1
    assert bot.texts_to(CHAT_ID)[0].startswith(texts.say("situation", "km"))


def test_a_photo_telegram_cannot_hand_over_is_fetched_when_the_update_comes_again(client, bot, channels):
    chat = Chat(client, CHAT_ID)
    for text in ("ប្ដឹង", "1", "1", "12", DESCRIPTION):
        chat.send(text=text)
    bot.add_file("photo-2", sample_files.jpeg_with_gps(size=(320, 240)))
    bot.fail["getFile"] = 1
    update = chat.update(photo="photo-2")
    refused = chat.post(update)
    assert refused.status_code == 503  # Telegram will deliver the update again
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0
    assert chat.post(update).status_code == 200  # the redelivery
    assert chat.post(update).get_json()["outcome"] == "duplicate"  # and once more: nothing twice
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 1
    assert db.session.scalar(select(func.count()).select_from(InboundMessage)) == 6


def test_a_file_that_is_not_a_photo_or_pdf_is_refused(client, bot, channels):
    chat = Chat(client, CHAT_ID)
    for text in ("ប្ដឹង", "1", "1", "12", DESCRIPTION):
        chat.send(text=text)
    bot.add_file("doc-1", b"<html><script>alert(1)</script></html>", path="documents/file_9.pdf")
    chat.send(
        document={"file_id": "doc-1", "file_unique_id": "d", "file_name": "a.pdf", "mime_type": "application/pdf"}
    )
    deliver_telegram(bot)
    assert bot.texts_to(CHAT_ID)[-1] == texts.say("photo.refused", "km")
    assert db.session.scalar(select(func.count()).select_from(PendingUpload)) == 0


@pytest.mark.parametrize("secret", [None, "", "wrong", TG_SECRET + "x"])
def test_an_update_without_the_secret_token_is_refused(client, bot, channels, secret):
    chat = Chat(client, CHAT_ID)
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    response = client.post("/telegram/webhook", json=chat.update(text="ប្ដឹង"), headers=headers)
    assert response.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_groups_and_odd_updates_are_ignored(client, bot, channels):
    chat = Chat(client, CHAT_ID)
    group = chat.update(text="ប្ដឹង")
    group["message"]["chat"] = {"id": -100123, "type": "group", "title": "Village"}
    assert chat.post(group).get_json()["outcome"] == "ignored"
    for odd in ({"update_id": 1, "edited_message": {}}, {"update_id": True, "message": {}}, {}):
        assert chat.post(odd).status_code == 200
    assert (
        client.post(
            "/telegram/webhook",
            data="[",
            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET, "Content-Type": "application/json"},
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_set_webhook_sends_the_secret_token(app, runner, bot, monkeypatch):
    result = runner.invoke(args=["telegram", "set-webhook", "https://grievance.example.org/telegram/webhook"])
    assert result.exit_code == 0, result.output
    (call,) = bot.webhooks
    assert call == {
        "url": "https://grievance.example.org/telegram/webhook",
        "secret_token": TG_SECRET,
        "allowed_updates": ["message"],
    }


def test_nothing_typed_nor_the_chat_reaches_the_log(client, bot, channels, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    chat = Chat(client, 555_444_333)
    bot.fail["sendMessage"] = 3
    bot.add_file("photo-9", sample_files.jpeg_with_gps())
    for update in (
        {"text": "ប្ដឹង"},
        {"text": "1"},
        {"text": "1"},
        {"text": "Kampot"},
        {"text": "Canary description 8812"},
        {"photo": "photo-9"},
        {"text": "0"},
        {"text": "2"},
        {"text": "Canary Name Vuthy"},
        {"text": "097 111 2222"},
        {"text": "1"},
    ):
        chat.send(**update)
    deliver_telegram(bot)
    deliver_telegram(bot, minutes=60)
    case = db.session.execute(select(Case)).scalar_one()
    assert case.complainant.name == "Canary Name Vuthy" and case.complainant.phone == "097 111 2222"
    for secret in ("555444333", "Canary description", "Canary Name", "111 2222", TOKEN):
        assert secret not in caplog.text
