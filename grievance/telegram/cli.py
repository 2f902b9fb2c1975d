"""flask telegram set-webhook URL: tell Telegram where to send the bot's updates, with our secret."""

from __future__ import annotations

import re
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from grievance.telegram import api

telegram = AppGroup("telegram", help="The Telegram bot.")
SECRET_FORM = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


@telegram.command("set-webhook")
@click.argument("url")
def set_webhook(url: str) -> None:
    """Point the bot at URL (https://…/telegram/webhook) with TELEGRAM_WEBHOOK_SECRET as its secret token."""
    config = current_app.config
    token, secret = config.get("TELEGRAM_BOT_TOKEN"), config.get("TELEGRAM_WEBHOOK_SECRET") or ""
    if not token:
        click.echo("TELEGRAM_BOT_TOKEN is not set.", err=True)
        sys.exit(2)
    if not SECRET_FORM.match(secret):
        click.echo("TELEGRAM_WEBHOOK_SECRET must be 16 to 256 characters of A-Z, a-z, 0-9, _ and -.", err=True)
        sys.exit(2)
    if not url.startswith("https://") and not config.get("TESTING"):
        click.echo("Telegram sends webhooks to https:// addresses only.", err=True)
        sys.exit(2)
    try:
        api.set_webhook(config["TELEGRAM_API_URL"], token, url, secret)
    except api.TelegramError as exc:
        click.echo(f"Telegram refused: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Webhook set: {url}")
