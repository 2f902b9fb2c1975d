"""The oversight council: dashboard, the cases behind each figure, monitors' flags, identity-access log."""

from datetime import datetime, timezone

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from grievance.cases import permissions as case_permissions
from grievance.extensions import db
from grievance.forms_common import error_text
from grievance.geo import provinces
from grievance.i18n import current_locale
from grievance.models import Case, CaseFlag, IdentityAlert
from grievance.monitoring import flags as flag_service
from grievance.monitoring import service as monitoring
from grievance.monitoring.forms import FLAG_LABELS, ConfirmForm, FlagNoteForm, HandleFlagForm, InstructForm
from grievance.oversight import figures, words
from grievance.reports.metrics import BACKLOG_BANDS, GROUPS, Month
from grievance.services import identity

bp = Blueprint("oversight", __name__)

COUNCIL = ("oversight", "admin")
# Fund supervisors may see and handle the flags on their own fund's cases.
SUPERVISOR_ENDPOINTS = {"oversight.flags", "oversight.handle_flag", "oversight.instruct_flag", "oversight.note_flag"}
DRILL_LIMIT = 500


@bp.before_request
@login_required
def _council_only():
    if current_user.role in COUNCIL:
        return None
    if current_user.role == "supervisor" and request.endpoint in SUPERVISOR_ENDPOINTS:
        return None
    abort(403)


def _this_month() -> Month:
    return Month.containing(datetime.now(timezone.utc))


def _drill_url(period: figures.Period):
    def build(figure: str, **filters) -> str:
        args = {"figure": figure, "from": str(period.first), "to": str(period.last)}
        args.update({k: v for k, v in filters.items() if v})
        return url_for("oversight.cases", **args)

    return build


@bp.get("/")
def dashboard():
    period = figures.Period.parse(request.args.get("from"), request.args.get("to"), _this_month())
    data = figures.dashboard(period, request.args.get("fund") or None)
    top = max([p["received"] for p in data["by_province"].values()] + [0])
    peak = max([m["received"] for m in data["trend"]] + [0])
    return render_template(
        "oversight/dashboard.html",
        drill=_drill_url(period),
        provinces=[(p.code, p.name_kh if current_locale() == "km" else p.name_en) for p in provinces()],
        heat=lambda n: 0 if not n or not top else min(5, 1 + (5 * n - 1) // top),
        bar=lambda n: 0 if not n or not peak else max(1, round(20 * n / peak)),
        bands=BACKLOG_BANDS,
        groups_order=GROUPS,
        group_labels=words.GROUPS,
        flag_labels=FLAG_LABELS,
        live_seconds=current_app.config["DASHBOARD_LIVE_SECONDS"],
        identity_alerts=identity.open_alerts(),
        **data,
    )


@bp.get("/cases")
def cases():
    """The cases behind one figure of the dashboard: exactly those it counted."""
    drill = figures.validate_drill(request.args, _this_month())
    if drill is None:
        abort(404)
    ids = figures.case_ids(drill)
    query = case_permissions.scope(select(Case).where(Case.id.in_(ids[:DRILL_LIMIT])), current_user)
    rows = db.session.execute(query.order_by(Case.id)).scalars().all()
    return render_template(
        "oversight/cases.html",
        drill=drill,
        label=words.FIGURES[drill.figure],
        group_labels=words.GROUPS,
        total=len(ids),
        rows=rows,
        limit=DRILL_LIMIT,
    )


@bp.get("/flags")
def flags():
    fund_id = (
        current_user.fund_id
        if current_user.role == "supervisor" and not flag_service.is_council(current_user)
        else None
    )
    rows = figures.open_flags(fund_id)
    return render_template(
        "oversight/flags.html",
        flags=rows,
        flag_labels=FLAG_LABELS,
        notes=flag_service.notes_of([flag.id for flag, _case, _org in rows]),
        overdue={flag.id for flag, _case, _org in rows if flag_service.overdue(flag)},
        may_instruct=flag_service.is_council(current_user),
        may_handle={flag.id for flag, case, _org in rows if monitoring.can_handle_flag(current_user, case, flag)},
        instruct_form=InstructForm(formdata=None),
        note_form=FlagNoteForm(formdata=None),
        handle_form=HandleFlagForm(formdata=None),
    )


def _flag_or_404(flag_id: int, allowed) -> tuple[CaseFlag, Case]:
    flag = db.session.get(CaseFlag, flag_id)
    case = None if flag is None else db.session.get(Case, flag.case_id)
    if case is None or not allowed(current_user, case, flag):
        abort(404)
    return flag, case


def _flag_step(form, run, done: str):
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
    else:
        try:
            run()
            db.session.commit()
            flash(done, "success")
        except (monitoring.MonitoringRefused, flag_service.FlagRefused) as refused:
            db.session.rollback()
            flash(_("Not done: %(reason)s", reason=str(refused)), "error")
    target = request.form.get("back")
    return redirect(url_for("oversight.dashboard") if target == "dashboard" else url_for("oversight.flags"), 303)


@bp.post("/flags/<int:flag_id>/handle")
def handle_flag(flag_id: int):
    flag, _case = _flag_or_404(flag_id, monitoring.can_handle_flag)
    form = HandleFlagForm()
    return _flag_step(
        form,
        lambda: monitoring.handle_flag(flag, current_user, form.outcome.data),
        _("Flag handled; its outcome is on the case's record."),
    )


@bp.post("/flags/<int:flag_id>/instruct")
def instruct_flag(flag_id: int):
    flag, _case = _flag_or_404(flag_id, lambda user, case, flag: flag_service.is_council(user))
    form = InstructForm()
    return _flag_step(
        form,
        lambda: flag_service.instruct(flag, current_user, form.instruction.data, form.days.data),
        _("Instruction sent to the fund, with its due date."),
    )


@bp.post("/flags/<int:flag_id>/note")
def note_flag(flag_id: int):
    flag, _case = _flag_or_404(flag_id, lambda user, case, flag: flag_service.is_council(user))
    form = FlagNoteForm()
    return _flag_step(form, lambda: flag_service.add_note(flag, current_user, form.text.data), _("Note added."))


@bp.get("/cases/<int:case_id>/identity-views")
def identity_views(case_id: int):
    """Who opened this complainant's personal data, when, why and how."""
    case = db.session.execute(case_permissions.visible_cases(current_user).where(Case.id == case_id)).scalar()
    if case is None:
        abort(404)
    return render_template("oversight/identity_views.html", case=case, views=identity.case_views(case))


@bp.get("/identity-access")
def identity_access():
    """Alerts raised by too many identity views in an hour, and the latest identity views of every case."""
    return render_template(
        "oversight/identity_access.html",
        alerts=identity.open_alerts(),
        views=identity.recent_views(),
        limit=current_app.config["IDENTITY_VIEWS_PER_HOUR"],
        confirm=ConfirmForm(formdata=None),
    )


@bp.post("/identity-access/alerts/<int:alert_id>/handle")
def handle_identity_alert(alert_id: int):
    alert = db.session.get(IdentityAlert, alert_id)
    if alert is None or not ConfirmForm().validate_on_submit():
        abort(404)
    try:
        identity.handle_alert(alert, current_user)
        db.session.commit()
        flash(_("Alert marked as handled."), "success")
    except identity.IdentityRefused:
        db.session.rollback()
        flash(_("This alert has already been handled."), "error")
    return redirect(url_for("oversight.identity_access"), 303)
