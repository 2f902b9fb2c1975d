"""CSO and union monitors: file for a person or a group, and follow what their organisation filed."""

from __future__ import annotations

import secrets

from flask import Blueprint, abort, render_template
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from grievance.assisted.forms import AssistedForm
from grievance.extensions import db, limiter
from grievance.i18n import current_locale
from grievance.intake import mapping, service
from grievance.intake.presenter import category_groups
from grievance.models import Case
from grievance.security import tracking_key

bp = Blueprint("assisted", __name__)


@bp.before_request
@login_required
def _monitors_only():
    if current_user.role != "monitor" or current_user.organisation_id is None:
        abort(403)


def filed_by_my_organisation():
    """Cases this user's organisation filed: scoped in SQL, newest first."""
    return (
        select(Case)
        .where(Case.filed_by_org_id == current_user.organisation_id)
        .options(joinedload(Case.category), joinedload(Case.fund))
        .order_by(Case.received_at.desc(), Case.id.desc())
    )


def _form() -> AssistedForm:
    form = AssistedForm()
    form.category.choices = [("", _("Choose…"))] + [
        (c.code, f"{group} — {label}") for group, items in category_groups(current_locale()) for c, label in items
    ]
    form.set_place_choices(current_locale(), _("Choose…"))
    if not form.form_token.data:
        form.form_token.data = secrets.token_urlsafe(24)
    return form


def _submission(form: AssistedForm) -> service.Submission:
    group = form.filed_for.data == "group"
    return mapping.from_form(
        form, channel="assisted", language=current_locale(), people_affected=form.people_affected.data if group else 1
    )


@bp.get("/")
def filings():
    cases = db.session.execute(filed_by_my_organisation().limit(500)).scalars().all()
    return render_template("assisted/list.html", cases=cases, organisation=current_user.organisation)


@bp.get("/new")
def new():
    return render_template("assisted/form.html", form=_form())


@bp.post("/place")
def choose_place():
    return render_template("assisted/form.html", form=_form())


@bp.post("/new")
@limiter.limit("60/hour")
def create():
    form = _form()
    if not form.validate_on_submit():
        return render_template("assisted/form.html", form=form), 400
    try:
        receipt = service.submit(
            _submission(form), key=tracking_key(), actor=current_user, organisation=current_user.organisation
        )
        db.session.commit()
    except service.DuplicateSubmission as dup:
        db.session.rollback()
        return render_template("intake/duplicate.html", reference=dup.reference), 200
    return render_template("assisted/receipt.html", case=receipt.case, code=receipt.tracking_code)
