"""The scorecard's figures in one streaming pass over the cases (what `month_figures` calls).

The definitions are those of `metrics` (and of the method page); this module only computes
them faster, for a month with 100,000 cases in a database of millions:

- one Core select over the cases that any of the six months of the trend needs, with only
  the columns it uses, streamed in chunks (no ORM objects, no correlated subqueries);
- instants are compared as the database returns them (on SQLite, the stored text, which
  sorts like the instants it holds; on PostgreSQL, datetimes), and each instant is placed
  in its month by bisection, so each case is visited once for all six months;
- working days are computed only where a figure needs them (a first resolution in one of the
  months, an open case at the end of the scorecard's month), in O(1) each from a per-day
  running total (`metrics.WorkClock`);
- the fund holding a case at a month's end is replayed only for cases that have transfer
  events, and open/closed at a month's end only for cases that have reopen events; for every
  other case they follow from `fund_id` and `first_resolved_at`;
- the events of the month are counted from one select of the few kinds the scorecard uses.

`tests/reports/test_scan.py` checks the result against the row-by-row computation in
`metrics` (`_month_core`) and against figures computed by hand from the raw events.
"""

from __future__ import annotations

import statistics
from bisect import bisect_right
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

from sqlalchemy import String, select, type_coerce

from grievance.domain.calendar import DAY_SECONDS, TZ
from grievance.extensions import db
from grievance.models import Case, Category, Event, Fund
from grievance.models.case import CHANNELS
from grievance.reports import metrics

# What one case adds to a breakdown row of the scorecard's month (a "signature"): received,
# people, ack due, ack on time, resolve due, resolve on time, open at month end, breached.
# Cases are counted per (key, signature), so a breakdown costs one dict update per case.
RECEIVED, PEOPLE, ACK_DUE, ACK_OK, RES_DUE, RES_OK, OPEN, BREACHED = range(8)
NO_OFFICE = "--"
CHUNK = 10_000


class _Clock:
    """metrics.WorkClock's arithmetic (same floats), with the local time worked out per hour, not per call."""

    def __init__(self, clock: metrics.WorkClock) -> None:
        self.clock = clock
        self.offsets: dict[tuple[int, int, int, int], timedelta] = {}
        self.hours: dict[str, tuple[float, bool, int]] = {}

    def position(self, naive_utc: datetime) -> float:
        local = self._local(naive_utc)
        c = self.clock
        index = min(max((local.date() - c.first).days, 0), len(c.working) - 1)
        into_day = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return c.cumulative[index] + (into_day if c.working[index] else 0)

    def position_text(self, text: str) -> float:
        """position() of SQLite's 'YYYY-MM-DD HH:MM:SS[.ffffff]' without building a datetime."""
        hour = self.hours.get(text[:13])
        if hour is None:
            local = self._local(datetime.fromisoformat(text[:13] + ":00:00"))
            index = min(max((local.date() - self.clock.first).days, 0), len(self.clock.working) - 1)
            hour = self.hours[text[:13]] = (self.clock.cumulative[index], self.clock.working[index], local.hour * 3600)
        base, works, hour_seconds = hour
        if not works:
            return base
        micro = int(text[20:26].ljust(6, "0")) if len(text) > 20 else 0
        return base + ((hour_seconds + int(text[14:16]) * 60 + int(text[17:19])) + micro / 1e6)

    def _local(self, naive_utc: datetime) -> datetime:
        key = (naive_utc.year, naive_utc.month, naive_utc.day, naive_utc.hour)
        offset = self.offsets.get(key)
        if offset is None:
            offset = self.offsets[key] = naive_utc.replace(tzinfo=timezone.utc).astimezone(TZ).utcoffset()
        return naive_utc + offset

    def days_between(self, start, end) -> float:
        """Working days from start to end, each a naive-UTC datetime or SQLite's text of one."""
        a = self.position_text(start) if isinstance(start, str) else self.position(start)
        b = self.position_text(end) if isinstance(end, str) else self.position(end)
        return max(0.0, b - a) / DAY_SECONDS


