"""Time the council dashboard's figures for one month on a synthetic SQLite database.

    python bench/dashboard_bench.py                      # 20,000 cases over 13 months
    python bench/dashboard_bench.py --cases 100000 --runs 7

Bulk-generates cases and their audit events into a temporary SQLite file (bench/datagen.py,
rows straight through the driver), then times, in this process:
- the whole dashboard of the last full month (per fund, provinces, groups, 12-month trend);
- the list behind one figure ("cases with a breach, NSSF");
- the public transparency rows of that month;
and prints p50 / p95 wall time over --runs runs (the first run is reported apart as a cold run).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _app(url: str):
    from config import DevelopmentConfig
    from grievance import create_app

    attrs = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only-secret-key-0123456789"}
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--months", type=int, default=13)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from bench.datagen import generate

    anchor = datetime.now(timezone.utc).replace(microsecond=0)
    with tempfile.TemporaryDirectory(prefix="dashboard-bench-") as folder:
        app = _app(f"sqlite:///{Path(folder) / 'bench.sqlite'}")
        started = time.perf_counter()
        generate(app, cases=args.cases, months=args.months, anchor=anchor)
        print(f"generated {args.cases:,} cases over {args.months} months in {time.perf_counter() - started:.1f} s")

        from grievance.oversight import figures
        from grievance.reports.metrics import Month
        from grievance.transparency import service as transparency

        month = Month.containing(anchor - timedelta(days=31))
        period = figures.Period(month, month)
        with app.app_context():
            rows = [
                ("dashboard (all funds, 12-month trend)", lambda: figures.dashboard(period)),
                ("dashboard, one fund", lambda: figures.dashboard(period, "NSSF")),
                ("list: breached, NSSF", lambda: figures.case_ids(figures.Drill("breached_cases", period, "NSSF"))),
                ("transparency month", lambda: transparency.month_rows([month])),
            ]
            data = figures.dashboard(period)
            print(f"month {month}: received {data['total']['received']:,}, open {data['total']['backlog_total']:,}")
            print(f"{'query':<40} {'cold s':>8} {'p50 s':>8} {'p95 s':>8}")
            for label, fn in rows:
                cold, warm = _time(fn, args.runs)
                print(f"{label:<40} {cold:8.3f} {statistics.median(warm):8.3f} {_percentile(warm, 95):8.3f}")


if __name__ == "__main__":
    main()
