"""The council's instruction on a flag, as the handling fund reads and answers it on the case page.

The rules are in monitoring/flags.py; this route reads the form and reports what the service said.
The council's own steps (instruct, note, handle with an outcome) are on /oversight/flags.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grievance.cases import permissions
from grievance.extensions import db
from grievance.forms_common import error_text
from grievance.models import Case, CaseFlag
from grievance.monitoring import flags
from grievance.monitoring.forms import FLAG_LABELS, FlagAnswerForm

bp = Blueprint("flags", __name__)


def panel(user, case) -> dict:
    """The open flags on the case with the council's instruction, and the answer form for its handlers."""
    shown = flags.for_case(user, case)
    may_answer = permissions.can_act(user, case)
    return {
        "flags": shown,
        "labels": FLAG_LABELS,
        "overdue": {f.id for f in shown if flags.overdue(f)},
        "answer_form": FlagAnswerForm(formdata=None) if may_answer else None,
    }


@bp.post("/<int:case_id>/flags/<int:flag_id>/answer")
@login_required
def answer(case_id: int, flag_id: int):
    case = db.session.execute(permissions.visible_cases(current_user).where(Case.id == case_id)).scalar()
    flag = db.session.get(CaseFlag, flag_id)
    if case is None or flag is None or flag.case_id != case.id or not permissions.can_act(current_user, case):
        abort(404)  # the service refuses the same; a form error must not answer anyone else
    form = FlagAnswerForm()
    if not form.validate_on_submit():
        flash(_("Please correct the form: %(errors)s", errors=error_text(form)), "error")
        return redirect(url_for("cases.show", case_id=case.id), 303)
    try:
        flags.answer(flag, current_user, form.answer.data)
        db.session.commit()
        flash(_("Your answer has been sent to the council."), "success")
    except flags.FlagRefused as refused:
        db.session.rollback()
        flash(_("Not done: %(reason)s", reason=str(refused)), "error")
    return redirect(url_for("cases.show", case_id=case.id), 303)