def _instant_reader():
    """(column wrapper, boundary formatter) for the dialect: the stored text on SQLite."""
    if db.engine.dialect.name == "sqlite":
        # SQLAlchemy stores DATETIME on SQLite as 'YYYY-MM-DD HH:MM:SS.ffffff', which sorts as
        # the instants do; reading the text skips a regex parse of every value.
        return (
            lambda column: type_coerce(column, String),
            lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S.%f"),
        )
    return (lambda column: column), (lambda moment: moment)


def _pct(n: int, d: int) -> float | None:
    return metrics._pct(n, d)


def _empty_totals() -> dict:
    return {
        "received": 0,
        "people": 0,
        "ack_due": 0,
        "ack_on_time": 0,
        "resolve_due": 0,
        "resolve_on_time": 0,
        "backlog_total": 0,
        "durations": [],
    }


def figures(month: metrics.Month, funds: list[str], clock: metrics.WorkClock) -> dict:
    """funds / total / breakdowns / trend / flagged / intake of `month`, as month_figures returns them."""
    wrap, fmt = _instant_reader()
    months = [month.previous(back) for back in range(metrics.TREND_MONTHS - 1, -1, -1)]
    edges = [m.bounds()[0] for m in months] + [month.bounds()[1]]
    bounds = [fmt(e) for e in edges]  # bounds[i] <= instant < bounds[i + 1]: month i; T = target month
    T = len(months) - 1
    window_start, end = edges[0], edges[-1]
    start_raw, end_raw = bounds[T], bounds[T + 1]
    in_scope = set(funds)
    fast = _Clock(clock)

    fund_code = dict(db.session.execute(select(Fund.id, Fund.code)).all())
    category_code = dict(db.session.execute(select(Category.id, Category.code)).all())
    transfers = _transfers(wrap)
    reopened = _reopen_replay(wrap, end)

    def fund_at(case_id: int, current: str, at_end: str) -> str:
        moves = transfers.get(case_id)
        if moves is None:
            return current
        last_to = None
        for at, _source, target in moves:
            if at < at_end:
                last_to = target
        return last_to or moves[0][1] or current

    def open_at(case_id: int, first_resolved, at_end: str) -> bool:
        history = reopened.get(case_id)
        if history is None:
            return first_resolved is None or first_resolved >= at_end
        last = None
        for at, kind in history:
            if at < at_end:
                last = kind
        return last in (None, "reopen")

    trend = [_empty_totals() for _ in months]
    # The scorecard's own month, per fund at its end: cases counted by signature (see above).
    fund_cases: dict[str, Counter] = defaultdict(Counter)  # (signature, band, b_ack, b_res, b_loop, escalated)
    durations: dict[str, list[float]] = defaultdict(list)
    by_key = {dimension: Counter() for dimension in ("category", "province", "group", "channel")}
    intake = {"channel": Counter(), "office": Counter()}
    finished: dict[str, int] = defaultdict(int)  # cases resolved or rejected in the month
    flagged: list[dict] = []
    # The same candidates as metrics._case_rows, for the six months at once.
    maybe_open = (Case.first_resolved_at.is_(None)) | (Case.first_resolved_at >= window_start) | (Case.reopen_count > 0)
    for column in (
        Case.received_at,
        Case.ack_due_at,
        Case.resolve_due_at,
        Case.ack_breached_at,
        Case.resolve_breached_at,
        Case.loop_breached_at,
        Case.escalated_at,
    ):
        maybe_open = maybe_open | (column >= window_start)
    query = (
        select(
            Case.id,
            Case.reference,
            Case.fund_id,
            Case.category_id,
            Case.province_code,
            Case.gender,
            Case.disability,
            Case.idpoor,
            Case.informal_worker,
            Case.indigenous,
            Case.people_affected,
            Case.channel,
            Case.intake_office_id,
            wrap(Case.received_at),
            wrap(Case.acknowledged_at),
            wrap(Case.ack_due_at),
            wrap(Case.first_resolved_at),
            wrap(Case.resolve_due_at),
            wrap(Case.ack_breached_at),
            wrap(Case.resolve_breached_at),
            wrap(Case.loop_breached_at),
            wrap(Case.escalated_at),
        )
        .where(Case.received_at < end, maybe_open)
        .order_by(Case.id)
    )
    all_in_scope = set(fund_code.values()) <= in_scope
    everywhere, nowhere = [True] * (T + 1), [False] * (T + 1)
    result = db.session.connection().execute(query.execution_options(yield_per=CHUNK))
    rows = (row for chunk in result.partitions() for row in chunk)
    end_position = fast.position_text(end_raw) if isinstance(end_raw, str) else fast.position(end_raw)
    for (cid, reference, fund_id, category_id, province, gender, disability, idpoor, informal, indigenous, people,
         channel, office, received, acked, ack_due, first_resolved, resolve_due, ack_breach, resolve_breach,
         loop_breach, escalated) in rows:  # fmt: skip
        current = fund_code.get(fund_id)
        moved = cid in transfers
        ri = bisect_right(bounds, received) - 1
        ai = bisect_right(bounds, ack_due) - 1
        di = bisect_right(bounds, resolve_due) - 1
        fi = 7 if first_resolved is None else bisect_right(bounds, first_resolved) - 1
        people = people or 1
        history = reopened.get(cid)
        # Months whose end finds the case open: the end of month i is bounds[i + 1].
        if history is not None:
            open_months = [i for i in range(max(ri, 0), T + 1) if open_at(cid, first_resolved, bounds[i + 1])]
            finished_now = any(start_raw <= at < end_raw for at, kind in history if kind != "reopen")
        else:
            open_months = range(max(ri, 0), min(fi, T + 1))
            finished_now = fi == T
        # Whether the case is in the scorecard's scope at the end of each month.
        if moved:
            scoped = [all_in_scope or fund_at(cid, current, bounds[i + 1]) in in_scope for i in range(T + 1)]
        else:
            scoped = everywhere if current in in_scope else nowhere

        # The trend: each instant counts in the one month it falls in (received before that month's end).
        if 0 <= ri <= T and scoped[ri]:
            t = trend[ri]
            t["received"] += 1
            t["people"] += people
        if 0 <= ai <= T and ri <= ai and scoped[ai]:
            t = trend[ai]
            t["ack_due"] += 1
            t["ack_on_time"] += acked is not None and acked <= ack_due
        if 0 <= di <= T and ri <= di and scoped[di]:
            t = trend[di]
            t["resolve_due"] += 1
            t["resolve_on_time"] += first_resolved is not None and first_resolved <= resolve_due
        days = None
        if 0 <= fi <= T and ri <= fi and scoped[fi]:
            days = fast.days_between(received, first_resolved)
            trend[fi]["durations"].append(days)
        for i in open_months:
            if scoped[i]:
                trend[i]["backlog_total"] += 1

        # The scorecard's own month.
        b_ack = ack_breach is not None and start_raw <= ack_breach < end_raw
        b_res = resolve_breach is not None and start_raw <= resolve_breach < end_raw
        b_loop = loop_breach is not None and start_raw <= loop_breach < end_raw
        escalated_now = escalated is not None and start_raw <= escalated < end_raw
        is_open = T in open_months
        if not (ri == T or ai == T or di == T or fi == T or is_open or b_ack or b_res or b_loop or escalated_now):
            if finished_now and scoped[T]:
                finished[fund_at(cid, current, end_raw) if moved else current] += 1
            continue
        holder = fund_at(cid, current, end_raw) if moved else current
        if holder not in in_scope:
            continue
        finished[holder] += finished_now
        band = -1
        if is_open:
            start_position = fast.position_text(received) if isinstance(received, str) else fast.position(received)
            age = int(max(0.0, end_position - start_position) / DAY_SECONDS)  # = fast.days_between(received, end)
            band = metrics.BACKLOG_BANDS.index(metrics.backlog_band(age))
        if fi == T:
            durations[holder].append(days)
        got = ri == T
        signature = (
            int(got),
            people if got else 0,
            int(ai == T),
            int(ai == T and acked is not None and acked <= ack_due),
            int(di == T),
            int(di == T and first_resolved is not None and first_resolved <= resolve_due),
            int(is_open),
            int(b_ack or b_res or b_loop),
        )
        fund_cases[holder][(signature, band, b_ack, b_res, b_loop, escalated_now)] += 1
        by_key["category"][(holder, category_code.get(category_id), signature)] += 1
        by_key["province"][(holder, province or "--", signature)] += 1
        by_key["channel"][(holder, channel, signature)] += 1
        for name, on in (
            ("women", gender == "female"),
            ("disability", disability),
            ("idpoor", idpoor),
            ("informal_worker", informal),
            ("indigenous", indigenous),
        ):
            if on:
                by_key["group"][(holder, name, signature)] += 1
        if got:
            intake["channel"][(channel, holder)] += 1
            intake["office"][(NO_OFFICE if office is None else str(office), holder)] += 1
        if b_ack or b_res or b_loop or escalated_now:
            flagged.append(
                {
                    "reference": reference,
                    "fund": holder,
                    "category": category_code.get(category_id),
                    "breaches": [
                        name for name, hit in zip(metrics.BREACH_CLOCKS, (b_ack, b_res, b_loop), strict=True) if hit
                    ],
                    "escalated": escalated_now,
                }
            )
    flagged.sort(key=lambda item: item["reference"])

    events = _event_counts(wrap, bounds, months, fund_code, transfers, fund_at)
    for code, n in finished.items():
        events[T][code]["finished"] = n
    per_fund = []
    for code in funds:
        block = _block(fund_cases[code], durations[code])
        per_fund.append({"code": code, **_with_events(block, events[T].get(code, {}))})
    total_events: dict[str, int] = defaultdict(int)
    for code in funds:
        for k, v in events[T].get(code, {}).items():
            total_events[k] += v
    everything: Counter = Counter()
    for code in funds:
        everything.update(fund_cases[code])
    total = _with_events(_block(everything, [d for code in funds for d in durations[code]]), total_events)

    trend_out = []
    for i, m in enumerate(months):
        t = trend[i]
        feedback = sum(events[i].get(code, {}).get("feedback", 0) for code in funds)
        satisfied = sum(events[i].get(code, {}).get("satisfied", 0) for code in funds)
        values = {
            "received": t["received"],
            "ack_on_time_pct": _pct(int(t["ack_on_time"]), t["ack_due"]),
            "resolve_on_time_pct": _pct(int(t["resolve_on_time"]), t["resolve_due"]),
            "days_median": metrics._round(statistics.median(t["durations"])) if t["durations"] else None,
            "backlog_total": t["backlog_total"],
            "satisfaction_pct": _pct(satisfied, feedback),
            "ack_on_time": int(t["ack_on_time"]),
            "ack_due": t["ack_due"],
            "resolve_on_time": int(t["resolve_on_time"]),
            "resolve_due": t["resolve_due"],
            "satisfied": satisfied,
            "feedback": feedback,
        }
        if i == T:
            values = {k: total[k] for k in metrics.HEADLINE + metrics.TREND_COUNTS}
        trend_out.append({"month": str(m), **{k: values[k] for k in metrics.HEADLINE + metrics.TREND_COUNTS}})

    breakdowns = {code: {dimension: [] for dimension in by_key} for code in funds}
    for dimension, counted in by_key.items():
        sums: dict[tuple[str, str], list[int]] = {}
        for (holder, key, signature), n in counted.items():
            acc = sums.setdefault((holder, key), [0] * len(signature))
            for column, value in enumerate(signature):
                acc[column] += n * value
        for (holder, key), acc in sorted(sums.items(), key=lambda item: (item[0][0], str(item[0][1]))):
            row = _slim_row(key, acc)
            if row is not None:
                breakdowns[holder][dimension].append(row)
    return {
        "funds": per_fund,
        "total": total,
        "breakdowns": breakdowns,
        "trend": trend_out,
        "flagged_cases": flagged,
        "intake": _intake(intake, funds),
    }


