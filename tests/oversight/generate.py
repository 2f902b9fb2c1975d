"""A month of cases made through the real services at explicit instants, and the raw-event oracle.

`generate(make)` plays about sixty cases from February to May 2026 (receipts, acknowledgements
on time and late, answers, transfers, feedback, reopenings, escalations, sweeps).
`oracle(month)` recomputes the dashboard's figures for one month from the audit events alone,
without calling grievance.reports.metrics or grievance.oversight.
"""

from __future__ import annotations

import json
import math
import random
import statistics
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import select

from grievance.cases import service as cases
from grievance.domain.calendar import TZ
from grievance.domain.workflow import TransitionRefused
from grievance.extensions import db
from grievance.models import Case, Event, Fund
from grievance.services import reference
from grievance.services.sweep import sweep

START = datetime(2026, 2, 20, 2, 0, tzinfo=timezone.utc)
CATEGORIES = ["NSAF-CT-MISSING", "NSAF-ELIG", "NSSF-INFORMAL", "NSSF-HEALTH", "HEALTH-FEE", "IDPOOR"]


def generate(make, n: int = 60, seed: int = 7) -> dict:
    rng = random.Random(seed)
    # NSPC's cases are handled by the council's triage desk (its readers, role oversight, act on none).
    officers = {code: make.user("officer", fund=code) for code in ("NSAF", "NSSF", "HEALTH", "NSPC")}
    supervisors = {code: make.user("supervisor", fund=code) for code in ("NSAF", "NSSF", "HEALTH")}
    council = make.user("oversight")
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    made = []
    for _ in range(n):
        received = START + timedelta(days=rng.uniform(0, 90), hours=rng.uniform(0, 9))
        case, _ = make.case(
            rng.choice(CATEGORIES),
            now=received,
            commit=False,
            province_code=rng.choice(["12", "12", "03", "17", "02", None]),
            gender=rng.choice(["female", "male", None]),
            disability=rng.random() < 0.2,
            idpoor=rng.random() < 0.5,
            informal_worker=rng.random() < 0.3,
        )
        t = received

        def later(lo, hi):
            nonlocal t
            t = t + timedelta(hours=rng.uniform(lo, hi))
            return t

        actor = officers[case.fund.code]
        try:
            if rng.random() < 0.15:
                made.append(case)
                continue
            cases.acknowledge(case, actor, "Thank you", now=later(1, 90))
            if case.fund.code == "NSAF" and rng.random() < 0.5:
                cases.transfer(case, actor, nssf, "NSSF matter", now=later(2, 60))
                actor = officers["NSSF"]
            if rng.random() < 0.1:
                cases.escalate(case, actor, "needs the council", now=later(1, 30))
            if rng.random() < 0.25:
                made.append(case)
                continue
            cases.start(case, actor, now=later(1, 20))
            if rng.random() < 0.8:
                cases.resolve(case, actor, "remedied", "Paid", now=later(20, 24 * 25))
            else:
                cases.reject(case, actor, "Outside our remit", now=later(20, 24 * 20))
            if rng.random() < 0.7:
                cases.record_feedback(case, rng.random() < 0.7, now=later(5, 24 * 6))
        except TransitionRefused:
            pass
        made.append(case)
    for day in (date(2026, 3, 1), date(2026, 3, 20), date(2026, 4, 10), date(2026, 5, 1), date(2026, 5, 25)):
        sweep(datetime.combine(day, time(9), TZ).astimezone(timezone.utc))
    db.session.commit()
    return {"cases": made, "officers": officers, "supervisors": supervisors, "council": council}


# ---------------------------------------------------------------------------------------
# The oracle: figures from the raw events only.


def _utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=timezone.utc) if instant.tzinfo is None else instant


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    first = datetime(year, month, 1, tzinfo=TZ)
    nxt = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=TZ)
    return first.astimezone(timezone.utc), nxt.astimezone(timezone.utc)


