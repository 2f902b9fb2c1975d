"""A fake Telegram Bot API on loopback for tests: sendMessage, getFile, file downloads, setWebhook.

It answers as https://core.telegram.org/bots/api documents ({"ok": true, "result": ...}), records
what the bot sent, and can fail a method on purpose (HTTP 502, as Telegram's front does when busy).
"""

from __future__ import annotations

import itertools
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.fake_gateway import LoopbackServer

TOKEN = "123456:TEST-bot-token"


class FakeTelegram(LoopbackServer):
    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.sent: list[dict] = []
        self.webhooks: list[dict] = []
        self.files: dict[str, tuple[str, bytes]] = {}
        self.fail: dict[str, int] = {}  # method (or "file") -> how many calls to fail
        self.calls: list[str] = []
        self._ids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, status: int, body: bytes, content_type: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _json(self, payload: dict, status: int = 200) -> None:
                self._answer(status, json.dumps(payload).encode())

            def _failing(self, name: str) -> bool:
                if fake.fail.get(name, 0) > 0:
                    fake.fail[name] -= 1
                    self._answer(502, b"Bad Gateway", "text/plain")
                    return True
                return False

            def do_GET(self):  # noqa: N802 - http.server API
                prefix = f"/file/bot{fake.token}/"
                fake.calls.append("file")
                if not self.path.startswith(prefix):
                    return self._json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)
                if self._failing("file"):
                    return None
                path = self.path[len(prefix) :]
                for stored_path, data in fake.files.values():
                    if stored_path == path:
                        return self._answer(200, data, "application/octet-stream")
                return self._json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

            def do_POST(self):  # noqa: N802 - http.server API
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                prefix = f"/bot{fake.token}/"
                if not self.path.startswith(prefix):
                    return self._json({"ok": False, "error_code": 401, "description": "Unauthorized"}, 401)
                method = self.path[len(prefix) :]
                fake.calls.append(method)
                if self._failing(method):
                    return None
                if method == "sendMessage":
                    if not isinstance(body.get("text"), str) or not 1 <= len(body["text"]) <= 4096:
                        return self._json({"ok": False, "error_code": 400, "description": "Bad Request: text"}, 400)
                    fake.sent.append(body)
                    chat = {"id": int(body["chat_id"]), "type": "private"}
                    return self._json({"ok": True, "result": {"message_id": next(fake._ids), "chat": chat}})
                if method == "getFile":
                    found = fake.files.get(body.get("file_id"))
                    if found is None:
                        return self._json({"ok": False, "error_code": 400, "description": "Bad Request"}, 400)
                    path, data = found
                    result = {
                        "file_id": body["file_id"],
                        "file_unique_id": "u" + body["file_id"],
                        "file_size": len(data),
                        "file_path": path,
                    }
                    return self._json({"ok": True, "result": result})
                if method == "setWebhook":
                    fake.webhooks.append(body)
                    return self._json({"ok": True, "result": True, "description": "Webhook was set"})
                return self._json({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

            def log_message(self, *args):
                pass

        self._serve(Handler, ThreadingHTTPServer)
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def add_file(self, file_id: str, data: bytes, path: str | None = None) -> None:
        self.files[file_id] = (path or f"photos/file_{len(self.files)}.jpg", data)

    def texts_to(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.sent if int(m["chat_id"]) == chat_id]
