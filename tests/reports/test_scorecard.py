"""The monthly scorecard: its figures match the records, it is Khmer first, and it can be checked later."""

from __future__ import annotations

import re
from datetime import datetime, timezone

from sqlalchemy import text

from grievance.extensions import db
from grievance.reports import metrics, service
from tests.reports.scenario import (
    MONTH,
    build_month,
    expected_by_fund,
    pdf_font_names,
    pdf_text_pages,
)

FUND_TITLES = {
    "NSAF": "National Social Assistance Fund (NSAF)",
    "NSSF": "National Social Security Fund (NSSF)",
}


def _key(app):
    return service.fingerprint_key(app.config["SECRET_KEY"])


def _fund_page(pages: list[str], code: str) -> str:
    marker = f"({code}) · October 2026"
    found = [p for p in pages if marker in p.splitlines()[0]]
    assert found, f"no page for {code}"
    return "\n".join(found)


def test_fund_pages_show_the_figures_computed_from_the_records(app, make):
    build_month(make)
    expected = expected_by_fund()
    card = service.build_scorecard(metrics.Month.parse(MONTH), None, "en", key=_key(app))
    pages = pdf_text_pages(card.pdf)

    for code, lines in expected.items():
        page = _fund_page(pages, code)
        for label, value in lines.items():
            assert f"{label} {value}" in page, f"{code}: expected '{label} {value}'"
    # The scenario's known outcomes, as a reader would check them by hand:
    assert "Complaints received 13" in _fund_page(pages, "NSAF")  # 8 + 6, less the one transferred to NSSF
    assert "Transfers in / Transfers out <5 / 0" in _fund_page(pages, "NSSF")
    assert "Complainant satisfaction" in _fund_page(pages, "NSSF")


def test_small_counts_are_printed_as_less_than_five(app, make):
    build_month(make)
    card = service.build_scorecard(metrics.Month.parse(MONTH), "HEALTH", "en", key=_key(app))
    page = _fund_page(pdf_text_pages(card.pdf), "HEALTH")
    assert "Complaints received <5" in page
    assert "Complaints received 3" not in page
    assert "Escalations to the council <5" in page
    assert metrics.cell(0) == "0" and metrics.cell(4) == "<5" and metrics.cell(5) == "5"


def test_khmer_scorecard_embeds_a_khmer_font_and_prints_the_digest_and_chain_head(app, make):
    build_month(make)
    card = service.build_scorecard(metrics.Month.parse(MONTH), None, "km", key=_key(app))
    fonts = pdf_font_names(card.pdf)
    assert any("Khmer" in name for name in fonts), fonts
    text_all = "\n".join(pdf_text_pages(card.pdf))
    assert card.digest in text_all.replace("\n", "")
    from grievance.services.audit import head_before

    seq, chain_hash = head_before(metrics.Month.parse(MONTH).bounds()[1])  # the head of its month
    assert chain_hash in text_all.replace("\n", "") and f"#{seq}" in text_all


def test_building_the_same_month_twice_gives_the_same_digest(app, make):
    build_month(make)
    month = metrics.Month.parse(MONTH)
    first = metrics.month_figures(month)
    second = metrics.month_figures(month)
    assert metrics.digest(first) == metrics.digest(second)
    assert [f["code"] for f in first["funds"]] == ["NSAF", "NSSF", "HEALTH", "NSPC"]


def test_verify_says_matches_then_changed_after_an_event_is_altered(app, make, runner, tmp_path):
    build_month(make)
    out = tmp_path / "card.pdf"
    built = runner.invoke(args=["scorecard", "build", "--month", MONTH, "--lang", "en", "--out", str(out)])
    assert built.exit_code == 0, built.output
    digest = re.search(r"Figures digest: ([0-9a-f]{64})", built.output).group(1)

    ok = runner.invoke(args=["scorecard", "verify", str(out)])
    assert ok.exit_code == 0 and "matches" in ok.output and digest in ok.output

    db.session.execute(
        text(
            "UPDATE events SET payload = replace(payload, :yes, :no) "
            "WHERE kind = 'feedback' AND at >= '2026-10-01' AND at < '2026-11-01'"
        ),
        {"yes": '"solved":true', "no": '"solved":false'},
    )
    db.session.commit()
    changed = runner.invoke(args=["scorecard", "verify", str(out)])
    assert changed.exit_code == 1
    assert "changed" in changed.output
    assert "funds[NSSF].satisfied" in changed.output


