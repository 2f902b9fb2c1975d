"""SMS and Telegram conversations driven end to end: the real webhooks, the outbox, fake gateways."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case
from grievance.notifications import delivery
from tests.fake_telegram import TOKEN
from tests.intake.helpers import FreshRequestClient

SMS_SECRET = "gateway-shared-secret-for-tests"
TG_SECRET = "telegram-webhook-secret-for-tests"
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")
REFERENCE = re.compile(r"GRV-\d{4}-\d{6}")


@pytest.fixture()
def client(app, db):
    return FreshRequestClient(app, app.response_class, use_cookies=True)


@pytest.fixture()
def channels(app, monkeypatch, tmp_path):
    """Both webhooks configured; uploads go to a folder of this test."""
    monkeypatch.setitem(app.config, "SMS_INBOUND_SECRET", SMS_SECRET)
    monkeypatch.setitem(app.config, "TELEGRAM_WEBHOOK_SECRET", TG_SECRET)
    monkeypatch.setitem(app.config, "TELEGRAM_BOT_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    return tmp_path / "uploads"


class Phone:
    """A person texting the public number through the gateway's webhook."""

    def __init__(self, client, number: str) -> None:
        self.client = client
        self.number = number
        self.count = 0

    def text(self, body: str, *, message_id: str | None = None):
        self.count += 1
        mid = message_id or f"{self.number}-{self.count}"
        response = self.client.post(
            "/sms/inbound",
            json={"from": self.number, "text": body, "id": mid},
            headers={"X-Gateway-Secret": SMS_SECRET},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response


class Chat:
    """A person writing to the bot: Telegram posts each update to the webhook with the secret token."""

    update_ids = iter(range(10_000, 10**9))

    def __init__(self, client, chat_id: int, language: str = "km") -> None:
        self.client = client
        self.chat_id = chat_id
        self.language = language

    def update(self, *, text: str | None = None, photo: str | None = None, caption: str | None = None, **extra):
        message = {
            "message_id": next(self.update_ids),
            "date": 1_780_000_000,
            "chat": {"id": self.chat_id, "type": "private", "first_name": "Dara"},
            "from": {"id": self.chat_id, "is_bot": False, "first_name": "Dara", "language_code": self.language},
        }
        if text is not None:
            message["text"] = text
        if photo is not None:
            message["photo"] = [
                {"file_id": photo + "-small", "file_unique_id": "s", "width": 90, "height": 67, "file_size": 1200},
                {"file_id": photo, "file_unique_id": "b", "width": 640, "height": 480},
            ]
        if caption is not None:
            message["caption"] = caption
        message.update(extra)
        return {"update_id": next(self.update_ids), "message": message}

    def post(self, update: dict, secret: str = TG_SECRET):
        return self.client.post("/telegram/webhook", json=update, headers={"X-Telegram-Bot-Api-Secret-Token": secret})

    def send(self, **kwargs):
        response = self.post(self.update(**kwargs))
        assert response.status_code == 200, response.get_data(as_text=True)
        return response


def later(minutes: int = 1):
    return lambda: datetime.now(timezone.utc) + timedelta(minutes=minutes)


def deliver_sms(gateway, minutes: int = 1) -> delivery.DeliveryReport:
    return delivery.deliver(delivery.Transport(sms_gateway_url=gateway.url), now_fn=later(minutes))


def deliver_telegram(fake, minutes: int = 1) -> delivery.DeliveryReport:
    transport = delivery.Transport(telegram_api_url=fake.url, telegram_bot_token=TOKEN)
    return delivery.deliver(transport, now_fn=later(minutes))


def case_of(reference: str) -> Case:
    db.session.expire_all()
    return db.session.execute(select(Case).where(Case.reference == reference)).scalar_one()
