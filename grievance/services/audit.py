"""Appending to and verifying the audit record: the keyed chain, case states, mirrored rows, checkpoints.

`append_event` is the one write path: it links the event to the chain head under AUDIT_KEY and,
for an event about a case, chains the keyed digest of that case's rows as they are after the
event. `verify_record` (flask audit verify) walks the whole chain, compares every case row with
the digest of its latest event, checks that identity views and alerts on the council's pages
agree with their events, and that the chain still extends the signed checkpoints that
`write_checkpoint` (flask audit checkpoint) keeps outside the database.
"""

from __future__ import annotations

import json
import time
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, TextualSelect, bindparam, func, insert, select, text, update
from sqlalchemy import column as untyped_column

from grievance import seclog
from grievance.domain import audit as chain
from grievance.extensions import db
from grievance.models import Attachment, Case, ChainHead, Complainant, Event
from grievance.models.audit import hashed_fields
from grievance.models.timeutil import to_db, utcnow
from grievance.services import touches
from grievance.services.dbutil import insert_ignore
from grievance.services.prepared import Prepared

Progress = Callable[[str], None]
# Problems listed one by one before the rest are only counted.
MAX_LISTED = 50
# Checkpoints looked up event by event (a year of 5-minute checkpoints is 105,000 lines).
RECENT_CHECKPOINTS = 1_000


class ChainConflict(RuntimeError):
    """Another transaction appended to the chain at the same time; retry the request."""


def keys() -> chain.Keys:
    from grievance.security import audit_keys

    return audit_keys()


_HEAD = ChainHead.__table__
# Built once, run on the connection: plain rows (seq, hash), never a stale ORM object, and no
# statement construction or ORM bookkeeping on every append (intake's hottest path).
# Each is one driver call (services/prepared).
_LOCK_HEAD = Prepared(select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == 1).with_for_update())
_MOVE_HEAD = Prepared(
    update(_HEAD)
    .where(_HEAD.c.id == 1, _HEAD.c.seq == bindparam("old_seq"))
    .values(seq=bindparam("new_seq"), hash=bindparam("new_hash"))
)


def _locked_head(connection):
    """The chain head's (seq, hash), locked for this transaction."""
    # FOR UPDATE serialises appends on PostgreSQL; SQLite writers are already serialised
    # by BEGIN IMMEDIATE. The conditional UPDATE below is the last line of defence.
    head = _LOCK_HEAD.first(connection)
    if head is None:  # the very first event: create the head row, then lock it
        insert_ignore(ChainHead, id=1, seq=0, hash=chain.GENESIS)
        head = _LOCK_HEAD.first(connection)
    return head


# ---------------------------------------------------------------------------------------
# Case state, read as stored (raw driver values: the same spelling for writer and verifier)


def _quoted(names: list[str]) -> str:
    return ", ".join(f'"{name}"' for name in names)


def _as_stored(table, alias: str, names: list[str], dialect: str) -> str:
    """Columns as SQLite stores them, on any database: PostgreSQL is asked for timestamps as
    SQLite's text and for booleans as 0/1, so digests and hashes agree across databases and no
    timestamp is parsed and formatted again in Python (most of a verify's time at a million cases).
    """
    out = []
    for name in names:
        column, ref = table.c[name], f'{alias}"{name}"'
        if dialect == "postgresql" and isinstance(column.type, DateTime):
            ref = f"to_char({ref}, 'YYYY-MM-DD HH24:MI:SS.US')"
        elif dialect == "postgresql" and isinstance(column.type, Date):
            ref = f"to_char({ref}, 'YYYY-MM-DD')"
        elif dialect == "postgresql" and isinstance(column.type, Boolean):
            ref = f"{ref}::int"
        out.append(f'{ref} AS "{alias.strip(".") + "_" if alias else ""}{name}"')
    return ", ".join(out)


CASE_COLUMNS = [c.name for c in Case.__table__.columns]
COMPLAINANT_COLUMNS = [c.name for c in Complainant.__table__.columns if c.name != "case_id"]
ATTACHMENT_COLUMNS = [c.name for c in Attachment.__table__.columns if c.name != "case_id"]
EVENT_COLUMNS = ("seq", "case_id", "kind", "actor_id", "actor_label", "at", "public", "payload", "state_digest")
_STATEMENTS: dict[str, dict[str, str]] = {}


