"""The app as production runs it, on loopback: gunicorn with the production config behind a TLS proxy.

    Chromium ──(CONNECT, from 127.0.0.N)──▶ Network ──TLS──▶ TLSProxy ──HTTP + X-Forwarded-*──▶ gunicorn

- `Production` prepares the deployment the README documents — `flask db upgrade`, `flask seed`,
  `flask users create` with GRIEVANCE_ENV=production — and starts `gunicorn -c gunicorn.conf.py
  wsgi:app` with two workers, Redis for the limits and TRUSTED_PROXIES=1.
- `TLSProxy` is the one trusted hop, doing what docs/deploy.md's nginx does: it terminates TLS
  (a throwaway certificate made with openssl) and passes each request on with
  `X-Forwarded-For: <the peer's address>` (any such header the client sent is replaced) and
  `X-Forwarded-Proto: https`.
- `Network` stands for one person's connection: a forward proxy that Chromium is told to use,
  which opens every connection to the TLS proxy from its own loopback address (127.0.0.2,
  127.0.0.3, ...), so each person really arrives from a different address.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from abc import ABC, abstractmethod
from pathlib import Path

from tests.load.proxy import pump
from tests.security.test_shared_limits import Served

ROOT = Path(__file__).resolve().parents[2]
HOST = "grievance.test"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for grievance.test (openssl), valid for a day."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(  # noqa: S603
        [
            shutil.which("openssl") or "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            f"/CN={HOST}",
            "-addext",
            f"subjectAltName=DNS:{HOST}",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


class _Listener(ABC):
    """A loopback listener that hands each accepted connection to `_serve` on its own thread."""

    def __init__(self) -> None:
        self.port = free_port()
        self._sock: socket.socket | None = None

    def start(self):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self._sock = sock
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _accept(self) -> None:
        while self._sock is not None:
            try:
                client, peer = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client, peer), daemon=True).start()

    @abstractmethod
    def _serve(self, client: socket.socket, peer) -> None:
        """Handle one accepted connection (the TLS proxy, the network that adds client addresses)."""


class TLSProxy(_Listener):
    """HTTPS on 127.0.0.1:<port> → gunicorn, one request per connection, X-Forwarded-* set like nginx."""

    HOP_HEADERS = {b"x-forwarded-for", b"x-forwarded-proto", b"x-forwarded-host", b"connection", b"keep-alive"}

    def __init__(self, upstream_port: int, cert: Path, key: Path) -> None:
        super().__init__()
        self.upstream_port = upstream_port
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert, key)
        self.context.set_alpn_protocols(["http/1.1"])
        self.peers: list[str] = []

    def _serve(self, raw: socket.socket, peer) -> None:
        try:
            client = self.context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        try:
            head, body = self._read_request(client)
            if head is None:
                return
            self.peers.append(peer[0])
            lines = head.split(b"\r\n")
            kept = [
                line for line in lines[1:] if line and line.split(b":", 1)[0].strip().lower() not in self.HOP_HEADERS
            ]
            forwarded = [
                lines[0],
                *kept,
                b"X-Forwarded-For: " + peer[0].encode(),
                b"X-Forwarded-Proto: https",
                b"Connection: close",
            ]
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=60)
            upstream.sendall(b"\r\n".join(forwarded) + b"\r\n\r\n" + body)
            pump(upstream, client)
        except OSError:
            pass
        finally:
            client.close()

    @staticmethod
    def _read_request(client) -> tuple[bytes | None, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = client.recv(65536)
            if not chunk:
                return None, b""
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value.strip())
        while len(body) < length:
            chunk = client.recv(65536)
            if not chunk:
                break
            body += chunk
        return head, body


class Network(_Listener):
    """One person's connection: an HTTP CONNECT proxy whose every connection leaves from `source`."""

    def __init__(self, source: str, target_port: int) -> None:
        super().__init__()
        self.source = source
        self.target_port = target_port

    @property
    def server(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self, client: socket.socket, peer) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = client.recv(4096)
                if not chunk:
                    return
                request += chunk
            if not request.startswith(b"CONNECT "):
                client.sendall(b"HTTP/1.1 405 Method Not Allowed\r\nContent-Length: 0\r\n\r\n")
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port), source_address=(self.source, 0))
            client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            threading.Thread(target=pump, args=(client, upstream), daemon=True).start()
            pump(upstream, client)
        except OSError:
            pass
        finally:
            client.close()


class Production(Served):
    """The documented production deployment on a temporary folder: migrate, seed, accounts, gunicorn.

    Started and stopped as the shared-limits test's server is (gunicorn -c gunicorn.conf.py, two
    workers), but with the production environment and its database made by `flask db upgrade`.
    """

    def __init__(self, tmp_path: Path, redis_url: str, database_url: str) -> None:
        self.tmp = tmp_path
        self.port = free_port()
        self.log = tmp_path / "gunicorn.log"
        self.module = "wsgi:app"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("GRIEVANCE_", "RATELIMIT_", "TEST_DATABASE"))},
            "GRIEVANCE_ENV": "production",
            "SECRET_KEY": secrets.token_hex(32),
            "TRACKING_CODE_KEY": secrets.token_hex(32),
            "AUDIT_KEY": secrets.token_hex(32),
            "DATABASE_URL": database_url,
            "GRIEVANCE_INSTANCE": str(tmp_path / "instance"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
            "REPORTS_DIR": str(tmp_path / "reports"),
            "RATELIMIT_STORAGE_URI": redis_url,
            "RATELIMIT_KEY_PREFIX": f"prod-test-{secrets.token_hex(6)}",
            "TRUSTED_PROXIES": "1",
            "WEB_CONCURRENCY": "2",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "PYTHONPATH": str(ROOT),
        }
        self.process: subprocess.Popen | None = None

    def flask(self, *args: str, stdin: str | None = None) -> str:
        flask = Path(sys.executable).with_name("flask")
        result = subprocess.run(  # noqa: S603
            [str(flask), "--app", "wsgi", *args],
            cwd=ROOT,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise AssertionError(f"flask {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def create_user(self, email: str, password: str, role: str, *options: str) -> None:
        self.flask("users", "create", email, "--role", role, *options, stdin=password + "\n")
