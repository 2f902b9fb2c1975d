"""Rate limits hold across gunicorn workers (Redis storage), and production refuses per-worker counters.

Starts gunicorn with the project's gunicorn.conf.py and two workers on 127.0.0.1 (a free port, a
temporary SQLite database). Redis comes from REDIS_URL (exported by .ci/run), else a server on
127.0.0.1:6379; without either the Redis tests are skipped with a message saying so.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine

from config import ProductionConfig, check_limiter_storage
from grievance.auth.throttle import FREE_FAILURES
from grievance.extensions import db
from tests.envguard import need

ROOT = Path(__file__).resolve().parents[2]
LOGIN_FORM = {"email": "target@example.org", "password": "a long wrong password"}


def _redis_url() -> str | None:
    url = os.environ.get("REDIS_URL")
    if url:
        return url
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return "redis://127.0.0.1:6379/0"
    except OSError:
        pass
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """gunicorn -c gunicorn.conf.py MODULE on 127.0.0.1:<free port>, output in a log file."""

    def __init__(self, tmp_path: Path, env: dict[str, str], module: str = "tests.security.served_app:app") -> None:
        self.port = _free_port()
        self.log = tmp_path / "gunicorn.log"
        database = f"sqlite:///{tmp_path / 'served.sqlite'}"
        engine = create_engine(database)
        db.metadata.create_all(engine)
        engine.dispose()
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("GRIEVANCE_WORKERS", "TEST_DATABASE_URL")},
            "DATABASE_URL": database,
            "WEB_CONCURRENCY": "2",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "PYTHONPATH": str(ROOT),
            **env,
        }
        self.module = module
        self.process: subprocess.Popen | None = None

    def start(self, wait: bool = True) -> Served:
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.module],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        if wait:
            self._wait_ready()
        return self

    def _wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.log.read_text()}")
            try:
                if self.request("GET", "/healthz")[0] == 200 and self.log.read_text().count("Booting worker") >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"gunicorn did not become ready:\n{self.log.read_text()}")

    def request(self, method: str, path: str, form: dict | None = None, source: str = "127.0.0.1"):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30, source_address=(source, 0))
        try:
            body = urlencode(form).encode() if form is not None else None
            headers = {"Content-Type": "application/x-www-form-urlencoded"} if body is not None else {}
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status, response.getheader("X-Worker")
        finally:
            conn.close()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _burst(server: Served, count: int, form_for, source_for) -> list[tuple[int, str]]:
    """`count` login POSTs released at the same instant from threads."""
    barrier = threading.Barrier(count)
    results: list[tuple[int, str]] = [None] * count

    def one(i: int) -> None:
        barrier.wait()
        results[i] = server.request("POST", "/auth/login", form_for(i), source_for(i))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.fixture()
def redis_served(tmp_path):
    url = _redis_url()
    need(url is not None, "no Redis: REDIS_URL is unset and nothing answers on 127.0.0.1:6379 (CI starts one)")
    server = Served(tmp_path, {"RATELIMIT_STORAGE_URI": url, "RATELIMIT_KEY_PREFIX": f"t{uuid.uuid4().hex}"}).start()
    yield server
    server.stop()


@pytest.mark.slow
def test_the_login_delay_per_account_holds_across_two_workers(redis_served):
    # Each request from its own loopback address, so only the account's delay applies: after
    # FREE_FAILURES wrong passwords the next try must wait, whichever worker answers it.
    results = _burst(redis_served, 20, lambda i: LOGIN_FORM, lambda i: f"127.0.0.{i + 2}")
    answered = sum(status == 200 for status, _ in results)
    # Per-worker counters would let each worker answer FREE_FAILURES (10 or more in all); a
    # failure racing another at the same instant may let one more through per worker.
    assert FREE_FAILURES <= answered <= FREE_FAILURES + 2, f"{answered} answered: {Counter(s for s, _ in results)}"
    assert all(status in (200, 429) for status, _ in results), results
    workers = {worker for _, worker in results}
    assert len(workers) == 2, f"both workers must have served the burst: {workers}"
    # The next ones are told to wait, whichever worker answers.
    later = [redis_served.request("POST", "/auth/login", LOGIN_FORM, f"127.0.0.{30 + i}") for i in range(6)]
    assert [status for status, _ in later] == [429] * 6


@pytest.mark.slow
def test_the_login_limit_per_address_holds_across_two_workers_and_the_log_keeps_no_address(redis_served):
    results = _burst(
        redis_served,
        16,
        lambda i: {"email": f"person{i}@example.org", "password": "a long wrong password"},
        lambda i: "127.0.0.77",
    )
    assert Counter(status for status, _ in results) == {200: 10, 429: 6}
    assert len({worker for _, worker in results}) == 2
    redis_served.request("GET", "/track?code=ABCD-EFGH-JKMN-PQRS", source="127.0.0.77")
    redis_served.stop()
    log = redis_served.log.read_text()
    assert "POST /auth/login 429" in log, "the access log should record the refusals"
    assert "127.0.0.77" not in log, "the access log recorded a client address"
    assert "ABCD-EFGH" not in log, "the access log recorded a query string"


@pytest.mark.slow
def test_per_worker_memory_counters_would_multiply_the_limit(tmp_path):
    """Why production refuses memory:// with several workers: here two workers let more than 10 through."""
    server = Served(tmp_path, {"RATELIMIT_STORAGE_URI": "memory://"}).start()
    try:
        results = _burst(server, 20, lambda i: LOGIN_FORM, lambda i: f"127.0.0.{i + 2}")
    finally:
        server.stop()
    assert len({worker for _, worker in results}) == 2
    assert sum(status == 200 for status, _ in results) > FREE_FAILURES + 2


@pytest.mark.slow
def test_production_gunicorn_refuses_memory_storage_with_two_workers(tmp_path):
    server = Served(
        tmp_path,
        {
            "GRIEVANCE_ENV": "production",
            "SECRET_KEY": uuid.uuid4().hex * 2,
            "AUDIT_KEY": uuid.uuid4().hex * 2,
            "RATELIMIT_STORAGE_URI": "memory://",
        },
        module="wsgi:app",
    ).start(wait=False)
    try:
        server.process.wait(timeout=90)
    except subprocess.TimeoutExpired:
        server.stop()
        pytest.fail("gunicorn kept running with memory:// rate limits and two workers")
    assert server.process.returncode != 0
    assert "RATELIMIT_STORAGE_URI is memory://" in server.log.read_text()


class _Limited(ProductionConfig):
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"


def test_production_validation_refuses_memory_storage_for_several_workers(monkeypatch, caplog):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AUDIT_KEY", "a" * 40)
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.setenv("GRIEVANCE_WORKERS", "4")
    with pytest.raises(RuntimeError, match="redis://"):
        _Limited.validate()
    monkeypatch.setenv("GRIEVANCE_WORKERS", "1")
    _Limited.validate()  # one worker: allowed, with a warning
    assert "single worker" in caplog.text
    check_limiter_storage(type("Shared", (_Limited,), {"RATELIMIT_STORAGE_URI": "redis://r:6379/0"}), 8)
    check_limiter_storage(type("Off", (_Limited,), {"RATELIMIT_ENABLED": False}), 8)
