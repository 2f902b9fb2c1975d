"""Driving the real app over loopback: a gunicorn subprocess, HTTP clients, bounded load.

Shared by bench/run.py (throughput) and tests/load/ (proof under load). Standard library only:
http.client with keep-alive and a small cookie jar, threads for concurrency, everything bound
to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
REFERENCE = re.compile(r"GRV-\d{4}-\d{6}")
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FORM_TOKEN = re.compile(r'name="form_token" type="hidden" value="([^"]+)"')
DESCRIPTION = "ខ្ញុំមិនទាន់បានទទួលប្រាក់ឧបត្ថម្ភសម្រាប់កូនតូចរបស់ខ្ញុំ អស់រយៈពេលបីខែហើយ។ សូមជួយពិនិត្យផង។"


def issue_relay_key(app, organisation: str = "Bench relay platform") -> str:
    """A relay key (printed once, as `flask apikeys create` does) for an organisation, made if new."""
    from sqlalchemy import select

    from grievance.api import keys
    from grievance.extensions import db
    from grievance.models import Organisation

    with app.app_context():
        platform = db.session.execute(select(Organisation).where(Organisation.name == organisation)).scalar()
        if platform is None:
            platform = Organisation(name=organisation)
            db.session.add(platform)
            db.session.flush()
        key, _row = keys.issue(platform, "relay")
        db.session.commit()
        db.session.remove()
    return key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class Gunicorn:
    """`gunicorn -c gunicorn.conf.py MODULE` on 127.0.0.1:<free port>, as a context manager."""

    def __init__(self, module: str, env: dict[str, str], workers: int = 4, log: Path | None = None) -> None:
        self.port = free_port()
        self.module = module
        self.workers = workers
        self.env = {
            **os.environ,
            **env,
            "WEB_CONCURRENCY": str(workers),
            "GUNICORN_BIND": f"{HOST}:{self.port}",
            "PYTHONPATH": str(ROOT),
        }
        self.log = log
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Gunicorn:
        out = open(self.log, "ab") if self.log else subprocess.DEVNULL  # noqa: SIM115 - closed in __exit__
        self._out = out
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), self.module],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode} (log: {self.log})")
            if len(self.worker_pids()) >= self.workers:
                try:
                    status, _body, _h = Client(self.port).request("GET", "/healthz")
                    if status in (200, 503):
                        return
                except OSError:
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not become ready")

    def worker_pids(self) -> list[int]:
        """The master's children, read from /proc (Linux)."""
        pids = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if self.process and ppid == self.process.pid:
                pids.append(int(entry.name))
        return pids

    def worker_cpu_seconds(self) -> float:
        """CPU time (user + system) the live workers have used so far, from /proc (Linux).

        On a shared machine throughput follows whatever CPU share the server gets; CPU per
        request does not, so the bench reports it next to the rates.
        """
        ticks = 0
        for pid in self.worker_pids():
            try:
                fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *_exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._out is not subprocess.DEVNULL:
            self._out.close()


class Client:
    """One browser-like client: keep-alive connection and a cookie jar."""

    def __init__(self, port: int, timeout: float = 30) -> None:
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # A kept-alive connection closed by the server (worker recycled): only retry when
                # nothing can have been processed, i.e. the request never reached a worker.
                self.close()
                if attempt == 2 or method != "GET":
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _eq, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, data, dict(response.getheaders())

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


@dataclass
class Outcome:
    """What one submission attempt gave: HTTP status, and the reference if acknowledged."""

    kind: str
    status: int
    reference: str | None = None
    seconds: float = 0.0
    error: str | None = None


