"""Time the monthly scorecard on a large synthetic database.

    python bench/scorecard_bench.py                                  # 1,000,000 cases, 100,000 in 2026-10
    python bench/scorecard_bench.py --cases 200000 --in-month 50000
    python bench/scorecard_bench.py --database-url postgresql+psycopg://u:p@127.0.0.1/benchdb
    python bench/scorecard_bench.py --reuse /tmp/scorecard-bench-xyz/bench.sqlite   # skip generation

Generates the cases and their events with bulk inserts straight through the driver
(executemany on SQLite in a temporary folder, COPY on PostgreSQL; secondary indexes built
after the load, then ANALYZE). The target month gets `--in-month` cases, the rest are spread
over the `--history` months before it; some are transferred, extended (requested and
approved or refused), reopened, answered with feedback, breached and escalated, and they
arrive by every channel, a share of them at a single-window office.

Then it builds the all-funds scorecard of the month in a fresh process, the way
`flask scorecard build` does (figures once, both languages), so that wall time, CPU time and
peak RSS (resource.getrusage) are the build's own, and prints one table.

The events' hashes are unique placeholders unless `--chain` is given (a real keyed chain, HMAC
under the app's AUDIT_KEY, costs about 25 µs an event in Python): building a scorecard only reads
the head of its month; `scorecard verify` walks the chain up to it and needs `--chain`. Events
carry no case digests (the case rows are not verified here; `flask audit verify` needs bench/run.py).
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
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONTH = "2026-10"
UTC = timezone.utc
TZ = ZoneInfo("Asia/Phnom_Penh")
MONTH_START = datetime(2026, 10, 1, tzinfo=TZ).astimezone(UTC).replace(tzinfo=None)
MONTH_END = datetime(2026, 11, 1, tzinfo=TZ).astimezone(UTC).replace(tzinfo=None)
ANCHOR = MONTH_END + timedelta(days=9)  # "now" for the generated data: ten days into November
BATCH = 20_000
CHANNELS = (("web", 0.45), ("api", 0.08), ("assisted", 0.1), ("in_person", 0.27), ("phone", 0.1))

CASE_COLUMNS = (
    "id reference year number tracking_hash version category_id fund_id channel status sla_state identity_mode "
    "language description province_code gender disability idpoor informal_worker indigenous people_affected "
    "intake_office_id received_at acknowledged_at first_resolved_at finished_at last_public_at outcome "
    "reopen_count transfer_count ack_due_at ack_warn_at resolve_due_at resolve_warn_at loop_due_at paused_seconds "
    "ack_breached_at resolve_breached_at loop_breached_at escalate_at escalated_at extended_days created_at"
).split()
EVENT_COLUMNS = ("seq", "case_id", "kind", "actor_id", "actor_label", "at", "public", "payload", "prev_hash", "hash")


def _configure(database_url: str, instance: Path) -> None:
    """Point the app at the bench database; must run before anything imports config."""
    if "config" in sys.modules:
        sys.exit("bench: config was imported before the bench database was chosen")
    os.environ["DATABASE_URL"] = database_url
    os.environ["GRIEVANCE_INSTANCE"] = str(instance)
    os.environ["GRIEVANCE_ENV"] = "development"


def _app(database_url: str):
    from grievance import create_app

    app = create_app()
    if app.config["SQLALCHEMY_DATABASE_URI"] != database_url:
        sys.exit(f"bench: refusing to write into {app.config['SQLALCHEMY_DATABASE_URI']}")
    return app


class _Writer:
    """Rows straight through the driver: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine) -> None:
        self.pg = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        if not self.pg:
            import sqlite3

            # SQLAlchemy's own text form of a DATETIME on SQLite.
            sqlite3.register_adapter(datetime, lambda d: d.isoformat(" ", "microseconds"))
            self.cursor.execute("PRAGMA synchronous=OFF")
            self.cursor.execute("PRAGMA journal_mode=OFF")
            self.cursor.execute("BEGIN")

    def write(self, table: str, columns, rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pg:
            with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)  # noqa: S608

    def commit(self) -> None:
        if self.pg:
            self.raw.commit()
        else:
            self.cursor.execute("COMMIT")
            self.cursor.execute("BEGIN")

    def close(self) -> None:
        if self.pg:
            self.raw.commit()
        else:
            self.cursor.execute("COMMIT")
            self.cursor.execute("PRAGMA journal_mode=DELETE")
        self.cursor.close()
        self.raw.close()


