"""The figures of the monthly accountability scorecard, computed from cases and events.

`month_figures(month, fund_code)` returns a plain dict of plain values (ints, floats rounded
to one decimal, strings, lists in a fixed order): the same database gives the same dict, so
its canonical JSON digest can be printed on the PDF and checked later with `scorecard verify`.

Every figure is "as at the end of the month" (local time, Asia/Phnom_Penh):
- a case counts under the fund that held it at the end of the month (transfers replayed from
  the audit events), so a later transfer does not rewrite an old month;
- open/closed at the month's end is read from the resolve/reject/reopen events before it.
Counting and grouping happen in SQL; working-day arithmetic (which needs the holiday
calendar) happens here, over one row per case.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, case, cast, distinct, func, literal, or_, select, true
from sqlalchemy.orm import aliased

from grievance.domain.audit import canonical_json
from grievance.domain.calendar import DAY_SECONDS, TZ, WorkingCalendar
from grievance.extensions import db
from grievance.models import Case, Category, Event, Fund
from grievance.services import reference

# ---------------------------------------------------------------------------------------
# Disclosure control and ratings: the two rules the method page explains, defined once.

SMALL_CELL = 5  # counts of people or cases below this are printed as "<5"


def is_masked(n: int | None) -> bool:
    """True for a count of 1–4: small enough that someone could be identified."""
    return n is not None and 0 < n < SMALL_CELL


def cell(n: int | None) -> str:
    """How a count of people or cases is printed: '<5' for 1–4, the number otherwise."""
    if n is None:
        return "–"
    return f"<{SMALL_CELL}" if is_masked(n) else str(n)


def pct_cell(numerator: int, denominator: int, pct: float | None) -> str:
    """A percentage, hidden when either count is masked (it would give the small count away)."""
    if pct is None or denominator == 0 or is_masked(numerator) or is_masked(denominator):
        return "–"
    return f"{pct:.1f}%"


# indicator -> (good when at least / at most, fair bound); "higher" means bigger is better.
RATINGS: dict[str, tuple[str, float, float]] = {
    "ack_on_time_pct": ("higher", 90.0, 75.0),
    "resolve_on_time_pct": ("higher", 85.0, 70.0),
    "days_median": ("lower", 10.0, 15.0),
    "backlog_over_30_pct": ("lower", 5.0, 15.0),
    "reopen_rate_pct": ("lower", 5.0, 10.0),
    "satisfaction_pct": ("higher", 75.0, 60.0),
}


def rate(indicator: str, value: float | None) -> str:
    """'good', 'fair' or 'poor' by the thresholds in RATINGS; 'none' when there is nothing to rate."""
    if value is None:
        return "none"
    direction, good, fair = RATINGS[indicator]
    if direction == "higher":
        return "good" if value >= good else "fair" if value >= fair else "poor"
    return "good" if value <= good else "fair" if value <= fair else "poor"


BACKLOG_BANDS = ("0-5", "6-15", "16-30", "31+")
GROUPS = ("women", "disability", "idpoor", "informal_worker", "indigenous")
BREACH_CLOCKS = ("acknowledge", "resolve", "keep_in_loop")
TREND_MONTHS = 6


def backlog_band(age_days: int) -> str:
    if age_days <= 5:
        return "0-5"
    if age_days <= 15:
        return "6-15"
    if age_days <= 30:
        return "16-30"
    return "31+"


def nearest_rank(values: list[float], p: float) -> float | None:
    """The p-th percentile by the nearest-rank method (a value that occurred, no interpolation)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(p / 100 * len(ordered))) - 1]


def _pct(numerator: int, denominator: int) -> float | None:
    return None if denominator == 0 else round(100 * numerator / denominator, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# ---------------------------------------------------------------------------------------
# Months and working time


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """'2026-10' -> Month(2026, 10); ValueError for anything else."""
        if len(text) != 7 or text[4] != "-" or not (text[:4] + text[5:]).isdigit():
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        year, month = int(text[:4]), int(text[5:])
        if not 1 <= month <= 12 or year < 2000:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self, n: int = 1) -> Month:
        index = self.year * 12 + self.month - 1 - n
        return Month(index // 12, index % 12 + 1)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC, the way the database stores instants."""
        return _local_midnight_utc(self.first_day()), _local_midnight_utc(self.next().first_day())

    @classmethod
    def containing(cls, instant: datetime) -> Month:
        local = instant.astimezone(TZ)
        return cls(local.year, local.month)


def _local_midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), TZ).astimezone(timezone.utc).replace(tzinfo=None)