# ---------------------------------------------------------------------------------------
# Events


def _transfers(wrap) -> dict[int, list[tuple]]:
    """case id -> [(at, from_fund, to_fund)] in seq order, for the cases that were ever transferred."""
    query = (
        select(
            Event.case_id,
            wrap(Event.at),
            metrics._json_text(Event.payload, "from_fund"),
            metrics._json_text(Event.payload, "to_fund"),
        )
        .where(Event.kind == "transfer", Event.case_id.is_not(None))
        .order_by(Event.case_id, Event.seq)
    )
    moves: dict[int, list[tuple]] = defaultdict(list)
    for case_id, at, source, target in db.session.execute(query):
        moves[case_id].append((at, source, target))
    return dict(moves)


def _reopen_replay(wrap, end: datetime) -> dict[int, list[tuple]]:
    """case id -> [(at, kind)] of resolve/reject/reopen in seq order, for cases reopened before `end`."""
    reopened = select(Event.case_id).where(Event.kind == "reopen", Event.at < end)
    query = (
        select(Event.case_id, wrap(Event.at), Event.kind)
        .where(Event.kind.in_(("resolve", "reject", "reopen")), Event.case_id.in_(reopened))
        .order_by(Event.case_id, Event.seq)
    )
    history: dict[int, list[tuple]] = defaultdict(list)
    for case_id, at, kind in db.session.execute(query):
        history[case_id].append((at, kind))
    return dict(history)