def _sql(name: str, dialect: str | None = None) -> str:
    """The raw statements of this module for the session's database (built once per dialect).

    Column names come from the models, never from input.
    """
    dialect = dialect or db.session.get_bind().dialect.name
    found = _STATEMENTS.get(dialect)
    if found is None:
        cases, people = Case.__table__, Complainant.__table__
        files, events = Attachment.__table__, Event.__table__
        selected = (
            _as_stored(cases, "c.", CASE_COLUMNS, dialect)
            + ", "
            + _as_stored(people, "p.", COMPLAINANT_COLUMNS, dialect)
        )
        joined = "FROM cases c LEFT JOIN complainants p ON p.case_id = c.id"
        counted = '(SELECT count(*) FROM attachments a WHERE a.case_id = c.id) AS "attachment_count"'
        # Safe: every interpolated name is a model column or table, never input (bandit B608).
        found = _STATEMENTS[dialect] = {
            "cases": f"SELECT {selected} {joined}",  # noqa: S608  # nosec B608
            # One case as "cases" reads it, with the number of its attachments.
            "case_state": f"SELECT {selected}, {counted} {joined} WHERE c.id = :id",  # noqa: S608  # nosec B608
            "attachments": f"SELECT case_id, {_as_stored(files, '', ATTACHMENT_COLUMNS, dialect)} FROM attachments",  # noqa: S608  # nosec B608
            "events": f"SELECT {_as_stored(events, '', [*EVENT_COLUMNS, 'prev_hash', 'hash'], dialect)} "  # noqa: S608  # nosec B608
            "FROM events WHERE seq > :last ORDER BY seq LIMIT :n",
        }
    return found[name]


_STATE_STATEMENTS: dict[str, tuple[Prepared, TextualSelect]] = {}


def _state_statements(dialect: str) -> tuple[Prepared, TextualSelect]:
    """One case's rows as `_sql` reads them, as statements built once per dialect: the case and
    its complainant with a count of its attachments, and its attachments (read only if counted).
    """
    found = _STATE_STATEMENTS.get(dialect)
    if found is None:
        # Columns named (untyped: raw values, as _sql gives them) so that the result's description
        # is matched once and kept with the compiled statement, not rebuilt for each row.
        names = [f"c_{n}" for n in CASE_COLUMNS] + [f"p_{n}" for n in COMPLAINANT_COLUMNS] + ["attachment_count"]
        case = text(_sql("case_state", dialect)).columns(*(untyped_column(n) for n in names))
        files = text(_sql("attachments", dialect) + " WHERE case_id = :id ORDER BY id").columns(
            *(untyped_column(n) for n in ["case_id", *ATTACHMENT_COLUMNS])
        )
        found = _STATE_STATEMENTS[dialect] = (Prepared(case), files)
    return found


def _split(row) -> tuple[int, dict, dict | None]:
    n = len(CASE_COLUMNS)
    case = dict(zip(CASE_COLUMNS, row[:n], strict=True))
    person = dict(zip(COMPLAINANT_COLUMNS, row[n:], strict=True))
    return case["id"], case, (person if person["id"] is not None else None)


def case_state(case_id: int, key: bytes | None = None, connection=None) -> str:
    """The keyed digest of one case's rows as stored right now (after a flush).

    The same rows as `verify_record` reads (`_sql`), run on the session's connection as
    statements built once: intake pays for one statement (a new case has no attachments).
    """
    connection = connection or db.session.connection()
    case_statement, files_statement = _state_statements(connection.dialect.name)
    row = case_statement.first(connection, {"id": case_id})
    if row is None:
        raise LookupError(f"no case with id {case_id}")
    _id, case, person = _split(row[:-1])
    attachments = []
    if row[-1]:
        files = connection.execute(files_statement, {"id": case_id}).all()
        attachments = [dict(zip(ATTACHMENT_COLUMNS, f[1:], strict=True)) for f in files]
    return chain.state_digest(key or keys().state, case, person, attachments)