class WorkClock:
    """Working seconds between naive-UTC instants in O(1), from a per-day running total."""

    def __init__(self, cal: WorkingCalendar, first: date, last: date) -> None:
        self.cal = cal
        self.first = first
        self.cumulative: list[int] = [0]
        self.working: list[bool] = []
        day = first
        while day <= last:
            works = cal.is_working_day(day)
            self.working.append(works)
            self.cumulative.append(self.cumulative[-1] + (DAY_SECONDS if works else 0))
            day += timedelta(days=1)

    def _position(self, instant: datetime) -> float:
        local = instant.replace(tzinfo=timezone.utc).astimezone(TZ)
        index = (local.date() - self.first).days
        index = min(max(index, 0), len(self.working) - 1)
        into_day = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return self.cumulative[index] + (into_day if self.working[index] else 0)

    def days_between(self, start: datetime, end: datetime) -> float:
        return max(0.0, self._position(end) - self._position(start)) / DAY_SECONDS


# ---------------------------------------------------------------------------------------
# SQL pieces


def _json_text(column, key: str):
    """The text of one key of a JSON payload stored as text, on SQLite and PostgreSQL."""
    if db.engine.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import JSONB

        return cast(column, JSONB)[key].astext
    return func.json_extract(column, f"$.{key}")


