"""Scorecard downloads, the archive of months, and printable case documents."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from grievance.cases import permissions as case_permissions
from grievance.extensions import db, limiter
from grievance.forms_common import open_identity
from grievance.i18n import current_locale
from grievance.intake import service as intake
from grievance.intake.forms import TrackForm
from grievance.intake.receipts import follow_ways
from grievance.models import Case, Fund
from grievance.reports import metrics, service
from grievance.reports.permissions import can_view_scorecard, scorecard_scopes
from grievance.security import tracking_key

bp = Blueprint("reports", __name__)


def _pdf(data: bytes, filename: str) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _lang() -> str:
    lang = request.args.get("lang") or current_locale()
    return lang if lang in service.LANGS else "km"


@bp.get("/")
@login_required
def archive():
    scopes = scorecard_scopes(current_user, list(db.session.execute(select(Fund.code).order_by(Fund.id)).scalars()))
    if not scopes:
        abort(404)
    own_fund = None if current_user.role in case_permissions.COUNCIL_ROLES else current_user.fund_id
    return render_template(
        "reports/archive.html", months=metrics.months_with_cases(own_fund), scopes=scopes, langs=service.LANGS
    )


@bp.get("/<month>/scorecard-<scope>-<lang>.pdf")
@login_required
def scorecard(month: str, scope: str, lang: str):
    if lang not in service.LANGS or not can_view_scorecard(current_user, scope):
        abort(404)
    try:
        parsed = metrics.Month.parse(month)
        filename = f"scorecard-{scope}-{lang}.pdf"
        data = service.archived_scorecard(Path(current_app.config["REPORTS_DIR"]), parsed, scope, lang)
        if data is None:
            key = service.fingerprint_key(current_app.config["SECRET_KEY"])
            data = service.build_scorecard(parsed, None if scope == "ALL" else scope, lang, key=key).pdf
    except (ValueError, LookupError):
        abort(404)
    return _pdf(data, filename)


def _visible_case(case_id: int) -> Case:
    case = db.session.execute(case_permissions.visible_cases(current_user).where(Case.id == case_id)).scalar()
    if case is None:
        abort(404)
    return case


@bp.get("/case/<int:case_id>.pdf")
@login_required
def case_file(case_id: int):
    """The case file without the complainant's personal data (text redacted for all but the handling fund)."""
    case = _visible_case(case_id)
    return _pdf(service.case_file_pdf(case, current_user, _lang()), f"{case.reference}.pdf")


@bp.post("/case/<int:case_id>.pdf")
@login_required
def case_file_with_identity(case_id: int):
    """The case file with the complainant, for the handling fund: an identity view on record, with its reason."""
    case = _visible_case(case_id)
    answer = open_identity(case, "case_file", back=url_for("cases.show", case_id=case.id))
    if answer is not None:
        return answer
    pdf = service.case_file_pdf(case, current_user, _lang(), with_identity=True)
    db.session.commit()
    return _pdf(pdf, f"{case.reference}.pdf")


@bp.post("/receipt.pdf")
@limiter.limit("10/minute;100/day")
def receipt_pdf():
    form = TrackForm()
    if not form.validate_on_submit():
        return render_template("intake/track.html", form=form), 400
    case = intake.find_by_tracking(form.reference.data, form.code.data, tracking_key())
    if case is None:
        abort(404)
    return _pdf(service.receipt_pdf(case, current_locale(), follow_ways()), f"{case.reference}.pdf")