def append_event(
    kind: str,
    *,
    case=None,
    case_id: int | None = None,
    actor=None,
    actor_label: str = "staff",
    public: bool = False,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> Event:
    """Append one event to the chain, linked to the current head, with the case's state; flushes."""
    if case is not None:
        case_id = case.id
    entry = {"kind": kind, "case_id": case_id, "actor": actor}
    entry.update(actor_label=actor_label, public=public, payload=payload, at=at)
    return append_events([entry])[0]


def append_events(entries: list[dict[str, Any]]) -> list[Event]:
    """Append several events, in order, under one lock of the chain head; flushes.

    The same chain as calling append_event for each (each links to the one before), for a
    change that writes many events at once (a closure day moving thousands of cases' dates).
    Each entry has the keyword arguments of append_event, with `case_id` instead of `case`.
    Each event about a case carries the keyed digest of the case's rows as this transaction
    leaves them (flushed first).
    """
    if not entries:
        return []
    events = [Event(**row) for row in _chained_rows(entries, db.session.connection())]
    db.session.add_all(events)
    db.session.flush()
    return events


# Built once: the statement the ORM's flush would send, as one driver call (services/prepared).
_EVENT_INSERT = Prepared(insert(Event.__table__), [*EVENT_COLUMNS, "prev_hash", "hash"])


def append_event_row(
    kind: str,
    *,
    case_id: int,
    actor=None,
    actor_label: str = "staff",
    public: bool = False,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
    connection=None,
) -> int:
    """append_event for a caller that needs no Event object (intake): the same event, chained and
    stored the same way, INSERTed as one plain statement without the ORM's unit of work. Returns
    its seq. An Event loaded later in this session is read from the row, as any other.
    `connection` is the session's, if the caller already holds it.
    """
    entry = {"kind": kind, "case_id": case_id, "actor": actor}
    entry.update(actor_label=actor_label, public=public, payload=payload, at=at)
    connection = connection or db.session.connection()
    rows = _chained_rows([entry], connection)
    for row in rows:
        _EVENT_INSERT.rowcount(connection, row)
    # What the ORM hook would have noted for a new Event (an instant before this month).
    touches.note(db.session(), *(row["at"] for row in rows))
    return rows[-1]["seq"]


def _chained_rows(entries: list[dict[str, Any]], connection) -> list[dict[str, Any]]:
    """The events' rows (every column), linked from the locked chain head, which is moved past them."""
    db.session.flush()  # the cases' rows as this transaction leaves them
    k = keys()
    head = _locked_head(connection)
    start_seq, prev = head
    states: dict[int, str] = {}
    rows = []
    for offset, entry in enumerate(entries, start=1):
        actor = entry.get("actor")
        at = entry.get("at")
        case_id = entry.get("case_id")
        if case_id is not None and case_id not in states:
            states[case_id] = case_state(case_id, k.state, connection)
        row = {
            "seq": start_seq + offset,
            "case_id": case_id,
            "kind": entry["kind"],
            "actor_id": None if actor is None else actor.id,
            "actor_label": entry.get("actor_label", "staff"),
            "at": to_db(at) if at is not None else utcnow(),
            "public": bool(entry.get("public", False)),
            "payload": chain.canonical_json(entry.get("payload") or {}),
            "state_digest": None if case_id is None else states[case_id],
            "prev_hash": prev,
        }
        fields = hashed_fields(*(row[name] for name in EVENT_COLUMNS))
        row["hash"] = prev = chain.chain_hash(prev, fields, k.chain)
        rows.append(row)
    moved = _MOVE_HEAD.rowcount(connection, {"old_seq": start_seq, "new_seq": rows[-1]["seq"], "new_hash": prev})
    if moved != 1:
        raise ChainConflict("the audit chain moved during this transaction")
    return rows


# ---------------------------------------------------------------------------------------
# Reading the chain


def _stored_events(after: int = 0, batch: int = 20_000) -> Iterator[tuple[chain.StoredEvent, Any]]:
    """Every stored event after seq `after`, in seq order, read in keyset batches (memory stays flat).

    Raw driver rows, not ORM objects: this verifies what is stored, not what the session happens
    to hold, and it is several times faster on millions of events (SQLite's timestamps are hashed
    from their stored text, not parsed). models.audit.hashed_fields defines what is hashed, for
    the writer and the verifier alike. Yields (stored event, row).
    """
    last = after
    while True:
        rows = db.session.execute(text(_sql("events")), {"last": last, "n": batch}).all()
        if not rows:
            return
        for row in rows:
            yield chain.StoredEvent(row[0], hashed_fields(*row[:9]), row.prev_hash, row.hash), row
        last = rows[-1][0]


def head() -> tuple[int, str] | None:
    row = db.session.get(ChainHead, 1)
    return None if row is None else (row.seq, row.hash)


def keyed_from() -> int | None:
    """Seq of the event that keyed a chain which began unkeyed; None if it was keyed from the start."""
    return db.session.execute(select(func.min(Event.seq)).where(Event.kind == chain.KEYING_EVENT)).scalar()


def _hash_at(seq: int) -> str | None:
    return db.session.execute(select(Event.hash).where(Event.seq == seq)).scalar()


def head_before(moment: datetime) -> tuple[int, str] | None:
    """(seq, hash) of the last event recorded before `moment` (naive UTC): a month's head."""
    row = db.session.execute(
        select(Event.seq, Event.hash).where(Event.at < moment).order_by(Event.seq.desc()).limit(1)
    ).first()
    return None if row is None else (row.seq, row.hash)


def verify_chain(*, until: int | None = None) -> chain.Verdict:
    """Recompute every link (up to event `until`, if given); the verdict names the first bad event."""
    k = keys()
    events = (stored for stored, _row in _stored_events())
    return chain.verify(events, head(), key=k.chain, keyed_from=keyed_from(), until=until)


def verify_until(seq: int, expected_hash: str) -> chain.Verdict:
    """The chain up to event `seq` holds and that event still has `expected_hash` (a printed head)."""
    verdict = verify_chain(until=seq)
    if verdict.ok and verdict.last != (seq, expected_hash):
        return chain.Verdict(False, verdict.checked, seq, f"event #{seq} is not the one whose hash was printed")
    return verdict


def case_events(case_id: int, *, public_only: bool = False) -> list[Event]:
    query = select(Event).where(Event.case_id == case_id)
    if public_only:
        query = query.where(Event.public.is_(True))
    return list(db.session.execute(query.order_by(Event.seq)).scalars())


# ---------------------------------------------------------------------------------------
# Rows mirrored by events: what the council reads must agree with the chain


def time_text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=None).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class Mirror:
    """A table whose rows are each written together with an event that names the row's id."""

    table: str
    kind: str
    id_key: str
    label: str
    # (payload key or "@case"/"@actor"/"@at", column) pairs that must agree
    fields: tuple[tuple[str, str], ...]
    # Further event kinds that also carry the whole row (its latest such event must agree with it)
    also: tuple[str, ...] = ()


