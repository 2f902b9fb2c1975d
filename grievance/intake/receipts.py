"""What every receipt prints about following a complaint, on paper and on screen."""

from __future__ import annotations

from flask import current_app, request, url_for


def follow_ways() -> dict:
    """The web address of the tracking page, the SMS number and the Telegram bot (when set)."""
    base = current_app.config.get("PUBLIC_BASE_URL") or request.url_root
    return {
        "web": base.rstrip("/") + url_for("intake.track"),
        "sms": current_app.config.get("SMS_PUBLIC_NUMBER"),
        "telegram": current_app.config.get("TELEGRAM_BOT_NAME"),
    }