def _built(runner, tmp_path):
    out = tmp_path / "card.pdf"
    built = runner.invoke(args=["scorecard", "build", "--month", MONTH, "--lang", "en", "--out", str(out)])
    assert built.exit_code == 0, built.output
    ok = runner.invoke(args=["scorecard", "verify", str(out)])
    assert ok.exit_code == 0 and "matches" in ok.output and "unchanged" in ok.output, ok.output
    return out


def test_verify_says_changed_for_an_altered_event_that_moves_no_figure(app, make, runner, tmp_path):
    build_month(make)
    out = _built(runner, tmp_path)
    seq = db.session.execute(
        text("SELECT min(seq) FROM events WHERE kind IN ('acknowledge', 'public_update', 'note')")
    ).scalar()
    db.session.execute(
        text("UPDATE events SET payload = :p WHERE seq = :s"), {"p": '{"message":"Nothing happened."}', "s": seq}
    )
    db.session.commit()
    changed = runner.invoke(args=["scorecard", "verify", str(out)])
    assert changed.exit_code == 1, changed.output
    assert "changed" in changed.output and f"event #{seq} was changed after it was recorded" in changed.output
    assert "differs:" not in changed.output  # no figure moved: the record did


def test_verify_says_changed_when_the_printed_head_is_gone(app, make, runner, tmp_path):
    build_month(make)
    out = _built(runner, tmp_path)
    head = service.read_seal(out.read_bytes())["chain_head"]
    db.session.execute(text("DELETE FROM events WHERE seq >= :s"), {"s": head["seq"]})
    db.session.execute(text("UPDATE chain_head SET seq = :s - 1"), {"s": head["seq"]})
    db.session.commit()
    changed = runner.invoke(args=["scorecard", "verify", str(out)])
    assert changed.exit_code == 1 and f"event #{head['seq']} is missing" in changed.output, changed.output


def test_the_printed_head_is_the_months_and_stays_when_later_events_arrive(app, make, runner, tmp_path):
    build_month(make)
    month = metrics.Month.parse(MONTH)
    head = service.month_head(month)
    make.case(now=datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc))  # November: after the month's head
    assert service.month_head(month) == head
    out = _built(runner, tmp_path)
    assert service.read_seal(out.read_bytes())["chain_head"] == {"seq": head[0], "hash": head[1]}


def test_build_writes_both_languages_into_the_month_folder(app, make, runner, tmp_path):
    before = app.config["REPORTS_DIR"]
    app.config["REPORTS_DIR"] = str(tmp_path)
    try:
        result = runner.invoke(args=["scorecard", "build", "--month", MONTH, "--fund", "NSSF"])
    finally:
        app.config["REPORTS_DIR"] = before
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (tmp_path / MONTH).iterdir())
    assert written == ["scorecard-NSSF-en.pdf", "scorecard-NSSF-km.pdf"]


def test_build_refuses_a_malformed_month(runner):
    result = runner.invoke(args=["scorecard", "build", "--month", "2026-13"])
    assert result.exit_code != 0 and "YYYY-MM" in result.output


def test_a_long_breach_list_is_printed_in_part_and_attached_in_full(app, db):
    import io

    from pypdf import PdfReader

    figures = metrics.month_figures(metrics.Month.parse(MONTH))
    figures["flagged_cases"] = [
        {
            "reference": f"GRV-2026-{i:06d}",
            "fund": "NSAF",
            "category": "OTHER",
            "breaches": ["resolve"],
            "escalated": False,
        }
        for i in range(1, service.MAX_FLAGGED_PRINTED + 43)
    ]
    pdf = service.render_scorecard(figures, "en", key=_key(app))
    text_all = "\n".join(pdf_text_pages(pdf))
    assert "GRV-2026-000001" in text_all and f"GRV-2026-{service.MAX_FLAGGED_PRINTED + 1:06d}" not in text_all
    assert "and 42 more: the full list is attached to this PDF as flagged-cases.csv" in text_all
    attached = PdfReader(io.BytesIO(pdf)).attachments[service.FLAGGED_ATTACHMENT][0].decode()
    assert attached.count("GRV-2026-") == service.MAX_FLAGGED_PRINTED + 42
