"""The council's dashboard figures, built on the scorecard's computation (grievance.reports.metrics).

"One computation, two renderings": every number here comes from metrics' month core run over
a period (one month or a range of months), so the dashboard and the PDF scorecard agree.
This module adds only what the dashboard needs on top: a period of several months, a
12-month trend, and the membership rule behind each figure so that a figure links to
exactly the cases it counted (`case_ids`). A test checks each list's length against its figure.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Case, CaseFlag, Event, Organisation
from grievance.reports import incident_figures, metrics
from grievance.reports.metrics import BACKLOG_BANDS, BREACH_CLOCKS, GROUPS, CaseRow, Month

TREND_MONTHS = 12
MAX_MONTHS = 36


@dataclass(frozen=True)
class Period:
    """Whole months from `first` to `last` (inclusive), in Asia/Phnom_Penh."""

    first: Month
    last: Month

    @classmethod
    def parse(cls, first: str | None, last: str | None, default: Month) -> Period:
        """From 'YYYY-MM' texts; a bad or reversed range falls back to `default` alone."""
        try:
            start = Month.parse(first) if first else default
            end = Month.parse(last) if last else start
        except ValueError:
            return cls(default, default)
        months = (end.year - start.year) * 12 + end.month - start.month
        if months < 0 or months >= MAX_MONTHS:
            return cls(default, default)
        return cls(start, end)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as naive UTC; metrics' month core needs only this of a month."""
        return self.first.bounds()[0], self.last.bounds()[1]

    @property
    def single(self) -> bool:
        return self.first == self.last

    def __str__(self) -> str:
        return str(self.first) if self.single else f"{self.first}…{self.last}"


def _clock(first_day: date, last: Month) -> metrics.WorkClock:
    earliest = metrics._earliest_received() or first_day
    return metrics._clock(min(earliest, first_day), last.next().first_day())


def _core(period, funds: list[str], clock: metrics.WorkClock) -> dict:
    # metrics._month_core reads only period.bounds(): a Period goes through unchanged.
    return metrics._month_core(period, funds, clock)


def _with_transfers(block: dict, per_fund: list[dict]) -> dict:
    """The scorecard nets transfers between its own funds to zero; the dashboard counts them."""
    block["transfers"] = sum(f["transfers_out"] for f in per_fund)
    return block


def compute(period: Period, funds: list[str], clock: metrics.WorkClock) -> dict:
    """Every figure of a period for all funds: per fund, total, and the breakdowns of each fund and of all.

    Plain values only (it is stored as JSON by `snapshots`).
    """
    start, end = period.bounds()
    core = _core(period, funds, clock)
    for block in core["funds"]:
        block["transfers"] = block["transfers_out"]
    total = _with_transfers(core["total"], core["funds"])
    breakdowns = {}
    for scope in (ALL, *funds):
        rows = core["rows"] if scope == ALL else [r for r in core["rows"] if r.fund == scope]
        breakdowns[scope] = {
            "by_province": _by_province(rows, start, end, clock),
            "groups": metrics._breakdown(rows, lambda r: [g for g in GROUPS if getattr(r, g)], start, end, clock),
        }
    blocks = {ALL: total, **{f["code"]: f for f in core["funds"]}}
    apart = incident_figures.split(start, end, funds, clock, blocks)
    return {"funds": core["funds"], "total": total, "breakdowns": breakdowns, "incidents": apart}


ALL = "ALL"


def _fund_total(data: dict, fund: str | None) -> dict:
    """The block of one fund (or the total of all), as the trend shows it."""
    if fund is None:
        return data["total"]
    block = next(f for f in data["funds"] if f["code"] == fund)
    return {k: v for k, v in block.items() if k != "code"}


def dashboard(period: Period, fund: str | None = None) -> dict:
    """Every figure of the dashboard for a period; `fund` narrows breakdowns and trend to one fund.

    Each period's figures come from `snapshots` (stored after they are computed, recomputed when
    a write reaches back into them); the flags are always read live.
    """
    from grievance.oversight import snapshots

    funds = metrics._fund_codes(None)
    fund = fund if fund in funds else None
    data, computed_at = snapshots.period_figures(period, compute)
    scope = data["breakdowns"][fund or ALL]

    trend = []
    oldest = computed_at
    for back in range(TREND_MONTHS - 1, -1, -1):
        m = period.last.previous(back)
        month_data, at = (
            (data, computed_at) if period == Period(m, m) else snapshots.period_figures(Period(m, m), compute)
        )
        oldest = min(oldest, at)
        trend.append({"month": str(m), **_fund_total(month_data, fund)})

    return {
        "period": period,
        "fund": fund,
        "funds": data["funds"],
        "total": data["total"],
        "selected": next(f for f in data["funds"] if f["code"] == fund) if fund else data["total"],
        "by_province": {b["key"]: b for b in scope["by_province"]},
        "groups": scope["groups"],
        "trend": trend,
        "incidents": data.get("incidents", {}).get(fund or ALL),  # incident cases apart
        "flags": open_flags(),
        "computed_at": oldest,
    }


def _by_province(rows: list[CaseRow], start: datetime, end: datetime, clock: metrics.WorkClock) -> list[dict]:
    return metrics._breakdown(rows, lambda r: [r.province or "--"], start, end, clock)


