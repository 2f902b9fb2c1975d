"""The officer queue alone, on an existing database (e.g. one kept by `bench/run.py --work DIR`):

    python bench/queue_bench.py --url sqlite:////tmp/queue1m/bench.sqlite --repeat 70

Logs in as an NSAF officer (created if missing) and times the bench's seven queue filters
(the same list as `bench/run.py`) with the Flask test client: p50/p95 over all requests, the
median per filter, and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRIEVANCE_ENV", "development")

from bench.run import PASSWORD, TARGETS, _app, _percentiles, load_average  # noqa: E402

FILTERS = [
    "?status=open",
    "?status=open&sla_state=breached",
    "?status=open&province=12",
    "?status=open&category=NSAF-CT-MISSING",
    "?status=open&assignee=unassigned&sla_state=at_risk",
    "?status=all&province=03",
    "?status=in_progress",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a generated bench database")
    parser.add_argument("--repeat", type=int, default=70, help="timed requests (spread over the filters)")
    args = parser.parse_args()

    from sqlalchemy import select

    from grievance.auth.service import create_user
    from grievance.extensions import db
    from grievance.models import User

    app = _app(args.url)
    with app.app_context():
        if db.session.execute(select(User).where(User.email == "officer@bench.kh")).scalar_one_or_none() is None:
            create_user("officer@bench.kh", PASSWORD, "officer", name="officer", fund_code="NSAF")
            db.session.commit()
        db.session.remove()

    client = app.test_client()
    client.post("/auth/login", data={"email": "officer@bench.kh", "password": PASSWORD})
    print(f"load average before: {load_average()}", flush=True)
    for f in FILTERS:  # warm-up: templates compiled, caches and pages filled
        response = client.get("/cases/" + f)
        if response.status_code != 200:
            raise SystemExit(f"{f}: {response.status_code}")
    samples: list[float] = []
    per_filter: dict[str, list[float]] = {f: [] for f in FILTERS}
    for i in range(args.repeat):
        f = FILTERS[i % len(FILTERS)]
        started = time.perf_counter()
        response = client.get("/cases/" + f)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{f}: {response.status_code}")
        samples.append(elapsed)
        per_filter[f].append(elapsed)
    for f, times in per_filter.items():
        print(f"  {f:55s} median {statistics.median(times) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms")
    p50, p95 = _percentiles(samples)
    verdict = "met" if p95 <= TARGETS["queue"] else "MISSED"
    print(
        f"officer queue with filters: p50 {p50 * 1000:.1f} ms / p95 {p95 * 1000:.1f} ms (target p95 ≤ 50 ms: {verdict})"
    )
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