def oracle(year: int, month: int) -> dict:
    """{fund or 'ALL': {figure: (count, set of case ids)} , plus medians}, from events alone."""
    start, end = month_bounds(year, month)
    cal = reference.working_calendar()
    by_case: dict[int, list] = defaultdict(list)
    for ev in db.session.execute(select(Event).where(Event.case_id.is_not(None)).order_by(Event.seq)).scalars():
        by_case[ev.case_id].append((ev.kind, _utc(ev.at), ev.actor_label, ev.public, json.loads(ev.payload)))
    province = dict(db.session.execute(select(Case.id, Case.province_code)).all())

    def within(moment):
        return moment is not None and start <= moment < end

    figures: dict[str, dict[str, set]] = defaultdict(lambda: defaultdict(set))
    durations: dict[str, list[float]] = defaultdict(list)
    event_counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for case_id, events in by_case.items():
        received = next(e for e in events if e[0] == "received")
        received_at = received[1]
        if received_at >= end:
            continue
        fund = received[4]["fund"]
        for kind, at, _label, _public, payload in events:
            if kind == "transfer" and at < end:
                fund = payload["to_fund"]
        ack_due = datetime.fromisoformat(received[4]["ack_due"])
        resolve_due = datetime.fromisoformat(received[4]["resolve_due"])
        acked = next((at for kind, at, label, public, _ in events if public and label == "staff"), None)
        answered = next((at for kind, at, *_ in events if kind in ("resolve", "reject")), None)
        marks = [(f, k) for f in (fund, "ALL") for k in ("", province[case_id] or "--")]

        def add(figure, case_id=case_id, marks=marks):
            for f, prov in marks:
                figures[f + (":" + prov if prov else "")][figure].add(case_id)

        if within(received_at):
            add("received")
        if within(ack_due):
            add("ack_due")
            if acked is not None and acked <= ack_due:
                add("ack_on_time")
        if within(resolve_due):
            add("resolve_due")
            if answered is not None and answered <= resolve_due:
                add("resolve_on_time")
        if within(answered):
            add("resolved")
            for f in (fund, "ALL"):
                durations[f].append(cal.working_seconds_between(received_at, answered) / 86400)
        state = None
        for kind, at, *_ in events:
            if kind in ("resolve", "reject", "reopen") and at < end:
                state = kind
        if state in (None, "reopen"):
            add("backlog_total")
            age = int(cal.working_seconds_between(received_at, end) / 86400)
            band = "0-5" if age <= 5 else "6-15" if age <= 15 else "16-30" if age <= 30 else "31+"
            add("backlog:" + band)
        breach_dues = [datetime.fromisoformat(p["due"]) for kind, _at, _l, _p, p in events if kind == "sla_breach"]
        if any(within(d) for d in breach_dues):
            add("breached_cases")
        escalated = [datetime.fromisoformat(p["due"]) for kind, _a, _l, _p, p in events if kind == "escalated"]
        escalated += [at for kind, at, *_ in events if kind == "escalate"]
        if escalated and within(min(escalated)):
            add("escalations")
        for kind, at, _label, _public, payload in events:
            if not within(at):
                continue
            if kind == "transfer":
                for f in (payload["from_fund"], "ALL"):
                    figures[f]["transfers"].add(case_id)
                    event_counts[f]["transfers"] += 1
            if kind == "reopen":
                add("reopened")
            if kind in ("resolve", "reject"):
                add("finished")
            if kind == "feedback":
                add("feedback")
                for f in (fund, "ALL"):
                    event_counts[f]["feedback"] += 1
                    event_counts[f]["satisfied"] += bool(payload["solved"])
                if payload["solved"]:
                    add("satisfied")

    def median(values):
        return None if not values else round(statistics.median(values), 1)

    def p90(values):
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[max(1, math.ceil(0.9 * len(ordered))) - 1], 1)

    return {
        "sets": figures,
        "events": event_counts,
        "median": {f: median(v) for f, v in durations.items()},
        "p90": {f: p90(v) for f, v in durations.items()},
    }
