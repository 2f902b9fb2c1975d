"""A fake SMS gateway on loopback for tests: records what it receives, can fail on purpose."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer


class LoopbackServer:
    """An HTTP server on a free port of 127.0.0.1, serving in a thread while used as a context manager."""

    def _serve(self, handler, server_class=HTTPServer) -> None:
        self.server = server_class(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class FakeGateway(LoopbackServer):
    """An SMS gateway on loopback that fails the first `failures` requests."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.requests: list[tuple[str, dict]] = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server API
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append((self.headers["Idempotency-Key"], body))
                if len(gateway.requests) <= gateway.failures:
                    self.send_response(500)
                else:
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self._serve(Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"

    @property
    def accepted(self) -> int:
        return max(0, len(self.requests) - self.failures)
