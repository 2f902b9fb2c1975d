"""/admin/service-levels: the terms every category runs on, and new terms from a chosen day."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import changelog
from grievance.admin import service_levels as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.forms import ConfirmForm, TermsForm
from grievance.admin.routes import bp, conflict_message, invalid_into, saved_now
from grievance.domain.calendar import local_date
from grievance.domain.sla import TERMS
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.models import SlaPolicy
from grievance.services import reference


@bp.get("/service-levels/")
def service_levels():
    return render_template("admin/service_levels.html", rows=svc.overview(), terms=TERMS)


def _current(scope: svc.Scope) -> dict:
    """The form's values for the terms a complaint of this scope gets now (its own, else inherited)."""
    now = datetime.now(timezone.utc)
    by_scope, _by_id = reference.terms_table()
    found = reference.in_force(by_scope.get(scope.scope, []), now)
    if found is None and scope.category is not None:
        found = reference.terms_at(scope.category, now)
    if found is None:
        found = reference.in_force(by_scope.get("*", []), now)
    return {term.name: getattr(found.policy, term.name) for term in TERMS}


def _changes(scope: svc.Scope) -> list:
    """The latest changes of this scope's terms (their notes name the scope)."""
    lines, _total = changelog.page(current_locale(), entity=svc.ENTITY)
    return [line for line in lines if (line.note or "").startswith(scope.scope + " ")][:10]


def _page(scope: svc.Scope, form: TermsForm, status: int = 200, saved: dict | None = None):
    now = datetime.now(timezone.utc)
    history = svc.history(scope)
    return (
        render_template(
            "admin/terms.html",
            scope=scope,
            form=form,
            saved=saved or {},
            history=history,
            now=now,
            terms=TERMS,
            cancel=ConfirmForm(formdata=None),
            changes=_changes(scope),
        ),
        status,
    )


@bp.route("/service-levels/<terms>", methods=["GET", "POST"])
def terms(terms: str):
    scope = svc.scope_from_key(terms)
    if scope is None:
        abort(404)
    if request.method == "GET":
        today = local_date(datetime.now(timezone.utc))
        form = TermsForm(data={**_current(scope), "based_on": svc.latest_id(scope), "effective": today})
        return _page(scope, form)
    form = TermsForm()
    if not form.validate_on_submit():
        return _page(scope, form, 400)
    values = {term.name: form[term.name].data for term in TERMS}
    try:
        row = svc.schedule(current_user, scope, form.based_on.data, form.effective.data, values)
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        form.based_on.data = svc.latest_id(scope)
        flash(conflict_message(), "error")
        return _page(scope, form, 409, saved_now(form, _current(scope)))
    except Invalid as refused:
        db.session.rollback()
        invalid_into(form, refused)
        return _page(scope, form, 400)
    if row.effective_from <= datetime.now(timezone.utc).replace(tzinfo=None):
        flash(
            _("Saved. Complaints received from now on get these terms; those already received keep theirs."), "success"
        )
    else:
        flash(_("Saved. These terms apply to complaints received from the day you chose."), "success")
    return redirect(url_for("admin.terms", terms=scope.key), 303)


@bp.post("/service-levels/scheduled/<int:policy_id>/cancel")
def cancel_terms(policy_id: int):
    row = db.get_or_404(SlaPolicy, policy_id)
    form = ConfirmForm()
    key = svc.key_of(row)
    if not form.validate_on_submit():
        abort(400)
    try:
        svc.cancel(current_user, row, form.version.data)
        db.session.commit()
        flash(_("The scheduled change is cancelled."), "success")
    except EditConflict:
        db.session.rollback()
        flash(_("This scheduled change was edited or cancelled meanwhile. Check the page again."), "error")
    except Invalid as refused:
        db.session.rollback()
        flash(str(refused), "error")
    return redirect(url_for("admin.terms", terms=key), 303)
