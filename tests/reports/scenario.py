"""A month of cases with known outcomes, made through the real services, and the figures a
person would compute from the raw records by hand (independently of grievance.reports)."""

from __future__ import annotations

import io
import json
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from pypdf import PdfReader
from sqlalchemy import select

from grievance.cases import service as cases
from grievance.extensions import db
from grievance.models import Case, Event, Fund
from grievance.services import reference
from grievance.services.sweep import sweep

UTC = timezone.utc
PHNOM_PENH = ZoneInfo("Asia/Phnom_Penh")
MONTH = "2026-10"
START = datetime(2026, 10, 1, tzinfo=PHNOM_PENH).astimezone(UTC).replace(tzinfo=None)
END = datetime(2026, 11, 1, tzinfo=PHNOM_PENH).astimezone(UTC).replace(tzinfo=None)


def at(day: int, hour: int = 3, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Staff:
    nsaf: object
    nssf: object
    health: object


def build_month(make) -> Staff:
    """October 2026: NSAF busy (one transfer out, a reopen, feedback), NSSF steady, HEALTH tiny and late."""
    staff = Staff(
        make.user("officer", fund="NSAF"), make.user("officer", fund="NSSF"), make.user("officer", fund="HEALTH")
    )
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()

    for day in (15, 16):  # September, for the trend
        case, _ = make.case("NSAF-CT-MISSING", now=at(day, month=9), commit=False)
        cases.acknowledge(case, staff.nsaf, "ok", now=at(day + 1, month=9))
        cases.resolve(case, staff.nsaf, "remedied", "paid", now=at(day + 5, month=9))

    for i in range(8):
        received = at(1 + i)
        case, _ = make.case("NSAF-CT-MISSING", now=received, commit=False, people_affected=2)
        if i < 6:
            cases.acknowledge(case, staff.nsaf, "សូមអរគុណ", now=received + timedelta(days=1))
        if i < 5:
            cases.resolve(case, staff.nsaf, "remedied", "paid", now=received + timedelta(days=5, hours=2))
        if i == 5:
            cases.transfer(case, staff.nsaf, nssf, "contribution question", now=at(12))
        if i == 0:
            cases.record_feedback(case, True, now=at(20))
        if i == 1:
            cases.record_feedback(case, False, now=at(20))  # reopens as an appeal
        if i == 2:
            cases.reopen(case, staff.nsaf, "new evidence", now=at(21))
    for _ in range(6):
        case, _ = make.case("NSAF-CT-MISSING", now=at(20), commit=False, gender="female", people_affected=3)
        cases.acknowledge(case, staff.nsaf, "ok", now=at(21))

    for i in range(6):
        case, _ = make.case("NSSF-INFORMAL", now=at(2), commit=False, informal_worker=True)
        cases.acknowledge(case, staff.nssf, "ok", now=at(5))
        if i < 3:
            cases.resolve(case, staff.nssf, "explained", "explained", now=at(9))
            cases.record_feedback(case, i != 2, now=at(14))

    for _ in range(3):
        make.case("HEALTH-DENIED", now=at(5), commit=False, disability=True)

    sweep(at(3, month=11))
    db.session.commit()
    return staff


def shown(n: int) -> str:
    return "<5" if 0 < n < 5 else str(n)


def fraction(n: int, d: int) -> str:
    pct = "–" if d == 0 or 0 < n < 5 or 0 < d < 5 else f"{100 * n / d:.1f}%"
    return f"{shown(n)} / {shown(d)} ({pct})"


def expected_by_fund() -> dict[str, dict[str, str]]:
    """The fund-page lines of October, computed straight from cases and events."""
    cal = reference.working_calendar()
    events = db.session.execute(select(Event).order_by(Event.seq)).scalars().all()
    by_case: dict[int, list[Event]] = {}
    for ev in events:
        by_case.setdefault(ev.case_id, []).append(ev)

    def in_month(moment):
        return moment is not None and START <= moment < END

    def fund_at_end(case: Case) -> str:
        holder = json.loads(by_case[case.id][0].payload)["fund"]
        for ev in by_case[case.id]:
            if ev.kind == "transfer" and ev.at < END:
                holder = json.loads(ev.payload)["to_fund"]
        return holder

    def open_at_end(case: Case) -> bool:
        last = None
        for ev in by_case[case.id]:
            if ev.kind in ("resolve", "reject", "reopen") and ev.at < END:
                last = ev.kind
        return last in (None, "reopen")

    aware = lambda moment: moment.replace(tzinfo=UTC)  # noqa: E731
    out = {}
    all_cases = db.session.execute(select(Case)).scalars().all()
    for code in ("NSAF", "NSSF", "HEALTH"):
        mine = [c for c in all_cases if fund_at_end(c) == code]
        received = [c for c in mine if in_month(c.received_at)]
        ack = [c for c in mine if in_month(c.ack_due_at)]
        ack_ok = [c for c in ack if c.acknowledged_at and c.acknowledged_at <= c.ack_due_at]
        res = [c for c in mine if in_month(c.resolve_due_at)]
        res_ok = [c for c in res if c.first_resolved_at and c.first_resolved_at <= c.resolve_due_at]
        days = [
            cal.working_days_between(aware(c.received_at), aware(c.first_resolved_at))
            for c in mine
            if in_month(c.first_resolved_at)
        ]
        bands = [0, 0, 0, 0]
        for c in mine:
            if c.received_at < END and open_at_end(c):
                age = int(cal.working_days_between(aware(c.received_at), aware(END)))
                bands[0 if age <= 5 else 1 if age <= 15 else 2 if age <= 30 else 3] += 1
        month_events = [e for e in events if in_month(e.at)]
        moved_out = sum(1 for e in month_events if e.kind == "transfer" and json.loads(e.payload)["from_fund"] == code)
        moved_in = sum(1 for e in month_events if e.kind == "transfer" and json.loads(e.payload)["to_fund"] == code)
        ids = {c.id for c in mine}
        feedback = [json.loads(e.payload)["solved"] for e in month_events if e.kind == "feedback" and e.case_id in ids]
        out[code] = {
            "Complaints received": shown(len(received)),
            "People affected": shown(sum(c.people_affected for c in received)),
            "Acknowledged on time": fraction(len(ack_ok), len(ack)),
            "Resolved on time": fraction(len(res_ok), len(res)),
            "Median working days to resolve": f"{statistics.median(days):.1f}" if days else "–",
            "Open at month end (backlog)": " ".join(shown(n) for n in bands) + f" {shown(sum(bands))}",
            "Escalations to the council": shown(sum(1 for c in mine if in_month(c.escalated_at))),
            "Transfers in / Transfers out": f"{shown(moved_in)} / {shown(moved_out)}",
            "Complainant satisfaction": fraction(sum(1 for s in feedback if s), len(feedback)),
        }
    return out


def pdf_text_pages(data: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]


def pdf_font_names(data: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(data)).pages:
        fonts = page.get("/Resources", {}).get("/Font", {})
        for ref in fonts.values():
            names.add(str(ref.get_object().get("/BaseFont")))
    return names
