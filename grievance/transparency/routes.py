"""The public transparency page: how each fund handles complaints, month by month. No login."""

from datetime import datetime, timezone

from flask import Blueprint, Response, render_template, request
from sqlalchemy import select

from grievance.extensions import db, limiter
from grievance.models import Fund
from grievance.reports.metrics import Month, months_with_cases
from grievance.transparency import service

bp = Blueprint("transparency", __name__)


def _months() -> list[Month]:
    return months_with_cases() or [Month.containing(datetime.now(timezone.utc))]


@bp.get("/transparency")
@limiter.limit("60 per minute")
def page():
    months = _months()
    chosen = next((m for m in months if str(m) == request.args.get("month")), months[0])
    funds = {f.code: f for f in db.session.execute(select(Fund)).scalars()}
    return render_template(
        "transparency/page.html",
        months=months,
        month=chosen,
        rows=service.month_rows([chosen]),
        funds=funds,
    )


@bp.get("/transparency/figures.csv")
@limiter.limit("10 per minute")
def figures_csv():
    rows = service.month_rows(_months()[: service.CSV_MONTHS])
    return Response(
        service.csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="complaint-figures.csv"'},
    )
