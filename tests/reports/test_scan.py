"""The streaming computation of the scorecard (reports/scan.py) against two references: the
row-by-row model in metrics (`_month_core`, `_breakdown`) and counts made by hand from the raw
events; plus the two figures only the scorecard has (approved extensions, intake by channel and
office)."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from grievance.cases import service as cases
from grievance.extensions import db
from grievance.frontdesk.service import intake_by_channel_and_office
from grievance.models import Event, ExtensionRequest, Fund, Office
from grievance.reports import metrics, scan, service
from tests.reports.scenario import END, MONTH, START, at, build_month, pdf_text_pages

NEW_BLOCK_KEYS = ("extensions_requested", "extensions_approved")


def _old_style(block: dict) -> dict:
    return {k: v for k, v in block.items() if k not in NEW_BLOCK_KEYS}


def _row_model(month: metrics.Month, funds: list[str]) -> dict:
    first = month.previous(metrics.TREND_MONTHS - 1)
    clock = metrics._clock(min(metrics._earliest_received(), first.first_day()), month.next().first_day())
    return metrics._month_core(month, funds, clock), clock


def test_streaming_figures_equal_the_row_by_row_model(app, make):
    build_month(make)
    month = metrics.Month.parse(MONTH)
    for scope in (None, "NSAF", "NSSF"):
        figures = metrics.month_figures(month, scope)
        funds = metrics._fund_codes(scope)
        core, clock = _row_model(month, funds)
        assert [_old_style(b) for b in figures["funds"]] == core["funds"]
        assert _old_style(figures["total"]) == core["total"]
        start, end = month.bounds()
        for code in funds:
            mine = [r for r in core["rows"] if r.fund == code]
            expected = metrics._breakdown(mine, lambda r: [r.category], start, end, clock)
            assert figures["breakdowns"][code]["category"] == expected
            expected = metrics._breakdown(mine, lambda r: [r.province or "--"], start, end, clock)
            assert figures["breakdowns"][code]["province"] == expected
        for point in figures["trend"][:-1]:
            earlier = _row_model(metrics.Month.parse(point["month"]), funds)[0]["total"]
            assert point == {"month": point["month"], **{k: earlier[k] for k in point if k != "month"}}


def _extension(case, officer, supervisor, approve: bool, *, asked, decided):
    if case.status == "received":
        cases.acknowledge(case, officer, "ok", now=asked - timedelta(hours=1))
    request = cases.request_extension(case, officer, 5, "a site visit is needed", now=asked)
    cases.decide_extension(request, supervisor, approve, "ok" if approve else "no", now=decided)


def test_extensions_are_counted_per_fund_and_match_the_raw_events(app, make):
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    nssf_officer, nssf_supervisor = make.user("officer", fund="NSSF"), make.user("supervisor", fund="NSSF")
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    for i in range(7):
        case, _ = make.case("NSAF-CT-MISSING", now=at(1 + i), commit=False)
        cases.acknowledge(case, officer, "ok", now=at(2 + i))
        _extension(case, officer, supervisor, i < 6, asked=at(6 + i), decided=at(7 + i))
    # Asked in September, decided in October: one decision in October, no request.
    case, _ = make.case("NSAF-CT-MISSING", now=at(20, month=9), commit=False)
    _extension(case, officer, supervisor, True, asked=at(28, month=9), decided=at(2))
    # Approved at NSAF, then the case moves to NSSF: counted under NSSF, which held it at month end.
    case, _ = make.case("NSAF-CT-MISSING", now=at(3), commit=False)
    _extension(case, officer, supervisor, True, asked=at(5), decided=at(6))
    cases.transfer(case, officer, nssf, "contribution question", now=at(8))
    # An NSSF request still pending at month end.
    case, _ = make.case("NSSF-INFORMAL", now=at(3), commit=False)
    cases.acknowledge(case, nssf_officer, "ok", now=at(4))
    cases.request_extension(case, nssf_officer, 3, "employer records", now=at(9))
    # November does not count in October.
    case, _ = make.case("NSSF-INFORMAL", now=at(1), commit=False)
    _extension(case, nssf_officer, nssf_supervisor, True, asked=at(2, month=11), decided=at(3, month=11))
    db.session.commit()

    figures = metrics.month_figures(metrics.Month.parse(MONTH))
    by_fund = {b["code"]: b for b in figures["funds"]}

    # Independently, from the raw events: the fund at month end replayed from the transfers.
    events = db.session.execute(select(Event).order_by(Event.seq)).scalars().all()
    holder = {}
    for ev in events:
        payload = json.loads(ev.payload)
        if ev.kind == "received":
            holder.setdefault(ev.case_id, payload["fund"])
        if ev.kind == "transfer" and ev.at < END:
            holder[ev.case_id] = payload["to_fund"]
    expected = {code: {"extensions_requested": 0, "extensions_approved": 0} for code in by_fund}
    for ev in events:
        if START <= ev.at < END and ev.kind == "request_extension":
            expected[holder[ev.case_id]]["extensions_requested"] += 1
        if START <= ev.at < END and ev.kind == "decide_extension" and json.loads(ev.payload)["approved"]:
            expected[holder[ev.case_id]]["extensions_approved"] += 1
    for code, values in expected.items():
        assert {k: by_fund[code][k] for k in values} == values, code
    assert expected["NSAF"] == {"extensions_requested": 7, "extensions_approved": 7}  # 6 + the September ask
    assert expected["NSSF"] == {"extensions_requested": 2, "extensions_approved": 1}
    assert figures["total"]["extensions_approved"] == 8
    assert db.session.execute(select(ExtensionRequest).where(ExtensionRequest.status == "refused")).first()

    # Printed: masked below 5, in the summary and on the fund page; the digest covers them.
    pages = pdf_text_pages(service.render_scorecard(figures, "en", key=b"k"))
    text_all = "\n".join(pages)
    assert "Extensions approved 7 <5 0 0 8" in text_all  # the summary: NSAF, NSSF, HEALTH, NSPC, total
    assert "Extensions requested / Extensions approved <5 / <5" in text_all  # the NSSF page
    changed = json.loads(json.dumps(figures))
    changed["funds"][1]["extensions_approved"] += 1
    assert metrics.digest(changed) != metrics.digest(figures)


def test_verify_names_a_changed_extension_decision(app, make, runner, tmp_path):
    officer, supervisor = make.user("officer", fund="NSAF"), make.user("supervisor", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=at(1), commit=False)
    _extension(case, officer, supervisor, True, asked=at(3), decided=at(4))
    db.session.commit()
    out = tmp_path / "card.pdf"
    built = runner.invoke(args=["scorecard", "build", "--month", MONTH, "--lang", "en", "--out", str(out)])
    assert built.exit_code == 0, built.output
    assert runner.invoke(args=["scorecard", "verify", str(out)]).exit_code == 0
    ev = db.session.execute(select(Event).where(Event.kind == "decide_extension")).scalar_one()
    ev.payload = ev.payload.replace('"approved":true', '"approved":false')
    db.session.commit()
    result = runner.invoke(args=["scorecard", "verify", str(out)])
    assert result.exit_code == 1 and "funds[NSAF].extensions_approved" in result.output


def test_intake_by_channel_and_office_counts_under_the_fund_at_month_end(app, make):
    offices = db.session.execute(select(Office).order_by(Office.id)).scalars().all()
    officer = make.user("officer", fund="NSAF")
    nssf = db.session.execute(select(Fund).where(Fund.code == "NSSF")).scalar_one()
    made = []
    for i in range(6):
        case, _ = make.case("NSAF-CT-MISSING", now=at(2 + i), commit=False, channel="in_person")
        case.intake_office_id = offices[0].id
        made.append(case)
    for _ in range(2):
        case, _ = make.case("NSAF-CT-MISSING", now=at(4), commit=False, channel="in_person")
        case.intake_office_id = offices[1].id
    for _ in range(5):
        make.case("NSSF-INFORMAL", now=at(5), commit=False, channel="phone")
    make.case("NSSF-INFORMAL", now=at(5, month=9), commit=False, channel="phone")  # September
    # Filed at office 0 for NSAF, moved to NSSF in October: NSSF's at month end.
    cases.transfer(made[0], officer, nssf, "contribution question", now=at(20))
    db.session.commit()

    figures = metrics.month_figures(metrics.Month.parse(MONTH))
    channel = {row["key"]: row for row in figures["intake"]["channel"]}
    office = {row["key"]: row for row in figures["intake"]["office"]}
    assert channel["in_person"]["by_fund"] == {"NSAF": 7, "NSSF": 1, "HEALTH": 0, "NSPC": 0}
    assert channel["phone"]["by_fund"]["NSSF"] == 5 and channel["phone"]["total"] == 5
    assert office[str(offices[0].id)]["by_fund"] == {"NSAF": 5, "NSSF": 1, "HEALTH": 0, "NSPC": 0}
    assert office[str(offices[1].id)]["total"] == 2
    assert office[scan.NO_OFFICE]["total"] == 5
    assert [row["key"] for row in figures["intake"]["channel"]] == ["in_person", "phone"]

    # The front desk's GROUP BY counts the same month by the fund holding the case now; over all
    # funds the totals agree.
    desk = intake_by_channel_and_office(2026, 10)
    by_channel: dict[str, int] = {}
    for row in desk:
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + row["count"]
    assert by_channel == {k: v["total"] for k, v in channel.items()}
    desk_office = {str(r["office_id"]) if r["office_id"] else scan.NO_OFFICE: 0 for r in desk}
    for row in desk:
        desk_office[str(row["office_id"]) if row["office_id"] else scan.NO_OFFICE] += row["count"]
    assert desk_office == {k: v["total"] for k, v in office.items()}

    # Per fund on its page, and the all-funds table with "<5" for small counts.
    nsaf = {row["key"]: row for row in figures["breakdowns"]["NSAF"]["channel"]}
    assert nsaf["in_person"]["received"] == 7
    text_all = "\n".join(pdf_text_pages(service.render_scorecard(figures, "en", key=b"k")))
    assert "Complaints received by channel and by office" in text_all
    assert f"{offices[0].name_en} 5 <5 0 0 6" in text_all
    assert f"{offices[1].name_en} <5 0 0 0 <5" in text_all.replace("\n", " ")  # a long name wraps
    assert "In person at an office 7 <5 0 0 8" in text_all
    assert "Not filed at an office 0 5 0 0 5" in text_all


def test_a_case_reopened_and_resolved_again_is_open_only_in_between(app, make):
    officer = make.user("officer", fund="NSAF")
    case, _ = make.case("NSAF-CT-MISSING", now=at(1, month=8), commit=False)
    cases.acknowledge(case, officer, "ok", now=at(2, month=8))
    cases.resolve(case, officer, "remedied", "paid", now=at(10, month=8))
    cases.reopen(case, officer, "new evidence", now=at(5, month=9))
    cases.resolve(case, officer, "remedied", "paid again", now=at(10))
    db.session.commit()
    figures = metrics.month_figures(metrics.Month.parse(MONTH))
    backlog = {point["month"]: point["backlog_total"] for point in figures["trend"]}
    assert backlog["2026-08"] == 0 and backlog["2026-09"] == 1 and backlog["2026-10"] == 0
    core, _ = _row_model(metrics.Month.parse("2026-09"), metrics._fund_codes(None))
    assert core["total"]["backlog_total"] == 1