MIRRORS = (
    Mirror(
        "identity_views",
        "identity_view",
        "view_id",
        "identity view",
        (
            ("@case", "case_id"),
            ("@actor", "user_id"),
            ("reason", "reason"),
            ("output", "output"),
            ("viewed_at", "viewed_at"),
        ),
    ),
    Mirror(
        "identity_alerts",
        "identity_alert",
        "alert_id",
        "identity-access alert",
        (("user_id", "user_id"), ("views", "views")),
    ),
    Mirror(
        "appeals",
        "appeal",
        "appeal_id",
        "appeal",
        (
            ("@case", "case_id"),
            ("started_at", "started_at"),
            ("due_at", "due_at"),
            ("warn_at", "warn_at"),
            ("appeal_days", "appeal_days"),
            ("reviewer_body", "reviewer_body"),
            ("via", "via"),
            ("resolver_id", "resolver_id"),
            ("reviewer_id", "reviewer_id"),
            ("outcome", "outcome"),
            ("reason", "reason"),
            ("decided_at", "decided_at"),
            ("warned_at", "warned_at"),
            ("breached_at", "breached_at"),
        ),
        also=("appeal_decided", "appeal_warning", "appeal_breach"),
    ),
    Mirror(
        "case_incidents",
        "incident_linked",
        "link_id",
        "incident link",
        (
            ("@case", "case_id"),
            ("incident_id", "incident_id"),
            ("current_case_id", "current_case_id"),
            ("how", "how"),
            ("linked_by_id", "linked_by_id"),
            ("linked_at", "linked_at"),
            ("unlinked_by_id", "unlinked_by_id"),
            ("unlinked_at", "unlinked_at"),
        ),
        also=("incident_unlinked",),
    ),
)
MIRRORED_KINDS = {kind: m for m in MIRRORS for kind in (m.kind, *m.also)}