def generate(database_url: str, n_cases: int, in_month: int, history: int, chain: bool, seed: int = 7) -> dict:
    """Create the schema and load the cases and events; returns counts and timings."""
    from sqlalchemy import select, text

    app = _app(database_url)
    from grievance.domain import audit as audit_chain
    from grievance.extensions import db
    from grievance.geo import province_name
    from grievance.models import Category, Fund, Office
    from grievance.seed import seed_reference
    from grievance.services import reference

    rng = random.Random(seed)
    started = time.perf_counter()
    with app.app_context():
        from grievance.security import audit_keys

        chain_key = audit_keys().chain
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        db.metadata.create_all(engine)
        indexes = [ix for table in db.metadata.sorted_tables for ix in table.indexes]
        with engine.begin() as conn:
            for ix in indexes:
                ix.drop(conn, checkfirst=True)
        seed_reference()
        # One single-window office per province besides the seeded ones.
        for n in range(1, 26):
            code = f"{n:02d}"
            db.session.add(
                Office(
                    level="district",
                    province_code=code,
                    district_code=f"{code}01",
                    name_en=f"{province_name(code, 'en')} single-window office",
                    name_km=f"ការិយាល័យច្រកចេញចូលតែមួយ {province_name(code, 'km')}",
                )
            )
        db.session.commit()
        categories = db.session.execute(select(Category).where(Category.active.is_(True))).scalars().all()
        policies = {c.id: reference.policy_for(c) for c in categories}
        cat_info = [(c.id, c.default_fund_id) for c in categories]
        funds = {f.id: f.code for f in db.session.execute(select(Fund)).scalars()}
        handling = [f for f, code in funds.items() if code != "NSPC"]
        offices = list(db.session.execute(select(Office.id)).scalars())
        cal = reference.working_calendar()
        db.session.remove()

    due_cache: dict[tuple[date, int], datetime] = {}

    def due(received: datetime, days: int) -> datetime:
        local = received.replace(tzinfo=UTC).astimezone(TZ).date()
        found = due_cache.get((local, days))
        if found is None:
            noon = datetime(local.year, local.month, local.day, 12, tzinfo=TZ)
            found = due_cache[(local, days)] = cal.deadline(noon, days).replace(tzinfo=None)
        return found

    history_s = history * 30.44 * 86400
    month_s = (MONTH_END - MONTH_START).total_seconds()
    instants = sorted(
        [MONTH_START + timedelta(seconds=rng.uniform(0, month_s)) for _ in range(in_month)]
        + [MONTH_START - timedelta(seconds=rng.uniform(1, history_s)) for _ in range(n_cases - in_month)]
    )
    channel_names = [c for c, _ in CHANNELS]
    channel_weights = [w for _, w in CHANNELS]

    writer = _Writer(engine)
    case_rows: list[tuple] = []
    event_rows: list[tuple] = []
    seq = 0
    prev = audit_chain.GENESIS
    counters: dict[int, int] = {}
    kinds: dict[str, int] = {}

    def event(case_id: int, kind: str, at: datetime, payload: dict, public: bool, label: str) -> None:
        nonlocal seq, prev
        seq += 1
        kinds[kind] = kinds.get(kind, 0) + 1
        text_payload = audit_chain.canonical_json(payload)
        if chain:
            fields = {
                "seq": seq,
                "case_id": case_id,
                "kind": kind,
                "actor_id": None,
                "actor_label": label,
                "at": at.strftime("%Y-%m-%dT%H:%M:%S.%f"),
                "public": public,
                "payload": text_payload,
                "state": None,
            }
            digest = audit_chain.chain_hash(prev, fields, chain_key)
        else:
            digest = f"{seq:064x}"
        event_rows.append((seq, case_id, kind, None, label, at, public, text_payload, prev, digest))
        prev = digest

    def flush() -> None:
        writer.write("cases", CASE_COLUMNS, case_rows)
        writer.write("events", EVENT_COLUMNS, event_rows)
        case_rows.clear()
        event_rows.clear()
        writer.commit()

    day = timedelta(days=1)
    for i, received in enumerate(instants, start=1):
        category_id, first_fund = rng.choice(cat_info)
        policy = policies[category_id]
        ack_due = due(received, policy.ack_days)
        resolve_due = due(received, policy.resolve_days)
        channel = rng.choices(channel_names, channel_weights)[0]
        office = (
            rng.choice(offices) if channel == "in_person" or (channel == "assisted" and rng.random() < 0.5) else None
        )
        events: list[tuple] = [
            (received, "received", {"fund": funds[first_fund], "channel": channel}, True, "complainant")
        ]

        ack = None
        if rng.random() < 0.93:
            window = (ack_due - received).total_seconds()
            ack = received + timedelta(seconds=rng.uniform(600, window * (1.6 if rng.random() < 0.12 else 0.95)))
            if ack >= ANCHOR:
                ack = None
        if ack:
            events.append((ack, "acknowledge", {"message": "We have received your complaint."}, True, "staff"))

        fund = first_fund
        transfer_at = None
        if rng.random() < 0.04 and first_fund in handling:
            fund = rng.choice([f for f in handling if f != first_fund])
            transfer_at = received + timedelta(hours=rng.uniform(2, 120))
            if transfer_at >= ANCHOR:
                fund, transfer_at = first_fund, None

        finished = None
        if rng.random() < 0.96:
            span = (resolve_due - received).total_seconds()
            finished = received + timedelta(seconds=rng.uniform(0.1, 1.3) * span)
            if finished >= ANCHOR or (ack and finished <= ack):
                finished = None if finished >= ANCHOR else ack + timedelta(hours=1)
        if transfer_at and finished and transfer_at >= finished:
            fund, transfer_at = first_fund, None
        if transfer_at:
            moved = {"from_fund": funds[first_fund], "to_fund": funds[fund], "reason": "wrong fund"}
            events.append((transfer_at, "transfer", moved, True, "staff"))

        extended = 0
        if rng.random() < 0.06:
            asked = received + (resolve_due - received) * rng.uniform(0.3, 0.8)
            if asked < ANCHOR and (finished is None or asked < finished):
                events.append((asked, "request_extension", {"extra_days": 5, "reason": "site visit"}, False, "staff"))
                decided = asked + timedelta(hours=rng.uniform(2, 60))
                if decided < ANCHOR and (finished is None or decided < finished):
                    approved = rng.random() < 0.7
                    payload = {"approved": approved, "note": "ok" if approved else "no"}
                    if approved:
                        resolve_due = resolve_due + timedelta(days=7)
                        extended = 5
                        payload |= {"extra_days": 5, "resolve_due": resolve_due.isoformat()}
                    events.append((decided, "decide_extension", payload, False, "staff"))

        first_finished = finished
        last_finished = finished
        reopened = 0
        outcome = None
        status = "acknowledged" if ack else "received"
        if finished:
            kind = "reject" if rng.random() < 0.1 else "resolve"
            outcome = "not_upheld" if kind == "reject" else rng.choice(("remedied", "explained", "referred"))
            events.append((finished, kind, {"outcome": outcome, "message": "done"}, True, "staff"))
            status = "rejected" if kind == "reject" else "resolved"
            if rng.random() < 0.35:
                answered = finished + timedelta(days=rng.uniform(0.5, 6))
                if answered < ANCHOR:
                    events.append((answered, "feedback", {"solved": rng.random() < 0.72}, True, "complainant"))
            if rng.random() < 0.03:
                again = finished + timedelta(days=rng.uniform(1, 12))
                if again < ANCHOR:
                    events.append((again, "reopen", {"reason": "new evidence"}, True, "staff"))
                    reopened = 1
                    status = "reopened"
                    last_finished = None
                    second = again + timedelta(days=rng.uniform(2, 15))
                    if rng.random() < 0.6 and second < ANCHOR:
                        events.append((second, "resolve", {"outcome": "remedied", "message": "done"}, True, "staff"))
                        last_finished = second
                        status = "resolved"

        ack_breached = ack_due if ((ack is None and ack_due < ANCHOR) or (ack and ack > ack_due)) else None
        resolve_breached = None
        if (first_finished is None and resolve_due < ANCHOR) or (first_finished and first_finished > resolve_due):
            resolve_breached = resolve_due
        loop_due = loop_breached = None
        if ack and last_finished is None and status != "received":
            loop_due = ack + timedelta(days=14)
            if loop_due < ANCHOR and rng.random() < 0.3:
                loop_breached = loop_due
        for clock, moment in (
            ("acknowledge", ack_breached),
            ("resolve", resolve_breached),
            ("keep_in_loop", loop_breached),
        ):
            if moment:
                events.append((moment, "sla_breach", {"clock": clock, "due": moment.isoformat()}, False, "system"))
        first_breach = min((m for m in (ack_breached, resolve_breached, loop_breached) if m), default=None)
        escalate_at = escalated = None
        if first_breach and (first_finished is None or first_finished > first_breach + 7 * day):
            escalate_at = first_breach + 7 * day
            if escalate_at < ANCHOR and rng.random() < 0.6:
                escalated = escalate_at
                events.append((escalated, "escalated", {"due": first_breach.isoformat()}, True, "system"))
        sla_state = "escalated" if escalated else "breached" if first_breach else "on_track"

        year = received.year
        counters[year] = number = counters.get(year, 0) + 1
        last_public = max((e[0] for e in events if e[3]), default=received)
        case_rows.append(
            (
                i, f"GRV-{year}-{number:06d}", year, number, f"{i:064x}", 1, category_id, fund, channel, status,
                sla_state, "anonymous", "km", "bench complaint", f"{rng.randint(1, 25):02d}",
                rng.choice(("female", "male", None)), rng.random() < 0.1, rng.random() < 0.5, rng.random() < 0.3,
                rng.random() < 0.05, rng.choice((1, 1, 1, 2, 3)), office, received, ack, first_finished,
                last_finished, last_public, outcome, reopened, int(transfer_at is not None), ack_due,
                ack_due - timedelta(hours=12), resolve_due, resolve_due - 2 * day, loop_due, 0, ack_breached,
                resolve_breached, loop_breached, escalate_at, escalated, extended, received,
            )
        )  # fmt: skip
        events.sort(key=lambda e: e[0])
        for at, kind, payload, public, label in events:
            event(i, kind, at, payload, public, label)
        if len(event_rows) >= BATCH:
            flush()
    flush()
    writer.write("chain_head", ("id", "seq", "hash"), [(1, seq, prev)])
    writer.write("reference_counters", ("year", "last_number"), sorted(counters.items()))
    writer.close()
    loaded = time.perf_counter() - started

    t_index = time.perf_counter()
    with engine.begin() as conn:
        for ix in indexes:
            ix.create(conn)
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    return {
        "cases": n_cases,
        "in_month": in_month,
        "events": seq,
        "kinds": kinds,
        "load_s": loaded,
        "index_s": time.perf_counter() - t_index,
    }