def submit_form(client: Client, province: str = "12") -> Outcome:
    """GET the form (CSRF token + one-time form token), POST it; the receipt names the reference."""
    started = time.perf_counter()
    status, page, _h = client.request("GET", "/")
    if status != 200:
        return Outcome("form", status, seconds=time.perf_counter() - started)
    text = page.decode("utf-8")
    csrf, token = CSRF.search(text), FORM_TOKEN.search(text)
    data = {
        "category": "NSAF-CT-MISSING",
        "description": DESCRIPTION,
        "identity_mode": "anonymous",
        "province": province,
        "website": "",
        "form_token": token.group(1) if token else "",
    }
    if csrf:
        data["csrf_token"] = csrf.group(1)
    body = urllib.parse.urlencode(data).encode()
    status, page, _h = client.request(
        "POST", "/", body, {"Content-Type": "application/x-www-form-urlencoded", "Accept-Language": "km"}
    )
    found = REFERENCE.search(page.decode("utf-8", "replace")) if status == 200 else None
    return Outcome("form", status, found.group(0) if found else None, time.perf_counter() - started)


def submit_api(client: Client) -> Outcome:
    """POST /open311/v2/requests.json; a 201 carries the service_request_id."""
    started = time.perf_counter()
    body = json.dumps(
        {"service_code": "NSSF-INFORMAL", "description": "Lost my membership after paying", "attribute": {}}
    ).encode()
    status, data, _h = client.request("POST", "/open311/v2/requests.json", body, {"Content-Type": "application/json"})
    reference = None
    if status == 201:
        reference = json.loads(data)[0]["service_request_id"]
    return Outcome("api", status, reference, time.perf_counter() - started)


def submit_relay(client: Client, api_key: str) -> Outcome:
    """POST /open311/v2/requests.xml as a FixMyStreet installation relays a report (relay key, form body)."""
    started = time.perf_counter()
    report = uuid.uuid4().hex[:12]  # each report its own: a platform's resend would be a replay
    body = urllib.parse.urlencode(
        {
            "api_key": api_key,
            "jurisdiction_id": "grievance.gov.kh",
            "service_code": "NSSF-INFORMAL",
            "description": f"Lost my membership after paying\n\nhttps://fms.example.kh/report/{report}\n",
            "first_name": "Sok",
            "last_name": "Chan",
            "email": "sok.chan@example.org",
            "lat": "11.5564",
            "long": "104.9282",
            "media_url": f"https://fms.example.kh/photo/{report}.jpeg",
            "attribute[external_id]": report,
        }
    ).encode()
    status, data, _h = client.request(
        "POST", "/open311/v2/requests.xml", body, {"Content-Type": "application/x-www-form-urlencoded"}
    )
    found = REFERENCE.search(data.decode("utf-8", "replace")) if status == 201 else None
    return Outcome("relay", status, found.group(0) if found else None, time.perf_counter() - started)


def submit_minimal(client: Client) -> Outcome:
    started = time.perf_counter()
    status, data, _h = client.request("POST", "/submit", b"description=bench", {"Content-Type": "text/plain"})
    return Outcome("minimal", status, data.decode() if status == 201 else None, time.perf_counter() - started)


@dataclass
class LoadResult:
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0

    def ok(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.reference]

    def rate(self) -> float:
        return len(self.ok()) / self.seconds if self.seconds else 0.0

    def latency(self, pct: float) -> float:
        times = sorted(o.seconds for o in self.ok())
        return times[min(len(times) - 1, int(len(times) * pct))] if times else float("nan")


def run_load(port: int, actions, clients: int, *, seconds: float | None = None, each: int | None = None) -> LoadResult:
    """`clients` threads, each with its own Client, calling actions[i % len] until time or count runs out."""
    result = LoadResult()
    lock = threading.Lock()
    start_gate = threading.Barrier(clients + 1)
    stop_at: list[float] = [0.0]

    def worker(n: int) -> None:
        client = Client(port)
        action = actions[n % len(actions)]
        start_gate.wait()
        done = 0
        while (each is None or done < each) and (seconds is None or time.perf_counter() < stop_at[0]):
            try:
                outcome = action(client)
            except (OSError, http.client.HTTPException) as exc:
                outcome = Outcome(getattr(action, "__name__", "?"), 0, error=type(exc).__name__)
                client.close()
            with lock:
                result.outcomes.append(outcome)
            done += 1
        client.close()

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(clients)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    stop_at[0] = started + (seconds or 1e9)
    start_gate.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
