"""POST /telegram/webhook: Telegram sends each update; only it knows the secret token.

setWebhook(secret_token=TELEGRAM_WEBHOOK_SECRET) makes Telegram send that secret in the header
X-Telegram-Bot-Api-Secret-Token; a request without it is refused before anything is read or
counted. The chat id and the text are personal data: they are never logged, and the per-chat
rate limit keys on a keyed hash of the chat, not the chat itself.
"""

from flask import Blueprint, abort, jsonify, request

from grievance.extensions import csrf, db, limiter
from grievance.security import header_secret_ok, keyed_limit_key, tracking_key
from grievance.telegram import service

bp = Blueprint("telegram", __name__)

MAX_BODY = 64 * 1024  # an update is a few kilobytes; files are fetched separately


def _secret_ok() -> bool:
    return header_secret_ok("X-Telegram-Bot-Api-Secret-Token", "TELEGRAM_WEBHOOK_SECRET")


def _not_telegram() -> bool:
    return not _secret_ok()


def _update():
    request.max_content_length = MAX_BODY
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else None


def _chat_key() -> str:
    return keyed_limit_key("telegram-chat", service.chat_of(_update() or {}) or "-")


@bp.post("/webhook")
@csrf.exempt
@limiter.limit("600/minute", key_func=lambda: "telegram-webhook", exempt_when=_not_telegram)
@limiter.limit("30/minute;500/day", key_func=_chat_key, exempt_when=_not_telegram)
def webhook():
    if not _secret_ok():
        abort(403)
    update = _update()
    if update is None:
        abort(400)
    try:
        outcome = service.handle(update, key=tracking_key())
    except service.FetchFailed:
        db.session.rollback()
        # Nothing was kept: Telegram delivers the same update again a little later.
        return jsonify(ok=False, retry=True), 503
    db.session.commit()
    return jsonify(ok=True, outcome=outcome)
