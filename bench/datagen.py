"""Realistic synthetic data in bulk: cases over N months, their events on a valid hash chain.

    from bench.datagen import generate
    stats = generate(app, cases=1_000_000, months=24, open_cases=200_000, anchor=now)

Used by bench/run.py (every figure at 1,000,000 cases) and bench/scorecard_bench.py. Works on
SQLite and PostgreSQL: rows go in through the driver directly (executemany on SQLite, COPY on
PostgreSQL), secondary indexes are built after the load, then ANALYZE. On PostgreSQL the
foreign keys and unique constraints of the bulk tables are dropped for the load and added back
after it (one bulk index build and one join each instead of a check per row), as pg_restore does.
The generator and the chain are the same on both: same seed, same rows, same hashes.

What the rows look like: reference numbers gap-free per year in order of receipt; deadlines
from the real working calendar and service-level policies (computed per 6-hour bucket of
receipt, cached); the clock stamps (warnings, breaches, escalations) are those a sweep running
every few minutes would have recorded up to an hour before `anchor`, with their audit events,
so a sweep at `anchor` has the last hour's work to do; tracking codes are real HMACs (a few
(reference, code) pairs are returned for lookups); about a third of the complainants gave
personal details (a `complainants` row).
"""

from __future__ import annotations

import hashlib
import hmac
import random
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from bench.texts import Descriptions
from grievance.domain.workflow import OPEN_STATUS_VALUES, Status

UTC = timezone.utc
TZ = ZoneInfo("Asia/Phnom_Penh")
# How the generated open cases spread over the open statuses (grievance.domain.workflow defines which are open).
FRESH = ("received", "acknowledged")  # a case younger than three days
OPEN_WEIGHTS = {
    Status.RECEIVED: 0.1,
    Status.ACKNOWLEDGED: 0.3,
    Status.IN_PROGRESS: 0.45,
    Status.AWAITING_INFO: 0.1,
    Status.REOPENED: 0.05,
}
BATCH = 20_000
EVENT_COLUMNS = (
    "seq",
    "case_id",
    "kind",
    "actor_id",
    "actor_label",
    "at",
    "public",
    "payload",
    "state_digest",
    "prev_hash",
    "hash",
)
BULK_TABLES = ("cases", "complainants", "events")
PG_MAINTENANCE_MEM = "512MB"  # per session, for the index builds after the load
# The audit chain's key for every process of a bench run (generator, verifier, gunicorn workers).
BENCH_AUDIT_KEY = "bench-audit-key-not-secret-0123456789abcdef"  # noqa: S105 - a bench database


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


class _Writer:
    """Bulk rows straight through the driver: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.raw = engine.raw_connection()
        self.cursor = self.raw.cursor()
        if self.pg:
            self.cursor.execute("SET synchronous_commit = off")  # a bench load, as on SQLite
        else:
            # SQLAlchemy's own text form of a DATETIME on SQLite (microseconds always written).
            sqlite3.register_adapter(datetime, lambda d: d.isoformat(" ", "microseconds"))
            self.cursor.execute("PRAGMA synchronous=OFF")  # a bench load: durability is not the point
            self.cursor.execute("BEGIN")

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.pg:
            with self.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            self.cursor.executemany(
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",  # noqa: S608 - fixed names
                rows,
            )

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
            self.cursor.execute("PRAGMA synchronous=NORMAL")
        self.cursor.close()
        self.raw.close()


def _pg_bulk_constraints(conn) -> list[tuple[str, str, str]]:
    """(table, name, definition) of the bulk tables' unique constraints, then foreign keys."""
    rows = conn.exec_driver_sql(
        "SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c "
        "WHERE c.contype IN ('u', 'f') AND c.conrelid = ANY(%(tables)s::regclass[]) "
        "ORDER BY c.contype DESC, c.conrelid::regclass::text, c.conname",
        {"tables": list(BULK_TABLES)},
    )
    return [tuple(row) for row in rows]


def _say(progress, message: str) -> None:
    if progress:
        progress(message)


