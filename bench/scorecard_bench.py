"""Time the monthly scorecard on a large synthetic database.

    python bench/scorecard_bench.py --cases 20000 --month-share 0.5

Generates cases and their events with bulk inserts into a temporary SQLite file (the events
carry a valid hash chain: it is cheap), then builds the scorecard of the target month in a
fresh process, so that its wall time and peak RSS (resource.getrusage) are the build's own.
The eventual target is ~100,000 cases in the month out of a larger database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONTH = "2026-10"
UTC = timezone.utc


def _use_database(db_path: Path) -> None:
    """Point the app at the bench database; must run before anything imports config."""
    if "config" in sys.modules:
        sys.exit("bench: config was imported before the bench database was chosen")
    os.environ["DATABASE_URL"] = f"sqlite:///{db_path}"
    os.environ["GRIEVANCE_INSTANCE"] = str(db_path.parent)
    os.environ["GRIEVANCE_ENV"] = "development"


def _app(db_path: Path):
    from grievance import create_app

    app = create_app()
    if app.config["SQLALCHEMY_DATABASE_URI"] != f"sqlite:///{db_path}":
        sys.exit(f"bench: refusing to write into {app.config['SQLALCHEMY_DATABASE_URI']}")
    return app


def generate(db_path: Path, n_cases: int, month_share: float, seed: int = 7) -> dict:
    """Bulk-insert n_cases (month_share of them in MONTH, the rest over the 5 months before)."""
    from sqlalchemy import insert, select

    app = _app(db_path)  # first: it checks the database is the bench's own
    from grievance.domain import audit as chain
    from grievance.extensions import db
    from grievance.models import Case, Category, ChainHead, Event, Fund
    from grievance.seed import seed_reference

    rng = random.Random(seed)
    with app.app_context():
        db.create_all()
        seed_reference()
        db.session.commit()
        categories = [(c.id, c.default_fund_id) for c in db.session.execute(select(Category)).scalars()]
        funds = {f.id: f.code for f in db.session.execute(select(Fund)).scalars()}
        fund_ids = list(funds)
        month_start = datetime(2026, 9, 30, 17, tzinfo=UTC)  # 1 October 00:00 in Phnom Penh
        in_month = int(n_cases * month_share)
        prev_hash, seq = chain.GENESIS, 0
        case_rows, event_rows = [], []
        started = time.perf_counter()

        def event(case_id, kind, at, payload, public=True):
            nonlocal prev_hash, seq
            seq += 1
            fields = {
                "seq": seq,
                "case_id": case_id,
                "kind": kind,
                "actor_id": None,
                "actor_label": "system" if kind == "sla_breach" else "staff",
                "at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "public": public,
                "payload": chain.canonical_json(payload),
            }
            digest = chain.chain_hash(prev_hash, fields)
            event_rows.append({**fields, "at": at, "prev_hash": prev_hash, "hash": digest})
            prev_hash = digest

        def flush():
            if case_rows:
                db.session.execute(insert(Case), case_rows)
                case_rows.clear()
            if event_rows:
                db.session.execute(insert(Event), event_rows)
                event_rows.clear()

        for i in range(1, n_cases + 1):
            if i <= in_month:
                received = month_start + timedelta(seconds=rng.uniform(0, 31 * 86400))
            else:
                received = month_start - timedelta(seconds=rng.uniform(0, 150 * 86400))
            naive = received.replace(tzinfo=None)
            category_id, fund_id = rng.choice(categories)
            ack_due = naive + timedelta(days=3)
            resolve_due = naive + timedelta(days=rng.choice((5, 21, 28, 42)))
            acked = naive + timedelta(hours=rng.uniform(1, 120)) if rng.random() < 0.9 else None
            resolved = naive + timedelta(days=rng.uniform(1, 50)) if acked and rng.random() < 0.75 else None
            transferred = rng.random() < 0.04
            to_fund = rng.choice([f for f in fund_ids if f != fund_id]) if transferred else fund_id
            row = {
                "id": i,
                "reference": f"GRV-{naive.year}-{i:06d}",
                "year": naive.year,
                "number": i,
                "tracking_hash": f"{i:064x}",
                "version": 1,
                "category_id": category_id,
                "fund_id": to_fund,
                "channel": "web",
                "status": "resolved" if resolved else ("acknowledged" if acked else "received"),
                "sla_state": "on_track",
                "identity_mode": "anonymous",
                "language": "km",
                "description": "bench",
                "province_code": f"{rng.randint(1, 25):02d}",
                "gender": rng.choice(("female", "male", None)),
                "disability": rng.random() < 0.1,
                "idpoor": rng.random() < 0.5,
                "informal_worker": rng.random() < 0.3,
                "indigenous": rng.random() < 0.05,
                "people_affected": 1,
                "received_at": naive,
                "acknowledged_at": acked,
                "first_resolved_at": resolved,
                "finished_at": resolved,
                "ack_due_at": ack_due,
                "ack_warn_at": ack_due - timedelta(hours=12),
                "resolve_due_at": resolve_due,
                "resolve_warn_at": resolve_due - timedelta(days=2),
                "ack_breached_at": ack_due if acked is None or acked > ack_due else None,
                "resolve_breached_at": resolve_due if resolved is None or resolved > resolve_due else None,
                "escalated_at": resolve_due + timedelta(days=7) if rng.random() < 0.05 else None,
                "reopen_count": 0,
                "transfer_count": int(transferred),
                "paused_seconds": 0,
                "extended_days": 0,
                "created_at": naive,
            }
            case_rows.append(row)
            event(i, "received", naive, {"fund": funds[fund_id], "reference": row["reference"]})
            if acked:
                event(i, "acknowledge", acked, {"message": "ok"})
            if transferred:
                moved = {"from_fund": funds[fund_id], "to_fund": funds[to_fund]}
                event(i, "transfer", naive + timedelta(days=2), moved)
            if resolved:
                event(i, "resolve", resolved, {"outcome": "remedied", "message": "done"})
                if rng.random() < 0.4:
                    event(i, "feedback", resolved + timedelta(days=2), {"solved": rng.random() < 0.7})
            if i % 5000 == 0:
                flush()
        flush()
        db.session.add(ChainHead(id=1, seq=seq, hash=prev_hash))
        db.session.commit()
        return {"cases": n_cases, "in_month": in_month, "events": seq, "seconds": time.perf_counter() - started}


def build_only(db_path: Path, out_dir: Path) -> dict:
    """Runs in its own process: compute figures once, render both languages, report time and peak RSS."""
    from grievance.reports import metrics, service

    app = _app(db_path)
    timings = {}
    with app.app_context():
        key = service.fingerprint_key(app.config["SECRET_KEY"])
        month = metrics.Month.parse(MONTH)
        t0 = time.perf_counter()
        figures = metrics.month_figures(month)
        timings["figures_s"] = time.perf_counter() - t0
        for lang in service.LANGS:
            t1 = time.perf_counter()
            pdf = service.render_scorecard(figures, lang, key=key)
            timings[f"render_{lang}_s"] = time.perf_counter() - t1
            (out_dir / f"scorecard-ALL-{lang}.pdf").write_bytes(pdf)
            timings[f"pdf_{lang}_bytes"] = len(pdf)
        timings["total_s"] = time.perf_counter() - t0
        timings["flagged_cases"] = len(figures["flagged_cases"])
        timings["received_in_month"] = figures["total"]["received"]
    usage = resource.getrusage(resource.RUSAGE_SELF)
    timings["peak_rss_mb"] = usage.ru_maxrss / 1024
    timings["cpu_s"] = usage.ru_utime + usage.ru_stime
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=20000, help="cases in the whole database")
    parser.add_argument("--month-share", type=float, default=0.5, help="share of the cases received in the month")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database and PDFs)")
    parser.add_argument("--_build", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._build:
        db_path = Path(args._build)
        _use_database(db_path)
        print(json.dumps(build_only(db_path, db_path.parent)))
        return

    work = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    db_path = work / "bench.sqlite"
    _use_database(db_path)
    made = generate(db_path, args.cases, args.month_share)
    gen_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    child = subprocess.run(
        [sys.executable, __file__, "--_build", str(db_path)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if child.returncode != 0:
        sys.exit(f"build failed:\n{child.stderr[-3000:]}")
    result = json.loads(child.stdout.strip().splitlines()[-1])
    rows = [
        ("cases in database", f"{made['cases']:,}"),
        (f"cases received in {MONTH}", f"{result['received_in_month']:,}"),
        ("events (hash-chained)", f"{made['events']:,}"),
        ("generate + insert", f"{made['seconds']:.1f} s (peak RSS {gen_rss:.0f} MB)"),
        ("figures (SQL + working days)", f"{result['figures_s']:.1f} s"),
        ("render PDF, Khmer", f"{result['render_km_s']:.1f} s, {result['pdf_km_bytes'] / 1024:.0f} KiB"),
        ("render PDF, English", f"{result['render_en_s']:.1f} s, {result['pdf_en_bytes'] / 1024:.0f} KiB"),
        ("build total (both languages)", f"{result['total_s']:.1f} s wall, {result['cpu_s']:.1f} s CPU (process)"),
        ("build peak RSS", f"{result['peak_rss_mb']:.0f} MB"),
        ("breached/escalated cases listed", f"{result['flagged_cases']:,}"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.keep:
        print(f"kept: {work}")
    else:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