def _event_counts(wrap, bounds, months, fund_code, transfers, fund_at) -> list[dict[str, dict]]:
    """Per month of the window, per fund at that month's end: the event-based counts.

    Feedback is counted for every month (the trend prints satisfaction); transfers, reopenings
    and extensions only for the scorecard's month (the last one). SQLite answers the OR with
    the index on events.kind, one probe per kind.
    """
    T = len(months) - 1
    counts: list[dict[str, dict]] = [defaultdict(lambda: defaultdict(int)) for _ in months]
    start, end = months[0].bounds()[0], months[-1].bounds()[1]
    target_start = months[-1].bounds()[0]
    # Resolutions are not read here: a case's resolutions in the month follow from
    # first_resolved_at, or from the replayed history of a reopened case (see figures()).
    target_kinds = ("reopen", "request_extension", "decide_extension")
    query = (
        select(
            Event.case_id,
            Event.kind,
            wrap(Event.at),
            Case.fund_id,
            metrics._json_text(Event.payload, "solved"),
            metrics._json_text(Event.payload, "approved"),
        )
        .join(Case, Case.id == Event.case_id)
        .where(
            Event.at < end,
            ((Event.kind == "feedback") & (Event.at >= start))
            | (Event.kind.in_(target_kinds) & (Event.at >= target_start)),
        )
    )
    reopened: dict[str, set] = defaultdict(set)
    for case_id, kind, at, fund_id, solved, approved in db.session.execute(query):
        i = bisect_right(bounds, at) - 1
        if not 0 <= i <= T:
            continue
        current = fund_code.get(fund_id)
        code = fund_at(case_id, current, bounds[i + 1]) if case_id in transfers else current
        if kind == "feedback":
            counts[i][code]["feedback"] += 1
            counts[i][code]["satisfied"] += solved in (1, True, "true")
        elif i != T:
            continue
        elif kind == "reopen":
            reopened[code].add(case_id)
        elif kind == "request_extension":
            counts[i][code]["extensions_requested"] += 1
        elif kind == "decide_extension" and approved in (1, True, "true"):
            counts[i][code]["extensions_approved"] += 1
    for code, ids in reopened.items():
        counts[T][code]["reopened"] = len(ids)
    target_start_raw, target_end_raw = bounds[T], bounds[T + 1]
    for moves in transfers.values():
        for at, source, target in moves:
            if target_start_raw <= at < target_end_raw:
                counts[T][source]["transfers_out"] += 1
                counts[T][target]["transfers_in"] += 1
    return counts


