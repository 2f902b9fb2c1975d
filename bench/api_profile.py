"""Where the Open311 POST spends its CPU, in-process, next to the one-INSERT ceiling.

    python bench/api_profile.py                          # SQLite file in a temporary folder
    python bench/api_profile.py --pg postgresql://user:pw@127.0.0.1:5432/postgres
    python bench/api_profile.py --profile /tmp/open311.txt   # pyinstrument call tree of the POSTs

Both apps run under Flask's test client in this process, on the same database: the ceiling is
bench/minimal_app.py's view (one INSERT, no rules), the Open311 POST is what a FixMyStreet
installation sends with a relay key (requests.xml, form-encoded, name, e-mail, phone, point,
photo, attribute[external_id]) with every rule on: key check, validation, routing, working-day
clocks, numbering, the audit chain, idempotency, the XML answer. They run in alternating
rounds so a change in the machine's load hits both; the figures are medians of the rounds'
CPU per request (process time), with the load average. `make bench` measures the same POST
under gunicorn; this script is for finding what to cut.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRIEVANCE_ENV", "development")


def _database(args, work: Path):
    if not args.pg:
        return f"sqlite:///{work / 'profile.sqlite'}", lambda: None
    import psycopg
    from sqlalchemy.engine import make_url

    base = make_url(args.pg)
    name = f"grievance_profile_{os.getpid()}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    url = base.set(drivername="postgresql+psycopg", database=name).render_as_string(hide_password=False)
    return url, drop


def _apps(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", uuid.uuid4().hex * 2)
    from bench.datagen import BENCH_AUDIT_KEY

    os.environ.setdefault("AUDIT_KEY", BENCH_AUDIT_KEY)  # production config refuses to start without one
    from config import ProductionConfig
    from grievance import create_app
    from grievance.extensions import db
    from grievance.seed import seed_reference

    class ProfileConfig(ProductionConfig):
        SQLALCHEMY_DATABASE_URI = url
        RATELIMIT_ENABLED = False  # as bench/benchapp.py: one address for every request

    app = create_app(ProfileConfig)
    with app.app_context():
        db.create_all()
        seed_reference()
        db.session.commit()
    from bench import loadlib, minimal_app

    relay = loadlib.issue_relay_key(app)

    return app, minimal_app.app, relay


def _fms_body(relay: str, n: int) -> dict:
    return {
        "api_key": relay,
        "jurisdiction_id": "grievance.gov.kh",
        "service_code": "NSSF-INFORMAL",
        "description": f"Lost my NSSF membership after paying six months (report {n})\n\nhttps://fms.example/r/{n}\n",
        "first_name": "Sok",
        "last_name": "Chan",
        "email": "sok.chan@example.org",
        "phone": "012345678",
        "lat": "11.556400",
        "long": "104.928200",
        "media_url": f"https://fms.example/p/{n}.jpeg",
        "attribute[external_id]": str(n),
        "attribute[province_code]": "12",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg", help="PostgreSQL server URL (CREATEDB): a throwaway database is made there")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--per-round", type=int, default=150)
    parser.add_argument("--profile", type=Path, help="write a pyinstrument tree of the Open311 POSTs here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="grievance-api-profile-"))
    url, drop = _database(args, work)
    try:
        app, minimal, relay = _apps(url)
        api_client, minimal_client = app.test_client(), minimal.test_client()
        counter = iter(range(10**9))

        def post_api():
            response = api_client.post("/open311/v2/requests.xml", data=_fms_body(relay, next(counter)))
            assert response.status_code == 201, response.get_data(as_text=True)

        def post_minimal():
            response = minimal_client.post("/submit", data=b"description=bench", content_type="text/plain")
            assert response.status_code == 201

        for _ in range(30):  # warm both: imports, caches, connections
            post_api()
            post_minimal()
        profiler = None
        if args.profile:
            from pyinstrument import Profiler

            profiler = Profiler(interval=0.0002)
        figures = {"minimal": [], "api": []}
        loads = [os.getloadavg()[0]]
        for _round in range(args.rounds):
            for name, action in (("minimal", post_minimal), ("api", post_api)):
                if profiler is not None and name == "api":
                    profiler.start()
                cpu = time.process_time()
                for _ in range(args.per_round):
                    action()
                figures[name].append((time.process_time() - cpu) / args.per_round)
                if profiler is not None and name == "api":
                    profiler.stop()
            loads.append(os.getloadavg()[0])
        kind = "PostgreSQL" if args.pg else "SQLite"
        ceiling, api = statistics.median(figures["minimal"]), statistics.median(figures["api"])
        print(
            f"{kind}: ceiling {ceiling * 1000:.2f} ms CPU per POST, Open311 POST {api * 1000:.2f} ms "
            f"({api / ceiling:.1f}x); medians of {args.rounds} rounds x {args.per_round}; "
            f"load average {min(loads):.2f}-{max(loads):.2f}"
        )
        if profiler is not None:
            args.profile.write_text(profiler.output_text(unicode=True, show_all=False))
            print(f"profile: {args.profile}")
        with app.app_context():
            from grievance.extensions import db

            db.session.remove()
            db.engine.dispose()
        minimal_app_engine = sys.modules["bench.minimal_app"].engine
        minimal_app_engine.dispose()
    finally:
        drop()


if __name__ == "__main__":
    main()