def mirror_payload_value(event_row, payload: dict, key: str):
    if key == "@case":
        return event_row.case_id
    if key == "@actor":
        return event_row.actor_id
    return payload.get(key)


# ---------------------------------------------------------------------------------------
# The whole record


class LatestStates:
    """Per case, the seq and digest of its latest event carrying a state: flat arrays indexed by
    case id (about 40 bytes a case, 40 MB at a million), a dict only for ids beyond them."""

    def __init__(self, max_case_id: int) -> None:
        self.size = max_case_id + 1024  # room for cases filed while verify runs
        self.seqs = array("q", bytes(8 * self.size))
        self.digests = bytearray(32 * self.size)
        self.others: dict[int, tuple[int, str]] = {}

    def record(self, case_id: int, seq: int, digest: str) -> None:
        if 0 <= case_id < self.size:
            self.seqs[case_id] = seq
            self.digests[32 * case_id : 32 * case_id + 32] = bytes.fromhex(digest)
        else:
            self.others[case_id] = (seq, digest)

    def get(self, case_id: int) -> tuple[int, str] | None:
        if 0 <= case_id < self.size:
            seq = self.seqs[case_id]
            return None if seq == 0 else (seq, self.digests[32 * case_id : 32 * case_id + 32].hex())
        return self.others.get(case_id)

    def take(self, case_id: int) -> tuple[int, str] | None:
        """The latest state of a case, forgotten once checked: what remains has no row."""
        found = self.get(case_id)
        if 0 <= case_id < self.size:
            self.seqs[case_id] = 0
        else:
            self.others.pop(case_id, None)
        return found

    def remaining(self) -> list[int]:
        return [i for i, seq in enumerate(self.seqs) if seq] + sorted(self.others)


@dataclass
class Report:
    """What `flask audit verify` found."""

    chain: chain.Verdict | None = None
    keyed_from: int | None = None
    cases: int = 0
    mirrored: dict[str, int] = field(default_factory=dict)
    checkpoint: dict | None = None
    problems: list[str] = field(default_factory=list)
    more: int = 0  # problems beyond the listed ones
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems and self.chain is not None and self.chain.ok

    def problem(self, text_: str) -> None:
        if len(self.problems) < MAX_LISTED:
            self.problems.append(text_)
        else:
            self.more += 1


def read_checkpoints(path: Path) -> tuple[list[dict], list[str]]:
    """The checkpoints in a file (one JSON object per line) and what is wrong with it."""
    records, problems = [], []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [], [f"checkpoint file {path}: cannot be read ({exc.strerror})"]
    k = keys()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except ValueError:
            problems.append(f"checkpoint file {path}, line {number}: not a checkpoint")
            continue
        if not isinstance(record, dict) or not chain.checkpoint_is_genuine(record, k.checkpoint):
            problems.append(
                f"checkpoint file {path}, line {number}: the signature does not match "
                "(edited, or not made with this installation's AUDIT_KEY)"
            )
            continue
        records.append(record)
    if not records and not problems:
        problems.append(f"checkpoint file {path}: holds no checkpoint")
    return records, problems