EVENT_FIGURES = (
    "transfers_in",
    "transfers_out",
    "reopened",
    "finished",
    "feedback",
    "satisfied",
    "extensions_requested",
    "extensions_approved",
)


def _with_events(block: dict, ev: dict) -> dict:
    for key in EVENT_FIGURES:
        block[key] = int(ev.get(key, 0))
    block["reopen_rate_pct"] = _pct(block["reopened"], block["finished"])
    block["satisfaction_pct"] = _pct(block["satisfied"], block["feedback"])
    block["ratings"] = {name: metrics.rate(name, block.get(name)) for name in metrics.RATINGS}
    return block


# ---------------------------------------------------------------------------------------
# Blocks of the scorecard's month, from the counted signatures


def _block(counted: Counter, durations: list[float]) -> dict:
    """The same dict as metrics._case_block: counted maps (signature, band, b_ack, b_res, b_loop, escalated) -> n."""
    sums = [0] * 8
    bands = dict.fromkeys(metrics.BACKLOG_BANDS, 0)
    breaches = dict.fromkeys(metrics.BREACH_CLOCKS, 0)
    escalations = 0
    for (signature, band, b_ack, b_res, b_loop, escalated), n in counted.items():
        for column, value in enumerate(signature):
            sums[column] += n * value
        if band >= 0:
            bands[metrics.BACKLOG_BANDS[band]] += n
        breaches["acknowledge"] += n * b_ack
        breaches["resolve"] += n * b_res
        breaches["keep_in_loop"] += n * b_loop
        escalations += n * escalated
    b = {
        "received": sums[RECEIVED],
        "people": sums[PEOPLE],
        "ack_due": sums[ACK_DUE],
        "ack_on_time": sums[ACK_OK],
        "resolve_due": sums[RES_DUE],
        "resolve_on_time": sums[RES_OK],
        "resolved": len(durations),
        "backlog": bands,
        "breaches": breaches,
        "breached_cases": sums[BREACHED],
        "escalations": escalations,
    }
    b["ack_on_time_pct"] = _pct(b["ack_on_time"], b["ack_due"])
    b["resolve_on_time_pct"] = _pct(b["resolve_on_time"], b["resolve_due"])
    b["days_median"] = metrics._round(statistics.median(durations)) if durations else None
    b["days_p90"] = metrics._round(metrics.nearest_rank(durations, 90))
    b["backlog_total"] = sum(bands.values())
    b["backlog_over_30_pct"] = _pct(bands["31+"], b["backlog_total"])
    b["breaches_total"] = sum(breaches.values())
    return b


