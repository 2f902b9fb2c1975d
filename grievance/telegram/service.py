"""A Telegram update in, the conversation's replies out (through the outbox).

Only private chats are answered (a complaint is never discussed in a group). The chat id is the
conversation's owner, known to the database only as a keyed hash, except in the news links of a
person who asked for news in this chat (chat_links) and in replies waiting to be delivered. A
photo or document is fetched from Telegram and goes through the same checks as the web form's
files (intake/uploads.py: type from the bytes, re-encoded, metadata stripped); if Telegram cannot
be reached the update is refused (the webhook answers 503), so Telegram delivers it again.
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import current_app

from grievance.chat import engine
from grievance.chat import service as chat
from grievance.intake import drafts, uploads
from grievance.telegram import api

MAX_TEXT = 4000
FILE_STEPS = ("description", "files")
MAX_BYTES = uploads.MAX_BYTES


class FetchFailed(Exception):
    """A file could not be fetched from Telegram; nothing was stored, Telegram will send the update again."""


def chat_of(update) -> str | None:
    """The private chat an update comes from, as text; None for anything else (groups, channels...)."""
    message = update.get("message") if isinstance(update, dict) else None
    chat_info = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat_info, dict) or chat_info.get("type") != "private":
        return None
    chat_id = chat_info.get("id")
    if isinstance(chat_id, bool) or not isinstance(chat_id, int):
        return None
    return str(chat_id)


def _file_ids(message: dict) -> list[tuple[str, str]]:
    """(file_id, display name) of the photo (its largest size) or the document a message carries."""
    found = []
    photos = message.get("photo")
    if isinstance(photos, list) and photos:
        sizes = [p for p in photos if isinstance(p, dict) and isinstance(p.get("file_id"), str)]
        small_enough = [
            p for p in sizes if not isinstance(p.get("file_size"), int) or p["file_size"] <= uploads.MAX_BYTES
        ]
        if small_enough:
            best = max(small_enough, key=lambda p: (p.get("width") or 0) * (p.get("height") or 0))
            found.append((best["file_id"], "telegram-photo.jpg"))
    document = message.get("document")
    if isinstance(document, dict) and isinstance(document.get("file_id"), str):
        found.append((document["file_id"], str(document.get("file_name") or "telegram-file")[:240]))
    return found


def _fetch(message: dict) -> tuple[list[uploads.PreparedFile], int]:
    config = current_app.config
    files, refused = [], 0
    for file_id, name in _file_ids(message):
        try:
            data = api.download(
                config["TELEGRAM_API_URL"], config["TELEGRAM_BOT_TOKEN"] or "", file_id, max_bytes=uploads.MAX_BYTES
            )
        except api.TelegramError as exc:
            raise FetchFailed(str(exc)) from None
        if data is None:
            refused += 1
            continue
        try:
            files.append(uploads.prepare(name, io.BytesIO(data)))
        except uploads.UploadRefused:
            refused += 1
    return files, refused


def handle(update: dict, *, key: bytes, now: datetime | None = None) -> str:
    """Answer one update; 'queued', 'duplicate' or 'ignored'. Raises FetchFailed (nothing stored)."""
    chat_id = chat_of(update)
    update_id = update.get("update_id")
    if chat_id is None or isinstance(update_id, bool) or not isinstance(update_id, int):
        return "ignored"
    message = update["message"]
    if not chat.first_time("telegram", str(update_id)):
        return "duplicate"
    text = message.get("text") if isinstance(message.get("text"), str) else message.get("caption")
    text = text if isinstance(text, str) else ""
    sender = message.get("from") if isinstance(message.get("from"), dict) else {}
    language = sender.get("language_code") if isinstance(sender.get("language_code"), str) else None
    files, refused = [], 0
    draft = drafts.find("telegram", chat_id, key, now=now)
    if draft is not None and draft.flow == "file" and draft.step in FILE_STEPS:
        files, refused = _fetch(message)
    conversation = engine.Conversation(chat.settings("telegram", max_text=MAX_TEXT, files=True), key, now=now)
    incoming = engine.Incoming(
        owner=chat_id, text=text[:MAX_TEXT], files=tuple(files), refused_files=refused, language=language
    )
    outcome = conversation.handle(incoming)
    chat_hash = drafts.owner_hash("telegram", chat_id, key)
    for reply in outcome.replies:
        if reply.subscribe == "":
            chat.unsubscribe(chat_hash)
        elif reply.subscribe and outcome.case is not None:
            chat.subscribe(outcome.case, "telegram", chat_hash, chat_id)
    chat.queue_replies("telegram", chat_id, outcome.replies, message_id=str(update_id), language=conversation.lang)
    return "queued"