def verify_record(checkpoint_file: Path | None = None, *, progress: Progress | None = None) -> Report:
    """Verify the chain, every case row against its history, the mirrored rows and the checkpoints."""
    k = keys()
    report = Report(keyed_from=keyed_from())
    checkpoints: dict[int, dict] = {}
    if checkpoint_file is not None:
        records, problems = read_checkpoints(checkpoint_file)
        for problem in problems:
            report.problem(problem)
        checkpoints = {int(r["seq"]): r for r in records}
        if records:
            report.checkpoint = max(records, key=lambda r: int(r["seq"]))

    latest_state = LatestStates(db.session.execute(select(func.max(Case.id))).scalar() or 0)
    mirrored: dict[str, dict[int, tuple[Any, dict]]] = {m.kind: {} for m in MIRRORS}
    handled_alerts: set[int] = set()

    def walk() -> Iterator[chain.StoredEvent]:
        count = 0
        for stored, row in _stored_events():
            if row.state_digest is not None and row.case_id is not None:
                latest_state.record(row.case_id, row.seq, row.state_digest)
            if row.kind in MIRRORED_KINDS:
                payload = json.loads(row.payload)
                mirror = MIRRORED_KINDS[row.kind]
                mirrored[mirror.kind][payload.get(mirror.id_key)] = (row, payload)
            elif row.kind == "identity_alert_handled":
                handled_alerts.add(json.loads(row.payload).get("alert_id"))
            count += 1
            if progress and count % 500_000 == 0:
                progress(f"{count:,} events verified")
            yield stored

    started = time.perf_counter()
    verdict = chain.verify(walk(), head(), key=k.chain, keyed_from=report.keyed_from)
    report.chain = verdict
    report.timings["chain_s"] = time.perf_counter() - started
    if (
        not verdict.ok
        and verdict.checked == 0
        and verdict.bad_seq == 1
        and report.keyed_from is None
        and not checkpoints
    ):
        first = next(iter(_stored_events()), None)
        if first is not None and chain.legacy_hash(first[0].prev_hash, first[0].fields) == first[0].hash:
            report.chain = chain.Verdict(
                False,
                0,
                1,
                "the chain was recorded before it was keyed: run `flask audit rekey` once "
                "(see docs/security.md), then verify again",
            )
    if checkpoints:  # checked even when the chain broke early: they say what the chain was
        chain_end = db.session.execute(select(func.max(Event.seq))).scalar() or 0
        # The latest checkpoint fixes every event before it (the hashes chain); the most recent
        # ones are looked up one by one so a rewrite is dated even when the chain broke early.
        for seq, cp in sorted(checkpoints.items())[-RECENT_CHECKPOINTS:]:
            if seq > chain_end:
                report.problem(
                    f"checkpoint #{seq} of {cp['at']}: the chain no longer extends it "
                    f"(the checkpoint recorded event #{seq} but the chain ends at #{chain_end}: events deleted)"
                )
            elif seq > 0 and _hash_at(seq) != cp["hash"]:
                report.problem(
                    f"checkpoint #{seq} of {cp['at']}: the chain no longer extends it "
                    f"(event #{seq} is not the event that was checkpointed: the chain was rewritten)"
                )
    if not verdict.ok:
        report.problem("case rows and mirrored records were not checked: the chain itself must hold first")
        return report
    if progress and verdict.checked >= 500_000:
        progress(f"chain verified ({verdict.checked:,} events); checking case rows")
    started = time.perf_counter()
    _check_cases(report, latest_state, k.state, progress)
    report.timings["cases_s"] = time.perf_counter() - started
    _check_mirrors(report, mirrored, handled_alerts)
    return report


def _check_cases(report: Report, latest: LatestStates, key: bytes, progress: Progress | None) -> None:
    """Every case row (with its complainant and attachments) against the digest of its latest event."""
    last_id, batch = 0, 5_000
    while True:
        rows = db.session.execute(
            text(_sql("cases") + " WHERE c.id > :last ORDER BY c.id LIMIT :n"), {"last": last_id, "n": batch}
        ).all()
        if not rows:
            break
        first_id, last_id = rows[0][0], rows[-1][0]
        files: dict[int, list[dict]] = {}
        for f in db.session.execute(
            text(_sql("attachments") + " WHERE case_id >= :lo AND case_id <= :hi ORDER BY case_id, id"),
            {"lo": first_id, "hi": last_id},
        ):
            files.setdefault(f[0], []).append(dict(zip(ATTACHMENT_COLUMNS, f[1:], strict=True)))
        for row in rows:
            case_id, case, person = _split(row)
            report.cases += 1
            recorded = latest.take(case_id)
            if recorded is None:
                report.problem(
                    f"case {case['reference']} (id {case_id}) has no recorded history: added outside the app"
                )
                continue
            if chain.state_digest(key, case, person, files.get(case_id, [])) != recorded[1]:
                report.problem(
                    f"case {case['reference']} (id {case_id}) does not match its history: its rows were changed "
                    f"after event #{recorded[0]}, the last one that recorded them"
                )
        if progress and report.cases >= 200_000 and report.cases % 200_000 < batch:
            progress(f"{report.cases:,} cases checked")
    for case_id in latest.remaining():
        report.problem(f"case id {case_id} has a history (up to event #{latest.get(case_id)[0]}) but its row is gone")