def _slim_row(key: str, sums: list[int]) -> dict | None:
    """One breakdown row (metrics._slim's columns), or None when the group has nothing to show."""
    if not (sums[RECEIVED] or sums[ACK_DUE] or sums[RES_DUE] or sums[OPEN]):
        return None
    return {
        "key": key,
        "received": sums[RECEIVED],
        "people": sums[PEOPLE],
        "ack_due": sums[ACK_DUE],
        "ack_on_time": sums[ACK_OK],
        "ack_on_time_pct": _pct(sums[ACK_OK], sums[ACK_DUE]),
        "resolve_due": sums[RES_DUE],
        "resolve_on_time": sums[RES_OK],
        "resolve_on_time_pct": _pct(sums[RES_OK], sums[RES_DUE]),
        "backlog_total": sums[OPEN],
        "breached_cases": sums[BREACHED],
    }


def _intake(counted: dict[str, Counter], funds: list[str]) -> dict[str, list[dict]]:
    """Complaints received in the month by channel and by intake office, per fund at month end."""
    out: dict[str, list[dict]] = {}
    for dimension, counter in counted.items():
        rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(funds, 0))
        for (key, holder), n in counter.items():
            rows[key][holder] += n
        if dimension == "channel":
            keys = sorted(rows, key=lambda k: (CHANNELS.index(k) if k in CHANNELS else len(CHANNELS), k))
        else:
            keys = sorted(rows, key=lambda k: (k == NO_OFFICE, int(k) if k.isdigit() else 0, k))
        out[dimension] = [{"key": k, "by_fund": rows[k], "total": sum(rows[k].values())} for k in keys]
    return out
