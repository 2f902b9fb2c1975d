"""The few Telegram Bot API methods the bot uses: sendMessage, getFile and the file download, setWebhook.

https://core.telegram.org/bots/api — every method is `POST {base}/bot{token}/{method}` with a JSON
body and answers `{"ok": true, "result": ...}` or `{"ok": false, "error_code": 400, "description": ...}`;
a file is fetched from `{base}/file/bot{token}/{file_path}` (getFile gives the path, valid an hour).
The token is part of every URL, so neither a URL nor a response body is ever put in an error.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlsplit


class TelegramError(Exception):
    """Telegram could not be reached, or refused the call; the message names the method only."""


def _url(base: str, path: str) -> str:
    if urlsplit(base).scheme not in ("http", "https"):
        raise TelegramError("TELEGRAM_API_URL must be an http:// or https:// URL")
    return base.rstrip("/") + path


def call(base: str, token: str, method: str, payload: dict, *, timeout: float = 10.0):
    """Call a Bot API method; its `result`, or TelegramError."""
    request = urllib.request.Request(  # noqa: S310 - the base URL comes from configuration
        _url(base, f"/bot{token}/{method}"),
        data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        # The scheme was checked in _url (http or https only).
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            answer = json.loads(response.read(1_000_000) or b"{}")
    except urllib.error.HTTPError as exc:
        raise TelegramError(f"{method}: Telegram answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise TelegramError(f"{method}: Telegram unreachable ({type(exc).__name__})") from None
    if not isinstance(answer, dict) or not answer.get("ok"):
        code = answer.get("error_code") if isinstance(answer, dict) else None
        raise TelegramError(f"{method}: Telegram refused ({code})")
    return answer.get("result")


def download(base: str, token: str, file_id: str, *, max_bytes: int, timeout: float = 20.0) -> bytes | None:
    """The bytes of a file a person sent (None if it is larger than max_bytes)."""
    info = call(base, token, "getFile", {"file_id": file_id}, timeout=timeout)
    path = info.get("file_path") if isinstance(info, dict) else None
    if not isinstance(path, str) or not path or ".." in path:
        raise TelegramError("getFile: no file path")
    if isinstance(info.get("file_size"), int) and info["file_size"] > max_bytes:
        return None
    request = urllib.request.Request(_url(base, f"/file/bot{token}/{quote(path)}"))  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  # nosec B310
            data = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise TelegramError(f"file download: Telegram answered {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise TelegramError(f"file download: Telegram unreachable ({type(exc).__name__})") from None
    return None if len(data) > max_bytes else data


def keyboard(labels: list[str]) -> dict:
    """Answers offered as buttons (a reply keyboard): pressing one sends its text."""
    return {
        "keyboard": [[{"text": label[:100]}] for label in labels[:30]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }


def set_webhook(base: str, token: str, url: str, secret: str) -> None:
    """Point Telegram at our webhook; it will send `secret` in X-Telegram-Bot-Api-Secret-Token."""
    call(base, token, "setWebhook", {"url": url, "secret_token": secret, "allowed_updates": ["message"]})