def _fund_at(end: datetime):
    """SQL: the code of the fund holding each case at `end`, replayed from transfer events."""
    before = aliased(Event)
    first = aliased(Event)
    current = select(Fund.code).where(Fund.id == Case.fund_id).scalar_subquery()
    last_to = (
        select(_json_text(before.payload, "to_fund"))
        .where(before.case_id == Case.id, before.kind == "transfer", before.at < end)
        .order_by(before.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    first_from = (
        select(_json_text(first.payload, "from_fund"))
        .where(first.case_id == Case.id, first.kind == "transfer")
        .order_by(first.seq)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(last_to, first_from, current)


def _state_kind_at(end: datetime):
    """SQL: the last resolve/reject/reopen event kind before `end` (NULL: never resolved)."""
    ev = aliased(Event)
    return (
        select(ev.kind)
        .where(ev.case_id == Case.id, ev.kind.in_(("resolve", "reject", "reopen")), ev.at < end)
        .order_by(ev.seq.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass
class CaseRow:
    id: int
    reference: str
    fund: str
    category: str
    province: str | None
    women: bool
    disability: bool
    idpoor: bool
    informal_worker: bool
    indigenous: bool
    people: int
    received_at: datetime
    acknowledged_at: datetime | None
    ack_due_at: datetime
    first_resolved_at: datetime | None
    resolve_due_at: datetime
    ack_breached_at: datetime | None
    resolve_breached_at: datetime | None
    loop_breached_at: datetime | None
    escalated_at: datetime | None
    state_kind: str | None
    # Worked out once per month by _annotate: the backlog band if open at the month's end,
    # and the working days to the first resolution if that fell in the month.
    band: str | None = None
    resolve_days: float | None = None

    def breached_clocks(self, start: datetime, end: datetime) -> list[str]:
        """The clocks whose breach instant falls in [start, end), in BREACH_CLOCKS order."""
        moments = (self.ack_breached_at, self.resolve_breached_at, self.loop_breached_at)
        return [name for name, moment in zip(BREACH_CLOCKS, moments, strict=True) if moment and start <= moment < end]


def _case_rows(start: datetime, end: datetime, funds: list[str] | None, *, only=None) -> list[CaseRow]:
    """One row per case that any figure of the month needs, ordered by id (`only`: a select of case ids)."""
    fund_at_end = _fund_at(end).label("fund_at_end")
    in_month = [
        and_(column >= start, column < end)
        for column in (
            Case.received_at,
            Case.ack_due_at,
            Case.resolve_due_at,
            Case.first_resolved_at,
            Case.ack_breached_at,
            Case.resolve_breached_at,
            Case.loop_breached_at,
            Case.escalated_at,
        )
    ]
    maybe_open = or_(Case.first_resolved_at.is_(None), Case.first_resolved_at >= end, Case.reopen_count > 0)
    inner = (
        select(
            Case.id,
            Case.reference,
            fund_at_end,
            Category.code.label("category"),
            Case.province_code,
            Case.gender,
            Case.disability,
            Case.idpoor,
            Case.informal_worker,
            Case.indigenous,
            Case.people_affected,
            Case.received_at,
            Case.acknowledged_at,
            Case.ack_due_at,
            Case.first_resolved_at,
            Case.resolve_due_at,
            Case.ack_breached_at,
            Case.resolve_breached_at,
            Case.loop_breached_at,
            Case.escalated_at,
            _state_kind_at(end).label("state_kind"),
        )
        .join(Category, Category.id == Case.category_id)
        .where(Case.received_at < end, or_(maybe_open, *in_month))
        .where(Case.id.in_(only) if only is not None else true())
        .subquery()
    )
    query = select(inner).order_by(inner.c.id)
    if funds is not None:
        query = query.where(inner.c.fund_at_end.in_(funds))
    return [
        CaseRow(
            id=r.id,
            reference=r.reference,
            fund=r.fund_at_end,
            category=r.category,
            province=r.province_code,
            women=r.gender == "female",
            disability=bool(r.disability),
            idpoor=bool(r.idpoor),
            informal_worker=bool(r.informal_worker),
            indigenous=bool(r.indigenous),
            people=r.people_affected or 1,
            received_at=r.received_at,
            acknowledged_at=r.acknowledged_at,
            ack_due_at=r.ack_due_at,
            first_resolved_at=r.first_resolved_at,
            resolve_due_at=r.resolve_due_at,
            ack_breached_at=r.ack_breached_at,
            resolve_breached_at=r.resolve_breached_at,
            loop_breached_at=r.loop_breached_at,
            escalated_at=r.escalated_at,
            state_kind=r.state_kind,
        )
        for r in db.session.execute(query)
    ]


def _event_counts(start: datetime, end: datetime) -> dict[str, dict]:
    """Per fund (at month end): transfers in/out, cases reopened / finished, feedback given / solved."""
    counts: dict[str, dict] = defaultdict(lambda: defaultdict(int))
    in_month = and_(Event.at >= start, Event.at < end)
    # Computed columns are labelled in a subquery and grouped outside it, which PostgreSQL
    # accepts as well as SQLite (it refuses GROUP BY on a repeated correlated subquery).
    moves = (
        select(
            _json_text(Event.payload, "from_fund").label("source"),
            _json_text(Event.payload, "to_fund").label("target"),
        )
        .where(Event.kind == "transfer", in_month)
        .subquery()
    )
    for source, target, n in db.session.execute(
        select(moves.c.source, moves.c.target, func.count())
        .group_by(moves.c.source, moves.c.target)
        .order_by(moves.c.source, moves.c.target)
    ):
        counts[source]["transfers_out"] += n
        counts[target]["transfers_in"] += n

    touched = (
        select(
            _fund_at(end).label("fund"),
            Event.kind,
            Event.case_id,
            _json_text(Event.payload, "solved").label("solved"),
        )
        .select_from(Event)
        .join(Case, Case.id == Event.case_id)
        .where(Event.kind.in_(("reopen", "resolve", "reject", "feedback")), in_month)
        .subquery()
    )
    for code, reopened, finished in db.session.execute(
        select(
            touched.c.fund,
            func.count(distinct(case((touched.c.kind == "reopen", touched.c.case_id)))),
            func.count(distinct(case((touched.c.kind.in_(("resolve", "reject")), touched.c.case_id)))),
        )
        .where(touched.c.kind != "feedback")
        .group_by(touched.c.fund)
        .order_by(touched.c.fund)
    ):
        counts[code]["reopened"] += reopened
        counts[code]["finished"] += finished

    for code, answer, n in db.session.execute(
        select(touched.c.fund, touched.c.solved, func.count())
        .where(touched.c.kind == "feedback")
        .group_by(touched.c.fund, touched.c.solved)
        .order_by(touched.c.fund, touched.c.solved)
    ):
        counts[code]["feedback"] += n
        if answer in (1, True, "true"):
            counts[code]["satisfied"] += n
    return counts


# ---------------------------------------------------------------------------------------
# Aggregation


def _case_block(rows: Iterable[CaseRow], start: datetime, end: datetime, clock: WorkClock) -> dict:
    """The case-based indicators of one slice of cases."""
    b = {
        "received": 0,
        "people": 0,
        "ack_due": 0,
        "ack_on_time": 0,
        "resolve_due": 0,
        "resolve_on_time": 0,
        "resolved": 0,
        "backlog": dict.fromkeys(BACKLOG_BANDS, 0),
        "breaches": dict.fromkeys(BREACH_CLOCKS, 0),
        "breached_cases": 0,
        "escalations": 0,
    }
    durations: list[float] = []

    def within(moment):
        return moment is not None and start <= moment < end

    for r in rows:
        if within(r.received_at):
            b["received"] += 1
            b["people"] += r.people
        if within(r.ack_due_at):
            b["ack_due"] += 1
            b["ack_on_time"] += r.acknowledged_at is not None and r.acknowledged_at <= r.ack_due_at
        if within(r.resolve_due_at):
            b["resolve_due"] += 1
            b["resolve_on_time"] += r.first_resolved_at is not None and r.first_resolved_at <= r.resolve_due_at
        if r.resolve_days is not None:
            b["resolved"] += 1
            durations.append(r.resolve_days)
        if r.band is not None:
            b["backlog"][r.band] += 1
        hits = r.breached_clocks(start, end)
        for name in hits:
            b["breaches"][name] += 1
        b["breached_cases"] += bool(hits)
        b["escalations"] += within(r.escalated_at)
    b["ack_on_time"] = int(b["ack_on_time"])
    b["resolve_on_time"] = int(b["resolve_on_time"])
    b["escalations"] = int(b["escalations"])
    b["ack_on_time_pct"] = _pct(b["ack_on_time"], b["ack_due"])
    b["resolve_on_time_pct"] = _pct(b["resolve_on_time"], b["resolve_due"])
    b["days_median"] = _round(statistics.median(durations)) if durations else None
    b["days_p90"] = _round(nearest_rank(durations, 90))
    b["backlog_total"] = sum(b["backlog"].values())
    b["backlog_over_30_pct"] = _pct(b["backlog"]["31+"], b["backlog_total"])
    b["breaches_total"] = sum(b["breaches"].values())
    return b


def _annotate(rows: list[CaseRow], start: datetime, end: datetime, clock: WorkClock) -> None:
    """The working-day figures of each row, computed once however many slices count the row."""
    for r in rows:
        if r.first_resolved_at is not None and start <= r.first_resolved_at < end:
            r.resolve_days = clock.days_between(r.received_at, r.first_resolved_at)
        if r.state_kind in (None, "reopen"):
            r.band = backlog_band(int(clock.days_between(r.received_at, end)))


def _add_events(block: dict, ev: dict) -> dict:
    for key in ("transfers_in", "transfers_out", "reopened", "finished", "feedback", "satisfied"):
        block[key] = int(ev.get(key, 0))
    block["reopen_rate_pct"] = _pct(block["reopened"], block["finished"])
    block["satisfaction_pct"] = _pct(block["satisfied"], block["feedback"])
    block["ratings"] = {name: rate(name, block.get(name)) for name in RATINGS}
    return block


def _breakdown(rows: list[CaseRow], key, start, end, clock) -> list[dict]:
    groups: dict[str, list[CaseRow]] = defaultdict(list)
    for r in rows:
        for k in key(r):
            groups[k].append(r)
    out = []
    for k in sorted(groups):
        block = _case_block(groups[k], start, end, clock)
        if block["received"] or block["ack_due"] or block["resolve_due"] or block["backlog_total"]:
            out.append(_slim({"key": k, **block}))
    return out


def _slim(block: dict) -> dict:
    """The columns a breakdown table prints."""
    keep = (
        "key",
        "received",
        "people",
        "ack_due",
        "ack_on_time",
        "ack_on_time_pct",
        "resolve_due",
        "resolve_on_time",
        "resolve_on_time_pct",
        "backlog_total",
        "breached_cases",
    )
    return {k: block[k] for k in keep}


def _fund_codes(scope: str | None) -> list[str]:
    query = select(Fund.code).order_by(Fund.id)
    if scope is not None:
        query = query.where(Fund.code == scope)
    return list(db.session.execute(query).scalars())


def _clock(first: date, last: date) -> WorkClock:
    return WorkClock(reference.working_calendar(), first - timedelta(days=1), last + timedelta(days=1))


def _earliest_received() -> date | None:
    first = db.session.execute(select(func.min(Case.received_at))).scalar()
    return None if first is None else first.date()


def _month_core(month: Month, funds: list[str], clock: WorkClock) -> dict:
    start, end = month.bounds()
    rows = _case_rows(start, end, funds)
    _annotate(rows, start, end, clock)
    events = _event_counts(start, end)
    per_fund = []
    for code in funds:
        mine = [r for r in rows if r.fund == code]
        per_fund.append({"code": code, **_add_events(_case_block(mine, start, end, clock), events.get(code, {}))})
    total_events: dict[str, int] = defaultdict(int)
    for code in funds:
        for k, v in events.get(code, {}).items():
            total_events[k] += v
    total = _add_events(_case_block(rows, start, end, clock), total_events)
    return {"rows": rows, "funds": per_fund, "total": total}


HEADLINE = (
    "received",
    "ack_on_time_pct",
    "resolve_on_time_pct",
    "days_median",
    "backlog_total",
    "satisfaction_pct",
)
# The counts behind the trend's percentages, so a percentage of a small count can be hidden.
TREND_COUNTS = ("ack_on_time", "ack_due", "resolve_on_time", "resolve_due", "satisfied", "feedback")


def month_figures(month: Month, fund_code: str | None = None) -> dict:
    """Every figure of one scorecard (all funds when fund_code is None), as plain values.

    Computed in one streaming pass by `grievance.reports.scan`; the row-by-row functions above
    (`_month_core`, `_case_block`, ...) give the same figures and serve the dashboards.
    """
    from grievance.reports import incident_figures, scan

    funds = _fund_codes(fund_code)
    if fund_code is not None and not funds:
        raise LookupError(f"no fund with code {fund_code!r}")
    first_month = month.previous(TREND_MONTHS - 1)
    earliest = _earliest_received() or first_month.first_day()
    clock = _clock(min(earliest, first_month.first_day()), month.next().first_day())
    found = scan.figures(month, funds, clock)
    return {
        "month": str(month),
        "scope": fund_code or "ALL",
        "funds": found["funds"],
        "total": found["total"],
        "breakdowns": found["breakdowns"],
        "trend": found["trend"],
        "flagged_cases": found["flagged_cases"],
        "intake": found["intake"],
        "appeals": appeal_figures(month, funds),
        "incidents": incident_figures.split(
            *month.bounds(), funds, clock, {"ALL": found["total"], **{f["code"]: f for f in found["funds"]}}
        ),
    }


APPEAL_KEYS = ("opened", "decided", "on_time", "overturned")


def appeal_figures(month: Month, funds: list[str]) -> dict:
    """Appeals per fund holding the case: opened in the month, decided in it, decided by their own
    due date, and decided against the first answer; rates of those decided."""
    from grievance.models import Appeal

    start, end = month.bounds()
    blocks = {code: dict.fromkeys(APPEAL_KEYS, 0) for code in funds}
    opened = (
        select(Fund.code, func.count())
        .select_from(Appeal)
        .join(Case, Case.id == Appeal.case_id)
        .join(Fund, Fund.id == Case.fund_id)
        .where(Appeal.started_at >= start, Appeal.started_at < end)
        .group_by(Fund.code)
    )
    for code, n in db.session.execute(opened):
        if code in blocks:
            blocks[code]["opened"] = n
    decided = (
        select(
            Fund.code,
            func.count(),
            func.sum(case((Appeal.decided_at <= Appeal.due_at, 1), else_=0)),
            func.sum(case((Appeal.outcome == "overturned", 1), else_=0)),
        )
        .select_from(Appeal)
        .join(Case, Case.id == Appeal.case_id)
        .join(Fund, Fund.id == Case.fund_id)
        .where(Appeal.decided_at >= start, Appeal.decided_at < end)
        .group_by(Fund.code)
    )
    for code, n, on_time, overturned in db.session.execute(decided):
        if code in blocks:
            blocks[code].update(decided=n, on_time=int(on_time or 0), overturned=int(overturned or 0))
    total = {key: sum(b[key] for b in blocks.values()) for key in APPEAL_KEYS}

    def rated(block: dict) -> dict:
        block["on_time_pct"] = _pct(block["on_time"], block["decided"])
        block["overturned_pct"] = _pct(block["overturned"], block["decided"])
        return block

    return {"funds": [rated({"code": code, **blocks[code]}) for code in funds], "total": rated(total)}


# ---------------------------------------------------------------------------------------
# Digest and comparison


def digest(figures: dict) -> str:
    """SHA-256 of the canonical JSON of the figures."""
    return hashlib.sha256(canonical_json(figures).encode("utf-8")).hexdigest()


def flatten(value, prefix: str = "") -> dict[str, object]:
    """{'funds.NSAF.received': 12, ...}: one path per printed figure, for naming differences."""
    out: dict[str, object] = {}
    if isinstance(value, dict):
        for k in sorted(value):
            out.update(flatten(value[k], f"{prefix}.{k}" if prefix else str(k)))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                label = item.get("code") or item.get("key") or item.get("month") or item.get("reference") or i
                out.update(flatten(item, f"{prefix}[{label}]"))
            else:
                out[f"{prefix}[{i}]"] = item
    else:
        out[prefix] = value
    return out


def fingerprints(figures: dict, key: bytes) -> dict[str, str]:
    """A keyed 8-byte tag per figure: names what changed without putting raw small counts in the file.

    The list of breached and escalated cases gets one tag per fund (`flagged_cases[NSAF]`), not
    one per case and field: a heavy month has tens of thousands of them.
    """
    tags = {}
    flagged: dict[str, hmac.HMAC] = {}
    for path, v in flatten({k: v for k, v in figures.items() if k != "flagged_cases"}).items():
        tags[path] = hmac.new(key, f"{path}={json.dumps(v)}".encode(), "sha256").hexdigest()[:16]
    for item in figures.get("flagged_cases", []):
        tag = flagged.setdefault(str(item.get("fund")), hmac.new(key, b"flagged_cases", "sha256"))
        tag.update(canonical_json(item).encode() + b"\n")
    for fund, tag in flagged.items():
        tags[f"flagged_cases[{fund}]"] = tag.hexdigest()[:16]
    return tags


def changed_paths(stored: dict[str, str], current: dict[str, str]) -> list[str]:
    return sorted(p for p in set(stored) | set(current) if stored.get(p) != current.get(p))


def months_with_cases(fund_id: int | None = None) -> list[Month]:
    """Months (newest first) in which at least one case was received; fund_id limits to a fund's cases."""
    scope = select(Case.id)
    if fund_id is not None:
        scope = scope.where(Case.fund_id == fund_id)
    first, last = db.session.execute(
        select(func.min(Case.received_at), func.max(Case.received_at)).where(Case.id.in_(scope))
    ).one()
    if first is None:
        return []
    months = []
    m = Month.containing(first.replace(tzinfo=timezone.utc))
    stop = Month.containing(last.replace(tzinfo=timezone.utc))
    while (m.year, m.month) <= (stop.year, stop.month):
        start, end = m.bounds()
        hit = db.session.execute(
            select(literal(1)).where(Case.id.in_(scope), Case.received_at >= start, Case.received_at < end).limit(1)
        ).first()
        if hit:
            months.append(m)
        m = m.next()
    return months[::-1]
