"""Incident cases apart: the everyday figures without them, and theirs beside them.

One failed payment round can bring thousands of near-identical complaints in a week: counted with
the rest they bury everyday performance (or hide behind it). Both the council's dashboard
(`oversight/figures.compute`) and the scorecard (`metrics.month_figures`) call `split` with the
figures they already computed for all cases; it computes, with metrics' own row-by-row
definitions, the same figures for the cases linked to an incident *as at the end of the period*
(so linking later never rewrites an ended month), and gives the everyday figures as all minus
those. Counts only (and the rates made of them): a median cannot be subtracted, so it is not
given here. Issue 18's figures engine is meant to replace this with a filter of its own.
"""

from __future__ import annotations

from datetime import datetime

from grievance.reports import metrics

ALL = "ALL"
COUNTS = (
    "received",
    "ack_due",
    "ack_on_time",
    "resolve_due",
    "resolve_on_time",
    "resolved",
    "backlog_total",
    "breached_cases",
)


def _rated(block: dict) -> dict:
    block["ack_on_time_pct"] = metrics._pct(block["ack_on_time"], block["ack_due"])
    block["resolve_on_time_pct"] = metrics._pct(block["resolve_on_time"], block["resolve_due"])
    return block


def split(start: datetime, end: datetime, funds: list[str], clock: metrics.WorkClock, blocks: dict) -> dict:
    """Per scope of `blocks` (ALL and/or fund codes, each the figures of all its cases): the
    figures of its incident cases and of the rest ("everyday"), plain values."""
    from grievance.cases.incidents import linked_case_ids_at

    rows = metrics._case_rows(start, end, funds, only=linked_case_ids_at(end))
    metrics._annotate(rows, start, end, clock)
    out = {}
    for scope, block in blocks.items():
        mine = rows if scope == ALL else [r for r in rows if r.fund == scope]
        full = metrics._case_block(mine, start, end, clock)
        incident = _rated({key: int(full[key]) for key in COUNTS})
        everyday = _rated({key: int(block[key]) - incident[key] for key in COUNTS})
        out[scope] = {"everyday": everyday, "incident": incident}
    return out
