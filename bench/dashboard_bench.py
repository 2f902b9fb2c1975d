"""Time the council dashboard at a database's size (SQLite).

    python bench/dashboard_bench.py                              # generate 20,000 cases over 13 months
    python bench/dashboard_bench.py --db /tmp/bench1m/bench.sqlite  # reuse a `make bench` database

Prints: the cost of computing one ended month and the current month from the cases (what
`flask dashboard refresh` or a view after a change pays), the whole dashboard with nothing
stored, and p50/p95 of the dashboard page (HTTP, logged in as the council) with stored figures:
last month, this month, last month for one fund. See grievance/oversight/snapshots.py.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _app(url: str):
    from bench.datagen import BENCH_AUDIT_KEY
    from config import DevelopmentConfig
    from grievance import create_app

    attrs = {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-only-secret-key-0123456789",
        "AUDIT_KEY": BENCH_AUDIT_KEY,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
    }
    return create_app(type("BenchConfig", (DevelopmentConfig,), attrs))


def _percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))]


def _time(fn, runs: int) -> tuple[float, list[float]]:
    cold = None
    warm = []
    for i in range(runs + 1):
        started = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - started
        if i == 0:
            cold = elapsed
        else:
            warm.append(elapsed)
    return cold, warm


def compute_seconds(month) -> float:
    """Seconds to compute one month's dashboard figures from the cases (in an app context)."""
    from grievance.oversight import figures

    started = time.perf_counter()
    figures.compute(
        figures.Period(month, month), figures.metrics._fund_codes(None), figures._clock(month.first_day(), month)
    )
    return time.perf_counter() - started


def measure(app, anchor: datetime, runs: int, client=None) -> list[tuple[str, str]]:
    """Figures of the council dashboard at the database's size: (label, value) rows.

    - compute one ended month and the current month from the cases (what a refresh costs);
    - the whole dashboard with nothing stored (a month and its 12-month trend computed);
    - then the dashboard as the council gets it (HTTP, stored figures), p50/p95 over `runs` rounds
      of: last month, this month, last month for one fund.
    """
    from grievance.extensions import db
    from grievance.oversight import figures, snapshots
    from grievance.reports.metrics import Month

    last = Month.containing(anchor).previous(1)
    this = Month.containing(anchor)
    out: list[tuple[str, str]] = []

    def note(label: str, value: str) -> None:
        out.append((label, value))
        print(f"   {label}: {value}", flush=True)

    with app.app_context():
        db.create_all()  # a database generated before the figure store existed gets its tables
        for label, month in (("compute one ended month (refresh cost)", last), ("compute the current month", this)):
            note(label, f"{compute_seconds(month):.2f} s")
        snapshots.forget_all()
        started = time.perf_counter()
        figures.dashboard(figures.Period(last, last))
        note("dashboard with nothing stored (12 months computed)", f"{time.perf_counter() - started:.1f} s")
        figures.dashboard(figures.Period(this, this))  # what `flask dashboard refresh` (cron) keeps stored
        db.session.remove()
    if client is not None:
        calls = [
            f"/oversight/?from={last}&to={last}",
            f"/oversight/?from={this}&to={this}",
            f"/oversight/?from={last}&to={last}&fund=NSSF",
        ]
        samples = []
        for _ in range(runs):
            for path in calls:
                started = time.perf_counter()
                response = client.get(path)
                samples.append(time.perf_counter() - started)
                if response.status_code != 200:
                    raise RuntimeError(f"GET {path}: {response.status_code}")
        note(
            "dashboard page, stored figures p50/p95",
            f"{statistics.median(samples) * 1000:.0f} / {_percentile(samples, 95) * 1000:.0f} ms",
        )
    return out


def _council_client(app):
    from sqlalchemy import select

    from grievance.auth.service import create_user
    from grievance.extensions import db
    from grievance.models import User

    email, password = "council-dash@bench.kh", "bench-password-2026"
    with app.app_context():
        if db.session.execute(select(User).where(User.email == email)).scalar_one_or_none() is None:
            create_user(email, password, "oversight", name="council")
            db.session.commit()
        db.session.remove()
    client = app.test_client()
    client.post("/auth/login", data={"email": email, "password": password})
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--db", type=Path, help="an existing bench SQLite file (with its *-meta.json beside it)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as folder:
        if args.db:
            import json

            meta = next(args.db.parent.glob("*meta.json"), None)
            anchor = (
                datetime.fromisoformat(json.loads(meta.read_text())["anchor"]) if meta else datetime.now(timezone.utc)
            )
            app = _app(f"sqlite:///{args.db}")
        else:
            from bench.datagen import generate

            anchor = datetime.now(timezone.utc).replace(microsecond=0)
            app = _app(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
            started = time.perf_counter()
            generate(app, cases=args.cases, months=args.months, anchor=anchor)
            print(f"generated {args.cases:,} cases over {args.months} months in {time.perf_counter() - started:.1f} s")
        rows = measure(app, anchor, args.runs, _council_client(app))
        width = max(len(label) for label, _ in rows)
        for label, value in rows:
            print(f"{label:<{width}}  {value}")
        print(f"load average {open('/proc/loadavg').read().split()[:3]} ({os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