def open_flags(fund_id: int | None = None) -> list:
    """Flags not yet handled (oldest first), with their case and organisation."""
    query = (
        select(CaseFlag, Case, Organisation.name)
        .join(Case, Case.id == CaseFlag.case_id)
        .join(Organisation, Organisation.id == CaseFlag.organisation_id)
        .where(CaseFlag.status == "open")
        .order_by(CaseFlag.created_at, CaseFlag.id)
    )
    if fund_id is not None:
        query = query.where(Case.fund_id == fund_id)
    return db.session.execute(query).all()


# ---------------------------------------------------------------------------------------
# What each figure counted. Case-based figures mirror metrics._case_block one to one;
# event-based ones mirror metrics._event_counts.


def _within(start: datetime, end: datetime) -> Callable[[datetime | None], bool]:
    return lambda moment: moment is not None and start <= moment < end


def _row_rules(start: datetime, end: datetime) -> dict[str, Callable[[CaseRow], bool]]:
    within = _within(start, end)

    def breached(r: CaseRow, clocks=BREACH_CLOCKS) -> bool:
        moments = dict(zip(BREACH_CLOCKS, (r.ack_breached_at, r.resolve_breached_at, r.loop_breached_at), strict=True))
        return any(within(moments[c]) for c in clocks)

    rules: dict[str, Callable[[CaseRow], bool]] = {
        "received": lambda r: within(r.received_at),
        "ack_due": lambda r: within(r.ack_due_at),
        "ack_on_time": lambda r: (
            within(r.ack_due_at) and r.acknowledged_at is not None and r.acknowledged_at <= r.ack_due_at
        ),
        "resolve_due": lambda r: within(r.resolve_due_at),
        "resolve_on_time": lambda r: (
            within(r.resolve_due_at) and r.first_resolved_at is not None and r.first_resolved_at <= r.resolve_due_at
        ),
        "resolved": lambda r: within(r.first_resolved_at),
        "backlog_total": lambda r: r.state_kind in (None, "reopen"),
        "breached_cases": breached,
        "escalations": lambda r: within(r.escalated_at),
    }
    for name in BREACH_CLOCKS:
        rules[f"breach_{name}"] = lambda r, name=name: breached(r, (name,))
    return rules


CASE_FIGURES = (
    "received",
    "ack_due",
    "ack_on_time",
    "resolve_due",
    "resolve_on_time",
    "resolved",
    "backlog_total",
    "breached_cases",
    "escalations",
    *(f"breach_{c}" for c in BREACH_CLOCKS),
)
EVENT_FIGURES = ("transfers", "transfers_in", "transfers_out", "reopened", "finished", "feedback", "satisfied")
FIGURES = CASE_FIGURES + EVENT_FIGURES


def _event_case_ids(figure: str, start: datetime, end: datetime, funds: list[str]) -> set[int]:
    in_period = (Event.at >= start, Event.at < end)
    if figure.startswith("transfer"):
        source = metrics._json_text(Event.payload, "from_fund")
        target = metrics._json_text(Event.payload, "to_fund")
        query = select(Event.case_id).distinct().where(Event.kind == "transfer", *in_period)
        if figure == "transfers_in":
            query = query.where(target.in_(funds))
        else:
            query = query.where(source.in_(funds))
        return set(db.session.execute(query).scalars())
    kinds = {
        "reopened": ("reopen",),
        "finished": ("resolve", "reject"),
        "feedback": ("feedback",),
        "satisfied": ("feedback",),
    }[figure]
    query = (
        select(Event.case_id)
        .distinct()
        .join(Case, Case.id == Event.case_id)
        .where(Event.kind.in_(kinds), *in_period, metrics._fund_at(end).in_(funds))
    )
    if figure == "satisfied":
        solved = metrics._json_text(Event.payload, "solved")
        query = query.where(solved == ("true" if db.engine.dialect.name == "postgresql" else 1))
    return set(db.session.execute(query).scalars())


@dataclass
class Drill:
    figure: str
    period: Period
    fund: str | None = None
    province: str | None = None
    group: str | None = None
    band: str | None = None


def case_ids(d: Drill) -> list[int]:
    """The ids of exactly the cases counted by one figure of the dashboard, in id order."""
    start, end = d.period.bounds()
    funds = metrics._fund_codes(None)
    chosen = [d.fund] if d.fund in funds else funds
    if d.figure in EVENT_FIGURES:
        return sorted(_event_case_ids(d.figure, start, end, chosen))
    rule = _row_rules(start, end)[d.figure]
    clock = _clock(d.period.first.first_day(), d.period.last) if d.band else None
    ids = []
    for r in metrics._case_rows(start, end, chosen):
        if d.province is not None and (r.province or "--") != d.province:
            continue
        if d.group is not None and not getattr(r, d.group):
            continue
        if d.band is not None:
            age = int(clock.days_between(r.received_at, end))
            if metrics.backlog_band(age) != d.band:
                continue
        if rule(r):
            ids.append(r.id)
    return ids


def validate_drill(args, default: Month) -> Drill | None:
    """A Drill from query arguments, or None when the figure or a filter is unknown."""
    figure = args.get("figure", "")
    if figure not in FIGURES:
        return None
    period = Period.parse(args.get("from"), args.get("to"), default)
    fund = args.get("fund") or None
    if fund is not None and fund not in metrics._fund_codes(None):
        return None
    province = args.get("province") or None
    if province is not None and province not in {f"{i:02d}" for i in range(1, 26)} | {"--"}:
        return None
    group = args.get("group") or None
    if group is not None and group not in GROUPS:
        return None
    band = args.get("band") or None
    if band is not None and band not in BACKLOG_BANDS:
        return None
    if figure in EVENT_FIGURES and (province or group or band):
        return None
    return Drill(figure, period, fund, province, group, band)
