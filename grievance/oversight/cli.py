"""flask dashboard refresh | forget: the council dashboard's stored figures."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import click
from flask.cli import AppGroup

from grievance.models.timeutil import utcnow
from grievance.oversight import figures, snapshots
from grievance.reports.metrics import Month

dashboard = AppGroup("dashboard", help="The council dashboard's stored figures (see docs/deploy.md).")


@dashboard.command("refresh")
@click.option("--months", default=24, show_default=True, help="How many months back from this one.")
def refresh(months: int) -> None:
    """Compute and store the figures of recent months that are missing or out of date.

    Run it after `sla sweep` (cron): views of the dashboard and of the public transparency page
    (whose CSV covers 24 months) then never wait for a computation.
    """
    this = Month.containing(datetime.now(timezone.utc))
    total = time.perf_counter()
    for back in range(months - 1, -1, -1):
        month = this.previous(back)
        before, started = utcnow(), time.perf_counter()
        _data, computed_at = snapshots.period_figures(figures.Period(month, month), figures.compute)
        took = time.perf_counter() - started
        state = "computed" if computed_at >= before else "stored earlier, still right"
        click.echo(f"{month}: {state} ({took:.1f} s)")
    click.echo(f"done in {time.perf_counter() - total:.1f} s")


@dashboard.command("forget")
def forget() -> None:
    """Drop every stored period: the next views (or refresh) compute them afresh."""
    click.echo(f"dropped {snapshots.forget_all()} stored period(s)")
