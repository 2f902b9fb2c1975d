"""Adding a closure day to the working calendar at scale: preview, then apply to every open case.

    python bench/closure_bench.py --cases 100000 --open 20000

Generates a database (bench/datagen.py, SQLite in a temporary folder unless --url is given) with
`--open` open cases received over the last two months, then times the admin service the page and
`flask calendar close` call: the preview (how many cases move) and the apply (each moved case's
conditional UPDATE and its `due_moved` chain event, one commit), then `audit verify`. Prints the
figures and the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("GRIEVANCE_ENV", "development")

from bench.run import _app, load_average  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--open", dest="open_cases", type=int, default=20_000)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty database (default: SQLite in a temp folder)")
    args = parser.parse_args()

    from bench.datagen import generate
    from grievance.admin import calendar
    from grievance.domain.calendar import local_date
    from grievance.extensions import db
    from grievance.services import audit, reference

    print(f"load average before: {load_average()}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'closure.sqlite'}"
        app = _app(url)
        now = datetime.now(timezone.utc)
        started = time.perf_counter()
        generate(app, cases=args.cases, months=2, open_cases=args.open_cases, anchor=now)
        print(f"generated {args.cases} cases ({args.open_cases} open) in {time.perf_counter() - started:.1f} s")
        with app.app_context():
            day = reference.working_calendar().add_working_days(local_date(now), 3)
            started = time.perf_counter()
            preview = calendar.preview(day, closing=True)
            preview_s = time.perf_counter() - started
            print(f"preview: {preview.cases} open cases move, {preview_s:.2f} s", flush=True)
            started = time.perf_counter()
            cpu = time.process_time()
            _row, moved = calendar.add(
                None,
                calendar.calendar_version(),
                day,
                reason_en="Bench closure",
                reason_km="ថ្ងៃបិទសាកល្បង",
                progress=lambda n: print(f"   … {n} moved", flush=True),
            )
            db.session.commit()
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            per = wall / moved * 1000 if moved else 0.0
            print(f"apply: {moved} cases moved in {wall:.1f} s wall, {cpu:.1f} s CPU ({per:.2f} ms per case)")
            started = time.perf_counter()
            verdict = audit.verify_chain()
            print(
                f"audit verify: {'OK' if verdict.ok else 'BROKEN'}, {verdict.checked} events, "
                f"{time.perf_counter() - started:.1f} s"
            )
            db.session.remove()
            db.engine.dispose()
    print(f"load average after: {load_average()}")


if __name__ == "__main__":
    main()
