"""/admin/organisations: organisations and their API keys (a new key is shown once, on the page that issued it)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import changelog
from grievance.admin import organisations as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.forms import KeyForm, OrganisationEditForm, OrganisationForm, PlainConfirmForm
from grievance.admin.routes import bp, invalid_into, save_edit
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.models import ApiKey, Organisation


@bp.route("/organisations/", methods=["GET", "POST"])
def organisations():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            org = svc.create(current_user, name=form.name.data, kind=form.kind.data)
            db.session.commit()
            flash(_("Organisation added."), "success")
            return redirect(url_for("admin.organisation", org_id=org.id), 303)
        except Invalid as refused:
            db.session.rollback()
            invalid_into(form, refused)
    status = 400 if form.errors else 200
    return render_template("admin/organisations.html", rows=svc.listing(), form=form), status


def _stored(org: Organisation) -> dict:
    return {"name": org.name, "kind": org.kind, "active": org.active}


def _page(org: Organisation, form, status: int = 200, saved: dict | None = None, new_key: str | None = None):
    """The organisation's page; `new_key` is shown once, on the response that issued it."""
    return (
        render_template(
            "admin/organisation.html",
            org=org,
            form=form,
            saved=saved or {},
            keys=svc.keys_of(org),
            key_form=KeyForm(formdata=None),
            plain=PlainConfirmForm(formdata=None),
            new_key=new_key,
            changes=changelog.recent(current_locale(), svc.ENTITY, org.id),
        ),
        status,
    )


@bp.route("/organisations/<int:org_id>", methods=["GET", "POST"])
def organisation(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = OrganisationEditForm(data=_stored(org) | {"version": org.version} if request.method == "GET" else None)

    def save(found: Organisation) -> None:
        svc.update_organisation(
            current_user, found, form.version.data, name=form.name.data, kind=form.kind.data, active=form.active.data
        )

    done = url_for("admin.organisation", org_id=org_id)
    return save_edit(org, form, stored=_stored, render=_page, save=save, done_url=done)


@bp.post("/organisations/<int:org_id>/keys")
def issue_key(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = KeyForm()
    edit = OrganisationEditForm(data=_stored(org) | {"version": org.version}, formdata=None)
    if not form.validate_on_submit():
        flash(_("Choose what the key is for."), "error")
        return redirect(url_for("admin.organisation", org_id=org_id), 303)
    try:
        key, _row = svc.issue_key(current_user, org, form.purpose.data)
        db.session.commit()
    except Invalid as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("admin.organisation", org_id=org_id), 303)
    # Shown on this response only (no redirect, never stored, the page is not cached).
    return _page(db.session.get(Organisation, org_id), edit, new_key=key)


@bp.post("/organisations/<int:org_id>/keys/<int:key_id>/revoke")
def revoke_key(org_id: int, key_id: int):
    row = db.session.get(ApiKey, key_id)
    if row is None or row.organisation_id != org_id or not PlainConfirmForm().validate_on_submit():
        abort(404)
    try:
        svc.revoke_key(current_user, row)
        db.session.commit()
        flash(_("The key is revoked: requests with it are refused from now on."), "success")
    except EditConflict:
        db.session.rollback()
        flash(_("This key was already revoked."), "error")
    return redirect(url_for("admin.organisation", org_id=org_id), 303)