def build_only(database_url: str, out_dir: Path, profile: Path | None) -> dict:
    """Runs in its own process: what `flask scorecard build --month MONTH` does, timed."""
    from grievance.reports import metrics, service

    app = _app(database_url)
    timings: dict = {}
    with app.app_context():
        key = service.fingerprint_key(app.config["SECRET_KEY"])
        month = metrics.Month.parse(MONTH)
        profiler = None
        if profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        t0 = time.perf_counter()
        written = service.write_scorecards(
            month, None, service.LANGS, key=key, out=out_dir, root=out_dir, timings=timings
        )
        timings["total_s"] = time.perf_counter() - t0
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile))
        figures = written[0][1].figures
        for _path, card in written:
            timings[f"pdf_{card.lang}_bytes"] = len(card.pdf)
        timings["flagged_cases"] = len(figures["flagged_cases"])
        timings["received_in_month"] = figures["total"]["received"]
        timings["digest"] = written[0][1].digest
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    timings["peak_rss_mb"] = own.ru_maxrss / 1024
    timings["children_peak_rss_mb"] = children.ru_maxrss / 1024
    timings["cpu_s"] = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    return timings


def _database_size(database_url: str, db_path: Path | None) -> int:
    if db_path is not None:
        return db_path.stat().st_size
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000, help="cases in the whole database")
    parser.add_argument("--in-month", type=int, default=100_000, help=f"cases received in {MONTH}")
    parser.add_argument("--history", type=int, default=24, help="months of cases before the target month")
    parser.add_argument("--database-url", help="a PostgreSQL database to fill (its public schema is replaced)")
    parser.add_argument("--reuse", help="an existing bench database (SQLite path or the --database-url): no generation")
    parser.add_argument("--chain", action="store_true", help="compute the real keyed chain over the events")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the build to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database and PDFs)")
    parser.add_argument("--_build", help=argparse.SUPPRESS)
    parser.add_argument("--_out", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args._build:
        _configure(args._build, Path(args._out))
        print(json.dumps(build_only(args._build, Path(args._out), args.profile)))
        return

    work = Path(tempfile.mkdtemp(prefix="scorecard-bench-"))
    db_path: Path | None = None
    if args.reuse and not args.reuse.startswith("postgresql"):
        db_path = Path(args.reuse).resolve()
        url = f"sqlite:///{db_path}"
    elif args.reuse or args.database_url:
        url = args.reuse or args.database_url
    else:
        db_path = work / "bench.sqlite"
        url = f"sqlite:///{db_path}"
    _configure(url, work)
    made = None
    if not args.reuse:
        made = generate(url, args.cases, min(args.in_month, args.cases), args.history, args.chain)
    gen_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = _database_size(url, db_path)
    load_before = Path("/proc/loadavg").read_text().split()[:3]
    command = [sys.executable, __file__, "--_build", url, "--_out", str(work)]
    if args.profile:
        command += ["--profile", str(args.profile.resolve())]
    child = subprocess.run(
        command, capture_output=True, text=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)}
    )
    load_after = Path("/proc/loadavg").read_text().split()[:3]
    if child.returncode != 0:
        sys.exit(f"build failed:\n{child.stderr[-3000:]}")
    r = json.loads(child.stdout.strip().splitlines()[-1])
    rows = [("database", f"{'PostgreSQL' if db_path is None else 'SQLite'}, {size / 2**20:,.0f} MiB")]
    if made:
        rows += [
            ("cases in database", f"{made['cases']:,}"),
            ("events", f"{made['events']:,} ({', '.join(f'{k} {v:,}' for k, v in sorted(made['kinds'].items()))})"),
            (
                "generate + load / indexes",
                f"{made['load_s']:.1f} s / {made['index_s']:.1f} s (peak RSS {gen_rss:.0f} MB)",
            ),
        ]
    rows += [
        (f"cases received in {MONTH}", f"{r['received_in_month']:,}"),
        ("figures (SQL + working days)", f"{r['figures_s']:.1f} s"),
        ("render PDF, Khmer", f"{r['render_km_s']:.1f} s, {r['pdf_km_bytes'] / 1024:.0f} KiB"),
        ("render PDF, English", f"{r['render_en_s']:.1f} s, {r['pdf_en_bytes'] / 1024:.0f} KiB"),
        ("build total (both languages)", f"{r['total_s']:.1f} s wall, {r['cpu_s']:.1f} s CPU (all processes)"),
        (
            "build peak RSS",
            f"{r['peak_rss_mb']:.0f} MB main process, {r['children_peak_rss_mb']:.0f} MB largest renderer",
        ),
        ("breached/escalated cases listed", f"{r['flagged_cases']:,}"),
        ("figures digest", r["digest"][:16] + "…"),
        ("load average before / after", f"{' '.join(load_before)} / {' '.join(load_after)} ({os.cpu_count()} CPUs)"),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    print(f"{'-' * width}  {'-' * 30}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if args.keep or args.reuse:
        print(f"kept: {work}" + (f" (database {db_path})" if db_path and not args.reuse else ""))
    else:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()


if __name__ == "__main__":
    main()
