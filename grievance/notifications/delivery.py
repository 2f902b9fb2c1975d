"""Sending queued messages: SMTP for e-mail, an HTTP gateway for SMS."""

from __future__ import annotations

import json
import logging
import smtplib
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

from grievance.extensions import db
from grievance.models import OutboxMessage
from grievance.notifications import outbox

log = logging.getLogger("grievance.outbox")


class DeliveryError(Exception):
    pass


@dataclass
class Transport:
    """Where messages go. Configured from the app config; replaced in tests."""

    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "noreply@grievance.local"
    sms_gateway_url: str | None = None
    sms_gateway_token: str | None = None
    telegram_api_url: str = "https://api.telegram.org"
    telegram_bot_token: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config) -> Transport:
        return cls(
            smtp_host=config.get("SMTP_HOST"),
            smtp_port=int(config.get("SMTP_PORT", 25)),
            mail_from=config.get("MAIL_FROM", "noreply@grievance.local"),
            sms_gateway_url=config.get("SMS_GATEWAY_URL"),
            sms_gateway_token=config.get("SMS_GATEWAY_TOKEN"),
            telegram_api_url=config.get("TELEGRAM_API_URL") or "https://api.telegram.org",
            telegram_bot_token=config.get("TELEGRAM_BOT_TOKEN"),
        )

    def send(self, msg: OutboxMessage) -> None:
        if msg.channel == "sms":
            self._sms(msg)
        elif msg.channel == "telegram":
            self._telegram(msg)
        else:
            self._email(msg)

    def _telegram(self, msg: OutboxMessage) -> None:
        from grievance.telegram import api

        if not self.telegram_bot_token:
            raise DeliveryError("no Telegram bot configured (TELEGRAM_BOT_TOKEN)")
        payload = {"chat_id": msg.recipient, "text": outbox.text_of(msg)}
        if msg.buttons:
            payload["reply_markup"] = api.keyboard(json.loads(msg.buttons))
        try:
            api.call(self.telegram_api_url, self.telegram_bot_token, "sendMessage", payload, timeout=self.timeout)
        except api.TelegramError as exc:
            raise DeliveryError(str(exc)) from None

    def _sms(self, msg: OutboxMessage) -> None:
        if not self.sms_gateway_url:
            raise DeliveryError("no SMS gateway configured (SMS_GATEWAY_URL)")
        if urlsplit(self.sms_gateway_url).scheme not in ("http", "https"):
            # urlopen would also read file: and other schemes; the gateway is only ever HTTP(S).
            raise DeliveryError("SMS_GATEWAY_URL must be an http:// or https:// URL")
        data = json.dumps({"to": msg.recipient, "text": outbox.text_of(msg), "id": msg.idempotency_key}).encode("utf-8")
        request = urllib.request.Request(  # noqa: S310 - URL comes from configuration, not users
            self.sms_gateway_url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json", "Idempotency-Key": msg.idempotency_key},
        )
        if self.sms_gateway_token:
            request.add_header("Authorization", f"Bearer {self.sms_gateway_token}")
        try:
            # The scheme was checked above (http or https only).
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310
                if response.status >= 300:
                    raise DeliveryError(f"gateway answered {response.status}")
        except urllib.error.HTTPError as exc:
            raise DeliveryError(f"gateway answered {exc.code}") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise DeliveryError(f"gateway unreachable: {type(exc).__name__}") from None

    def _email(self, msg: OutboxMessage) -> None:
        if not self.smtp_host:
            raise DeliveryError("no SMTP server configured (SMTP_HOST)")
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = msg.recipient
        email["Subject"] = msg.subject
        email["Message-ID"] = f"<{msg.idempotency_key}@grievance>"
        email.set_content(msg.body)
        try:
            with smtplib.SMTP(self.smtp_host, self.smtp_port, timeout=self.timeout) as smtp:
                smtp.send_message(email)
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"SMTP failed: {type(exc).__name__}") from None


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def deliver(transport: Transport, now_fn: Callable[[], datetime] = outbox.utcnow, limit: int = 100) -> DeliveryReport:
    """Send what is due; each message is committed on its own so progress is never lost."""
    report = DeliveryReport()
    ids = outbox.claim_batch(now_fn(), limit)
    db.session.commit()
    for message_id in ids:
        msg = db.session.get(OutboxMessage, message_id)
        try:
            transport.send(msg)
        except DeliveryError as exc:
            outbox.mark_failed(message_id, now_fn(), str(exc))
            db.session.commit()
            if db.session.get(OutboxMessage, message_id).status == "failed":
                report.failed += 1
            else:
                report.retried += 1
            # The reason never includes the recipient or the text.
            log.warning("outbox message %s not delivered: %s", message_id, exc)
            continue
        outbox.mark_sent(message_id, now_fn())
        db.session.commit()
        report.sent += 1
    return report
