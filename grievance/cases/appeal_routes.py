"""The appeal on the case page: the reviewer's decision and referrals to outside bodies.

The rules are in cases/appeals.py (who may decide, the clock, what the complainant is told);
these routes only read the form and report what the service said. The council's readers
(role oversight) reach these cases too, so the routes load through the viewing rule and leave
acting to the service.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from grievance import labels
from grievance.cases import appeals, permissions
from grievance.cases import service as svc
from grievance.cases.forms import OUTCOME_CHOICES
from grievance.extensions import db
from grievance.forms_common import CleanText, VersionedForm, error_text
from grievance.services.permits import NotPermitted

bp = Blueprint("appeals", __name__)


class DecideAppealForm(VersionedForm):
    decision = SelectField(
        _l("Decision"),
        choices=[("upheld", labels.APPEAL_OUTCOME["upheld"]), ("overturned", labels.APPEAL_OUTCOME["overturned"])],
        validators=[InputRequired()],
    )
    new_outcome = SelectField(
        _l("New outcome (when overturned)"), choices=[("", "—"), *OUTCOME_CHOICES], validators=[Optional()]
    )
    reason = TextAreaField(_l("Reason, for the complainant"), validators=[DataRequired(), CleanText(5000)])
    submit = SubmitField(_l("Decide the appeal"))


class ReferForm(FlaskForm):  # a referral changes no case field: no version to check
    body = SelectField(_l("Referred to"), choices=list(labels.OUTSIDE_BODY.items()), validators=[InputRequired()])
    referred_on = DateField(_l("Date of the referral"), validators=[InputRequired()])
    note = TextAreaField(_l("Note for the complainant"), validators=[Optional(), CleanText(2000)])
    submit = SubmitField(_l("Record the referral"))


def panel(user, case) -> dict:
    """What the case page shows of the appeal, and the forms this user may use."""
    found = appeals.appeals_of(case)
    refer_allowed = permissions.can_act(user, case) or user.role == "oversight"
    form = DecideAppealForm(formdata=None, version=case.version) if appeals.may_decide(user, case) else None
    refer = ReferForm(formdata=None, referred_on=date.today()) if refer_allowed else None
    return {"appeals": found, "decide_form": form, "refer_form": refer}


def _load(case_id: int):
    """The case if this user may see it (else 404); 403 unless they handle it or sit on the council.

    The services decide precisely (the officer who answered may not decide, a council appeal is
    the council's); this first gate keeps a form error from answering anyone else."""
    case = db.session.execute(permissions.visible_cases(current_user).where(svc.Case.id == case_id)).scalar()
    if case is None:
        abort(404)
    if not (permissions.can_act(current_user, case) or current_user.role == "oversight"):
        abort(403)
    return case


def _done(case, ok_message: str, run) -> object:
    try:
        run()
        db.session.commit()
        flash(ok_message, "success")
    except NotPermitted:
        db.session.rollback()
        abort(403)
    except svc.CaseConflict:
        db.session.rollback()
        flash(_("This case changed while you were looking at it. Reload and check before acting again."), "error")
    except (svc.TransitionRefused, ValueError) as refused:
        db.session.rollback()
        flash(_("Not done: %(reason)s", reason=getattr(refused, "reason", str(refused))), "error")
    return redirect(url_for("cases.show", case_id=case.id), 303)


@bp.post("/<int:case_id>/appeal/decide")
@login_required
def decide(case_id: int):
    case = _load(case_id)
    form = DecideAppealForm()
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("cases.show", case_id=case.id), 303)
    return _done(
        case,
        _("Appeal decided; the complainant can see the decision and its reason."),
        lambda: appeals.decide(
            case,
            current_user,
            form.decision.data,
            form.reason.data,
            new_outcome=form.new_outcome.data or None,
            expected_version=form.version.data,
        ),
    )


@bp.post("/<int:case_id>/appeal/refer")
@login_required
def refer(case_id: int):
    case = _load(case_id)
    form = ReferForm()
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("cases.show", case_id=case.id), 303)
    return _done(
        case,
        _("Referral recorded; the complainant can see it."),
        lambda: appeals.refer(case, current_user, form.body.data, form.referred_on.data, form.note.data or ""),
    )