def _bench_code(rng: random.Random) -> str:
    from grievance.domain.codes import ALPHABET, CODE_LENGTH

    value = rng.getrandbits(80)
    raw = "".join(ALPHABET[(value >> (5 * i)) & 31] for i in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def generate(
    app,
    *,
    cases: int,
    months: int = 24,
    open_cases: int | None = None,
    anchor: datetime | None = None,
    month_share: tuple[datetime, float] | None = None,
    seed: int = 7,
    progress=None,
) -> dict:
    """Create the schema and load `cases` cases received over `months` months before `anchor`.

    `open_cases` of them are still open (default 20 %). `month_share=(month_start, share)` puts
    that share of the cases in the 31 days from month_start (the scorecard bench's target month).
    `progress`, if given, is called with a short line of text now and then during the long steps.
    """
    from grievance.domain import audit as chain
    from grievance.domain import codes, sla
    from grievance.extensions import db
    from grievance.models import Category, Fund, search_index
    from grievance.seed import seed_reference
    from grievance.services import reference

    anchor = anchor or datetime.now(UTC).replace(microsecond=0)
    open_cases = int(cases * 0.2) if open_cases is None else open_cases
    sweep_at = anchor - timedelta(hours=1)  # the last sweep before the bench
    rng = random.Random(seed)
    texts = Descriptions(seed)  # its own random stream: the other columns are as without it
    started = time.perf_counter()
    key = _tracking_key(app)
    with app.app_context():
        from grievance.security import audit_keys

        audit_key = audit_keys()

    with app.app_context():
        engine = db.engine
        # Tables first; secondary indexes after the load (much faster), then ANALYZE.
        db.metadata.create_all(engine)
        indexes = [ix for table in db.metadata.sorted_tables for ix in table.indexes]
        pg = engine.dialect.name == "postgresql"
        constraints: list[tuple[str, str, str]] = []
        with engine.begin() as conn:
            search_index.uninstall(conn)  # the description search index: built once after the load
            for ix in indexes:
                ix.drop(conn, checkfirst=True)
            if pg:
                constraints = _pg_bulk_constraints(conn)
                for table, name, _definition in reversed(constraints):  # foreign keys first
                    conn.exec_driver_sql(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        seed_reference()
        db.session.commit()
        categories = db.session.execute(select(Category).where(Category.active.is_(True))).scalars().all()
        policies = {c.id: reference.policy_for(c) for c in categories}
        cat_info = [(c.id, c.default_fund_id, c.code) for c in categories]
        funds = {f.id: f.code for f in db.session.execute(select(Fund)).scalars()}
        fund_ids = [f for f, code in funds.items() if code != "NSPC"] or list(funds)
        cal = reference.working_calendar()
        db.session.remove()

    # Receipt instants, sorted: reference numbers follow the order of receipt, per year.
    span = timedelta(days=30.44 * months).total_seconds()
    if month_share:
        month_start, share = month_share
        in_month = int(cases * share)
        month_start_s = (month_start - anchor).total_seconds()
        instants = [month_start_s + rng.uniform(0, 31 * 86400) for _ in range(in_month)]
        instants += [month_start_s - rng.uniform(0, 150 * 86400) for _ in range(cases - in_month)]
    else:
        instants = [-rng.uniform(0, span) for _ in range(cases)]
    instants.sort()
    # Open cases are mostly recent (a backlog of old ones too): 90 % of the last 60 days'
    # cases are open, and as many older ones as it takes to reach `open_cases`.
    recent_s = -60 * 86400
    n_recent = sum(1 for x in instants if x > recent_s)
    p_recent = min(0.9, open_cases / n_recent) if n_recent else 0.0
    rest = cases - n_recent
    p_old = max(0.0, (open_cases - p_recent * n_recent) / rest) if rest else 0.0

    # Deadlines depend only on the local day of receipt (end of the n-th working day after it),
    # so they are computed once per (policy, day); the warning instant from that day's noon.
    deadline_cache: dict = {}

    def deadlines(category_id: int, received: datetime):
        policy = policies[category_id]
        day = received.astimezone(TZ).date()
        found = deadline_cache.get((policy, day))
        if found is None:
            noon = datetime(day.year, day.month, day.day, 12, tzinfo=TZ)
            found = sla.initial_deadlines(noon, policy, cal)
            found = tuple(_naive(x) for x in (found.ack_due, found.ack_warn, found.resolve_due, found.resolve_warn))
            deadline_cache[(policy, day)] = found
        return found

    writer = _Writer(engine)
    case_cols = (
        "id reference year number tracking_hash version category_id fund_id channel status sla_state "
        "identity_mode language description province_code gender age_band disability idpoor informal_worker "
        "indigenous people_affected received_at acknowledged_at first_resolved_at finished_at closed_at "
        "last_public_at outcome satisfied reopen_count transfer_count ack_due_at ack_warn_at resolve_due_at "
        "resolve_warn_at loop_due_at paused_at paused_seconds ack_warned_at ack_breached_at resolve_warned_at "
        "resolve_breached_at loop_breached_at escalate_at escalated_at extended_days created_at"
    ).split()
    comp_cols = ("id", "case_id", "name", "phone", "email", "programme_number", "consent_given", "sms_opt_in")
    case_rows: list[tuple] = []
    comp_rows: list[tuple] = []
    event_rows: list[tuple] = []
    prev_hash, seq = chain.GENESIS, 0
    counters: dict[int, int] = {}
    samples: list[tuple[str, str]] = []
    n_open = 0
    sweep_naive, anchor_naive = _naive(sweep_at), _naive(anchor)

    pending: list[tuple] = []

    def event(case_id, kind, at, payload, public, label):
        pending.append((case_id, kind, at, payload, public, label))

    def emit(state: str) -> None:
        """The case's events onto the chain; the last one carries the digest of the rows just built
        (the generator writes only each case's final state, so earlier events carry none)."""
        nonlocal prev_hash, seq
        for n, (case_id, kind, at, payload, public, label) in enumerate(pending, start=1):
            seq += 1
            payload_text = chain.canonical_json(payload)
            digest_of_state = state if n == len(pending) else None
            fields = {
                "seq": seq,
                "case_id": case_id,
                "kind": kind,
                "actor_id": None,
                "actor_label": label,
                "at": at.isoformat("T", "microseconds"),
                "public": public,
                "payload": payload_text,
                "state": digest_of_state,
            }
            digest = chain.chain_hash(prev_hash, fields, audit_key.chain)
            event_rows.append(
                (seq, case_id, kind, None, label, at, public, payload_text, digest_of_state, prev_hash, digest)
            )
            prev_hash = digest
        pending.clear()

    def flush():
        writer.write("cases", tuple(case_cols), case_rows)
        writer.write("complainants", comp_cols, comp_rows)
        writer.write("events", EVENT_COLUMNS, event_rows)
        case_rows.clear()
        comp_rows.clear()
        event_rows.clear()
        writer.commit()

    report_every = max(BATCH, cases // 10)
    next_report = report_every
    statuses_open = OPEN_STATUS_VALUES
    open_weights = tuple(OPEN_WEIGHTS.get(status, 0.0) for status in statuses_open)
    for i, offset in enumerate(instants, start=1):
        received = anchor + timedelta(seconds=offset)
        r = _naive(received)
        category_id, fund_id, category_code = rng.choice(cat_info)
        if rng.random() < 0.04 and fund_id in fund_ids:
            to_fund = rng.choice([f for f in fund_ids if f != fund_id] or [fund_id])
        else:
            to_fund = fund_id
        ack_due, ack_warn, resolve_due, resolve_warn = deadlines(category_id, received)
        age = (anchor_naive - r).total_seconds()
        is_open = age < 86400 or rng.random() < (p_recent if offset > recent_s else p_old)
        n_open += is_open
        if is_open:
            status = rng.choices(statuses_open, open_weights)[0] if age > 3 * 86400 else rng.choice(FRESH)
        else:
            status = rng.choices(("resolved", "rejected", "closed"), (0.6, 0.1, 0.3))[0]
        if age < 900:
            status = "received"
        ack = None
        if status != "received":
            late = rng.random() < 0.12
            span_s = (ack_due - r).total_seconds() + (rng.uniform(3600, 4 * 86400) if late else 0)
            ack = r + timedelta(seconds=rng.uniform(1800, max(1800, min(age * 0.9, span_s))))
        finished = None
        if not is_open:
            late = rng.random() < 0.2
            target = (resolve_due - ack).total_seconds() + (rng.uniform(86400, 30 * 86400) if late else 0)
            finished = ack + timedelta(seconds=rng.uniform(3600, max(3600, target)))
            finished = min(finished, anchor_naive - timedelta(minutes=1))
        closed_at = (
            finished + timedelta(days=2) if status == "closed" and finished + timedelta(days=2) < sweep_naive else None
        )
        if status == "closed" and closed_at is None:
            status = "resolved"
        paused = None
        if status == "awaiting_info":
            paused = max(ack + timedelta(hours=1), sweep_naive - timedelta(seconds=rng.uniform(0, 10 * 86400)))
            if paused >= sweep_naive:
                paused = sweep_naive - timedelta(minutes=5)
        last_public = finished or paused or ack
        loop_due = last_public + timedelta(days=14) if is_open and ack and not paused else None

        # What the sweeps up to `sweep_at` recorded (a stamp holds the deadline itself).
        ack_stop = min(x for x in (ack, sweep_naive) if x is not None)
        ack_warned = ack_warn if ack_warn <= ack_stop else None
        ack_breached = ack_due if (ack or sweep_naive) > ack_due and ack_due < sweep_naive else None
        res_stop = min(x for x in (finished, paused, sweep_naive) if x is not None)
        resolve_warned = resolve_warn if resolve_warn <= res_stop else None
        resolve_breached = resolve_due if resolve_due < res_stop or (finished and finished > resolve_due) else None
        loop_breached = loop_due if loop_due and loop_due < sweep_naive else None
        first_breach = min((x for x in (ack_breached, resolve_breached, loop_breached) if x), default=None)
        escalate_at = escalated = None
        if first_breach and (finished is None or finished > first_breach):
            escalate_at = first_breach + timedelta(days=7)
            if escalate_at < min(finished or sweep_naive, sweep_naive):
                escalated = escalate_at
            elif not is_open:
                escalate_at = None
        if escalated:
            sla_state = "escalated"
        elif first_breach:
            sla_state = "breached"
        elif is_open and (ack_warned or resolve_warned):
            sla_state = "at_risk"
        else:
            sla_state = "on_track"

        year = r.year
        counters[year] = number = counters.get(year, 0) + 1
        reference_text = codes.format_reference(year, number)
        code = _bench_code(rng)
        if i % max(1, cases // 200) == 0:
            samples.append((reference_text, code))
        mode = rng.choices(("anonymous", "confidential", "named"), (0.65, 0.25, 0.1))[0]
        outcome = rng.choice(("remedied", "explained", "not_upheld", "referred")) if finished else None
        case_rows.append(
            (
                i, reference_text, year, number,
                hmac.new(key, codes.normalise_code(code).encode("ascii"), hashlib.sha256).hexdigest(),
                1, category_id, to_fund, rng.choice(("web", "web", "web", "api", "assisted", "phone")),
                status, sla_state, mode, rng.choice(("km", "km", "en")), texts.description(),
                f"{rng.randint(1, 25):02d}", rng.choice(("female", "male", None)), None,
                rng.random() < 0.1, rng.random() < 0.5, rng.random() < 0.3, rng.random() < 0.05, 1,
                r, ack, finished, finished, closed_at, last_public, outcome,
                (rng.random() < 0.7) if finished and rng.random() < 0.4 else None,
                0, int(to_fund != fund_id), ack_due, ack_warn, resolve_due, resolve_warn, loop_due, paused, 0,
                ack_warned, ack_breached, resolve_warned, resolve_breached, loop_breached, escalate_at, escalated,
                0, r,
            )
        )  # fmt: skip
        person = None
        if mode != "anonymous":
            person = (i, i, f"Person {i}", f"0{rng.randint(10_000_000, 99_999_999)}", None, None, True, False)
            comp_rows.append(person)

        event(i, "received", r, {"category": category_code, "channel": "web", "fund": funds[fund_id],
                                 "reference": reference_text}, True, "complainant")  # fmt: skip
        if ack_warned:
            event(i, "sla_warning", ack_warned, {"clock": "acknowledge", "due": ack_due.isoformat()}, False, "system")
        if ack:
            event(i, "acknowledge", ack, {"message": "We have received your complaint."}, True, "staff")
        if ack_breached:
            event(i, "sla_breach", ack_breached, {"clock": "acknowledge", "due": ack_due.isoformat()}, False, "system")
        if to_fund != fund_id:
            moved = {"from_fund": funds[fund_id], "to_fund": funds[to_fund], "reason": "wrong fund"}
            event(i, "transfer", (ack or r) + timedelta(hours=2), moved, True, "staff")
        if paused:
            event(i, "request_info", paused, {"message": "Please send your card number."}, True, "staff")
        if resolve_warned:
            event(
                i, "sla_warning", resolve_warned, {"clock": "resolve", "due": resolve_due.isoformat()}, False, "system"
            )
        if resolve_breached:
            payload = {"clock": "resolve", "due": resolve_due.isoformat()}
            event(i, "sla_breach", resolve_breached, payload, False, "system")
        if loop_breached:
            event(
                i, "sla_breach", loop_breached, {"clock": "keep_in_loop", "due": loop_due.isoformat()}, False, "system"
            )
        if escalated:
            event(i, "escalated", escalated, {"clock": None, "due": first_breach.isoformat()}, True, "system")
        if finished:
            kind = "reject" if status == "rejected" else "resolve"
            event(i, kind, finished, {"outcome": outcome, "message": "done"}, True, "staff")
            if closed_at:
                event(i, "close", closed_at, {}, True, "staff")
        case_state = dict(zip(case_cols, case_rows[-1], strict=True))
        person_state = (
            None if person is None else dict(zip(comp_cols[:1] + comp_cols[2:], person[:1] + person[2:], strict=True))
        )
        emit(chain.state_digest(audit_key.state, case_state, person_state))
        if len(event_rows) >= BATCH:
            flush()
            if i >= next_report:
                next_report += report_every
                elapsed = time.perf_counter() - started
                _say(progress, f"{i:,} cases, {seq:,} events, {elapsed / 60:.1f} min")
    flush()
    loaded = time.perf_counter() - started
    writer.write("chain_head", ("id", "seq", "hash"), [(1, seq, prev_hash)])
    writer.write("reference_counters", ("year", "last_number"), sorted(counters.items()))
    writer.close()

    _say(progress, f"rows loaded in {loaded / 60:.1f} min; {len(indexes)} indexes next")

    t_index = time.perf_counter()
    with engine.begin() as conn:
        if pg:
            conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{PG_MAINTENANCE_MEM}'")
            for table, name, definition in constraints:  # unique constraints, then foreign keys
                step = time.perf_counter()
                conn.exec_driver_sql(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
                _say(progress, f"constraint {name}: {time.perf_counter() - step:.0f} s")
        for ix in indexes:
            step = time.perf_counter()
            ix.create(conn)
            if ix.table.name in BULK_TABLES:
                _say(progress, f"index {ix.name}: {time.perf_counter() - step:.0f} s")
        step = time.perf_counter()
        search_index.install(conn)
        _say(progress, f"description search index: {time.perf_counter() - step:.0f} s")
        if pg:
            # COPY with explicit ids leaves the sequences behind.
            for table, column in (("cases", "id"), ("complainants", "id")):
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                                  f"(SELECT coalesce(max({column}), 1) FROM {table}))"))  # fmt: skip
    step = time.perf_counter()
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
    _say(progress, f"ANALYZE: {time.perf_counter() - step:.0f} s")
    finished_all = time.perf_counter()
    return {
        "cases": cases,
        "open": n_open,
        "events": seq,
        "load_s": loaded,
        "index_s": finished_all - t_index,
        "seconds": finished_all - started,
        "samples": samples,
        "anchor": anchor,
    }


def sync_schema(app, progress=None) -> list[str]:
    """Bring a kept bench database to the models' current tables and indexes, for reuse.

    Creates the tables and indexes the models have and the database lacks, and drops the
    `ix_` indexes the models no longer have, so that a reused database is measured with the
    indexes of the code under test. Columns are not migrated: returns the missing ones (then
    generate again).
    """
    from sqlalchemy import inspect

    from grievance.extensions import db
    from grievance.models import search_index

    missing_columns: list[str] = []
    with app.app_context():
        engine = db.engine
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{PG_MAINTENANCE_MEM}'")
            inspector = inspect(conn)
            existing = set(inspector.get_table_names())
            for table in db.metadata.sorted_tables:
                if table.name not in existing:
                    table.create(conn)
                    _say(progress, f"table {table.name} created")
                    continue
                columns = {c["name"] for c in inspector.get_columns(table.name)}
                missing_columns += [f"{table.name}.{c.name}" for c in table.columns if c.name not in columns]
                have = {ix["name"] for ix in inspector.get_indexes(table.name)}
                wanted = {ix.name for ix in table.indexes}
                for name in sorted(n for n in have - wanted if n and n.startswith("ix_")):
                    conn.exec_driver_sql(f'DROP INDEX "{name}"')
                    _say(progress, f"index {name} dropped (no longer in the models)")
                for ix in table.indexes:
                    if ix.name not in have:
                        step = time.perf_counter()
                        ix.create(conn)
                        _say(progress, f"index {ix.name} created: {time.perf_counter() - step:.0f} s")
            if search_index.ensure(conn):
                _say(progress, "description search index created")
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        db.session.remove()
    return missing_columns


def _tracking_key(app) -> bytes:
    from grievance.intake.service import tracking_key

    return tracking_key(app.config.get("TRACKING_CODE_KEY") or app.config["SECRET_KEY"])
