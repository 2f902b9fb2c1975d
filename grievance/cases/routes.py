"""Fund staff: the queue, the case page and the actions on a case."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from grievance.cases import permissions, queries, reply_picker, search
from grievance.cases import service as svc
from grievance.cases.actions import ACTIONS, WORKFLOW_ACTION
from grievance.extensions import db
from grievance.forms_common import error_text, open_identity

bp = Blueprint("cases", __name__)


def _load(case_id: int):
    """The case if this user may see it; 404 otherwise, so existence is never confirmed."""
    case = db.session.execute(permissions.visible_cases(current_user).where(svc.Case.id == case_id)).scalar()
    if case is None:
        abort(404)
    return case


@bp.get("/")
@login_required
def queue():
    filters = queries.QueueFilters.from_args(request.args)
    text = request.args.get("q", "").strip()[:200]
    found = search.search(current_user, text) if text else None
    return render_template(
        "cases/queue.html",
        **queries.queue_context(current_user, filters),
        search_text=text,
        search_result=found,
        phone_form=search.phone_form(current_user),
    )


@bp.post("/search/phone")
@login_required
def search_phone():
    """Cases whose complainant has this phone, for the fund's staff who may see identity; each shown
    is an identity view on record with the reason given. 404 when none they may open has it."""
    from grievance.services.permits import NotPermitted

    form = search.phone_form(current_user, blank=False)
    if form is None:
        abort(403)
    if not form.validate_on_submit():
        flash(_("Give the phone number and choose why you look it up."), "error")
        return redirect(url_for("cases.queue"), 303)
    try:
        found = search.search_phone(current_user, form.phone.data, reason=form.reason.data)
    except NotPermitted:
        abort(403)
    db.session.commit()
    filters = queries.QueueFilters.from_args({})
    page = render_template(
        "cases/queue.html",
        **queries.queue_context(current_user, filters),
        search_text="",
        search_result=None,
        phone_form=form,
        phone_result=found,
    )
    return page, 200 if found else 404


@bp.get("/<int:case_id>")
@login_required
def show(case_id: int):
    case = _load(case_id)
    chosen = reply_picker.parse_choice(request.args.get("template"))  # a reply template for the update box
    return render_template("cases/case.html", **queries.case_page(current_user, case, template_id=chosen))


@bp.post("/<int:case_id>/identity")
@login_required
def identity(case_id: int):
    """Show the complainant's personal data to the handling fund; every view is on record, with its reason."""
    case = _load(case_id)
    answer = open_identity(case, "panel", back=url_for("cases.show", case_id=case.id), refused=403)
    if answer is not None:
        return answer
    db.session.commit()
    return render_template("cases/case.html", **queries.case_page(current_user, case, reveal_identity=True))


@bp.post("/<int:case_id>/attachments/<int:attachment_id>")
@login_required
def attachment(case_id: int, attachment_id: int):
    """Evidence, to the handling fund only, always as a download, each one an identity view on record."""
    case = _load(case_id)
    item = next((a for a in case.attachments if a.id == attachment_id), None)
    if item is None:
        abort(404)
    answer = open_identity(case, "attachment", back=url_for("cases.show", case_id=case.id))
    if answer is not None:
        return answer
    db.session.commit()
    return send_from_directory(
        current_app.config["UPLOAD_DIR"],
        item.stored_name,
        as_attachment=True,
        download_name=item.original_name or f"attachment-{item.id}",
        mimetype=item.content_type,
    )


@bp.post("/<int:case_id>/<action>")
@login_required
def act(case_id: int, action: str):
    spec = ACTIONS.get(action)
    if spec is None:
        abort(404)
    case = _load(case_id)
    if not permissions.can_act(current_user, case):
        abort(403)
    form = spec.form()
    spec.prepare(form, case)
    if not form.validate_on_submit():
        flash(
            _(
                "Please correct the form: %(errors)s",
                errors=error_text(form),
            ),
            "error",
        )
        return redirect(url_for("cases.show", case_id=case.id), 303)
    try:
        spec.run(case, current_user, form)
        db.session.commit()
        flash(spec.done_message(), "success")
        if request.form.get("back") == "inbox" and action == "decide_extension":
            return redirect(url_for("workload.extensions"), 303)  # decided from the supervisor's inbox
        if not permissions.can_view(current_user, case):
            return redirect(url_for("cases.queue"), 303)  # e.g. transferred out of this fund
    except svc.CaseConflict:
        db.session.rollback()
        flash(
            _("This case changed while you were looking at it. Reload and check before acting again."),
            "error",
        )
        # Give back what the officer typed (a redirect would drop it), on the page as it is now.
        typed = {f.name: f.data for f in form if f.name not in ("csrf_token", "version", "submit")}
        db.session.expire_all()
        case = _load(case_id)
        page = render_template("cases/case.html", **queries.case_page(current_user, case, kept=(action, typed)))
        return page, 409
    except svc.TransitionRefused as refused:
        db.session.rollback()
        flash(_refusal_message(refused), "error")
    return redirect(url_for("cases.show", case_id=case.id), 303)


def _refusal_message(refused: svc.TransitionRefused) -> str:
    """Why an action was refused, in the officer's language.

    The domain's `reason` is English (for logs and the command line); a refusal caused by the
    case's status is rebuilt here from translated labels. Other refusals keep the reason.
    """
    from grievance.domain.workflow import TRANSITIONS, Action, Status
    from grievance.labels import STATUS

    try:
        action, status = Action(refused.action), Status(refused.status)
    except ValueError:
        return _("Not done: %(reason)s", reason=refused.reason)
    allowed_from, _target = TRANSITIONS[action]
    if status in allowed_from:
        return _("Not done: %(reason)s", reason=refused.reason)
    names = [name for name, workflow in WORKFLOW_ACTION.items() if workflow == action.value]
    label = ACTIONS[names[0]].label if names else action.value
    return _(
        "Not done: you cannot “%(action)s” a case that is “%(status)s”.",
        action=label,
        status=STATUS.get(status.value, status.value),
    )