def _check_mirrors(report: Report, mirrored: dict, handled_alerts: set[int]) -> None:
    for mirror in MIRRORS:
        events = mirrored[mirror.kind]
        columns = ["id", "status"] if mirror.table == "identity_alerts" else ["id"]
        columns += [column for _key, column in mirror.fields]
        # Safe: the table and columns come from the MIRRORS declaration, never input (bandit B608).
        rows = db.session.execute(text(f"SELECT {_quoted(columns)} FROM {mirror.table} ORDER BY id")).all()  # noqa: S608  # nosec B608
        seen = set()
        for row in rows:
            values = dict(zip(columns, row, strict=True))
            seen.add(values["id"])
            found = events.get(values["id"])
            if found is None:
                report.problem(f"{mirror.label} #{values['id']} is not in the audit chain: added outside the app")
                continue
            event_row, payload = found
            for key, column in mirror.fields:
                expected = mirror_payload_value(event_row, payload, key)
                actual = values[column]
                if column.endswith("_at"):
                    expected, actual = time_text(expected), time_text(actual)
                if expected != actual:
                    report.problem(
                        f"{mirror.label} #{values['id']} differs from event #{event_row.seq} ({column} was changed)"
                    )
                    break
            if values.get("status") is not None and (values["status"] == "handled") != (values["id"] in handled_alerts):
                report.problem(f"{mirror.label} #{values['id']}: its status does not match the chain")
        for missing in sorted(set(events) - seen, key=lambda v: (v is None, v)):
            report.problem(
                f"{mirror.label} #{missing} (event #{events[missing][0].seq}) is missing from {mirror.table}: deleted"
            )
        report.mirrored[mirror.label] = len(rows)


# ---------------------------------------------------------------------------------------
# Checkpoints


def write_checkpoint(path: Path, *, now: datetime | None = None, progress: Progress | None = None) -> dict:
    """Append a signed statement of the current head to `path` (and the log), after checking the chain
    still extends the previous checkpoint in the file and every event since links and hashes right.

    Raises CheckpointRefused (nothing written) if it does not: that is the alarm.
    """
    k = keys()
    previous = None
    if path.exists() and path.stat().st_size:
        records, problems = read_checkpoints(path)
        if problems:
            raise CheckpointRefused("; ".join(problems))
        previous = max(records, key=lambda r: int(r["seq"]))
    after = (0, chain.GENESIS)
    if previous is not None:
        seq = int(previous["seq"])
        if seq > 0 and _hash_at(seq) != previous["hash"]:
            raise CheckpointRefused(
                f"the chain no longer extends checkpoint #{seq} of {previous['at']}: event #{seq} is missing or changed"
            )
        after = (seq, previous["hash"])

    def events() -> Iterator[chain.StoredEvent]:
        for count, (stored, _row) in enumerate(_stored_events(after=after[0]), start=1):
            if progress and count % 500_000 == 0:
                progress(f"{count:,} events verified since the last checkpoint")
            yield stored

    verdict = chain.verify(events(), head(), key=k.chain, keyed_from=keyed_from(), after=after)
    if not verdict.ok:
        raise CheckpointRefused(verdict.reason)
    seq, head_hash = verdict.last
    at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    record = chain.checkpoint_record(seq, head_hash, at, k.checkpoint)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(record, sort_keys=True) + "\n")
    seclog.event("audit_checkpoint", **record)
    return {**record, "verified": verdict.checked}


class CheckpointRefused(RuntimeError):
    """The chain does not extend the last checkpoint, or is broken since: no checkpoint written."""
