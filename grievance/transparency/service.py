"""Public figures: the scorecard's headline per fund and month, with small cells hidden.

Only aggregates leave this module, and every count of 1–4 becomes "<5" (metrics.cell), as on
the printed scorecard; a percentage or a median built on fewer than 5 cases is not shown.
"""

from __future__ import annotations

import csv
import io

from grievance.domain.redaction import safe_cell
from grievance.oversight import figures, snapshots
from grievance.reports import metrics
from grievance.reports.metrics import Month

CSV_MONTHS = 24
COUNTS = (
    "received",
    "ack_due",
    "ack_on_time",
    "resolve_due",
    "resolve_on_time",
    "resolved",
    "backlog_total",
    "breached_cases",
    "escalations",
    "transfers_out",
    "reopened",
    "finished",
    "feedback",
    "satisfied",
)
CSV_COLUMNS = (
    "month",
    "fund",
    *COUNTS,
    "ack_on_time_pct",
    "resolve_on_time_pct",
    "days_median",
    "reopen_rate_pct",
    "satisfaction_pct",
)


def _days(block: dict) -> str:
    value = block["days_median"]
    return "–" if value is None or block["resolved"] < metrics.SMALL_CELL else f"{value:.1f}"


def public_row(month: Month, block: dict, fund: str) -> dict[str, str]:
    """One fund's month as printable cells: no count below 5, no rate or median built on one."""
    row = {"month": str(month), "fund": fund}
    row.update({k: metrics.cell(block[k]) for k in COUNTS})
    row["ack_on_time_pct"] = metrics.pct_cell(block["ack_on_time"], block["ack_due"], block["ack_on_time_pct"])
    row["resolve_on_time_pct"] = metrics.pct_cell(
        block["resolve_on_time"], block["resolve_due"], block["resolve_on_time_pct"]
    )
    row["days_median"] = _days(block)
    row["reopen_rate_pct"] = metrics.pct_cell(block["reopened"], block["finished"], block["reopen_rate_pct"])
    row["satisfaction_pct"] = metrics.pct_cell(block["satisfied"], block["feedback"], block["satisfaction_pct"])
    return row


def month_rows(months: list[Month]) -> list[dict[str, str]]:
    """Per month (in the order given), one row per fund and one for all funds.

    The figures are the council dashboard's, from its store (`oversight.snapshots`): a public
    page must not compute a month over a million cases on every request.
    """
    out = []
    for month in months:
        data, _at = snapshots.period_figures(figures.Period(month, month), figures.compute)
        out.extend(public_row(month, block, block["code"]) for block in data["funds"])
        out.append(public_row(month, data["total"], "ALL"))
    return out


def csv_text(rows: list[dict[str, str]]) -> str:
    """The rows as CSV, every cell neutralised against spreadsheet formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(row[c]) for c in CSV_COLUMNS])
    return buffer.getvalue()
