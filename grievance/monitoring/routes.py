"""Monitors (CSOs and unions): scoped, redacted case list and case page; follow, flag, comment."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grievance.extensions import db
from grievance.forms_common import IdentityReasonForm, error_text, open_identity
from grievance.geo import province_choices
from grievance.i18n import current_locale
from grievance.monitoring import permissions, queries, service
from grievance.monitoring.forms import FLAG_LABELS, CommentForm, ConfirmForm, FlagForm

bp = Blueprint("monitoring", __name__)


@bp.before_request
@login_required
def _monitors_only():
    if not permissions.is_monitor(current_user):
        abort(403)


def _load(case_id: int):
    """The case if it is in this monitor's scope; 404 otherwise, so existence is never confirmed."""
    case = queries.load(current_user, case_id)
    if case is None:
        abort(404)
    return case


def _page(case, **extra):
    return render_template(
        "monitoring/case.html",
        flag_form=FlagForm(formdata=None),
        comment_form=CommentForm(formdata=None),
        confirm=ConfirmForm(formdata=None),
        identity_form=IdentityReasonForm(formdata=None),
        flag_labels=FLAG_LABELS,
        **queries.case_view(current_user, case, **extra),
    )


@bp.get("/")
def cases():
    filters = queries.ListFilters.from_args(request.args)
    return render_template(
        "monitoring/list.html",
        provinces=province_choices(current_locale()),
        **queries.case_list(current_user, filters),
    )


@bp.get("/cases/<int:case_id>")
def show(case_id: int):
    return _page(_load(case_id))


@bp.post("/cases/<int:case_id>/identity")
def identity(case_id: int):
    """A named complainant of the organisation's own case; every view is recorded."""
    case = _load(case_id)
    if not permissions.can_see_identity(current_user, case):
        abort(403)
    answer = open_identity(case, "panel", back=url_for("monitoring.show", case_id=case.id), refused=403)
    if answer is not None:
        return answer
    db.session.commit()
    return _page(case, reveal_identity=True)


@bp.post("/cases/<int:case_id>/follow")
def follow(case_id: int):
    case = _load(case_id)
    if ConfirmForm().validate_on_submit():
        if request.form.get("stop") == "1":
            service.unfollow(case, current_user)
            flash(_("You no longer follow this case."), "success")
        elif service.follow(case, current_user):
            flash(_("You follow this case: you will get an e-mail on each public update."), "success")
        db.session.commit()
    return redirect(url_for("monitoring.show", case_id=case.id), 303)


@bp.post("/cases/<int:case_id>/flag")
def flag(case_id: int):
    case = _load(case_id)
    form = FlagForm()
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("monitoring.show", case_id=case.id), 303)
    service.raise_flag(case, current_user, form.kind.data, form.note.data or "")
    db.session.commit()
    if form.kind.data == "retaliation":
        flash(_("Flag raised: the council has been told; the fund's staff no longer see the complainant."), "success")
    else:
        flash(_("Flag raised: the council and the fund's supervisors have been told."), "success")
    return redirect(url_for("monitoring.show", case_id=case.id), 303)


@bp.post("/cases/<int:case_id>/comment")
def comment(case_id: int):
    case = _load(case_id)
    form = CommentForm()
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("monitoring.show", case_id=case.id), 303)
    service.comment(case, current_user, form.message.data)
    db.session.commit()
    flash(_("Your comment was added to the case timeline."), "success")
    return redirect(url_for("monitoring.show", case_id=case.id), 303)
