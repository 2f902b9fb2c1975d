"""Administrator pages: which provinces and categories each organisation's monitors watch.

A small blueprint of its own under /admin/organisations so it can join a wider admin area
later without moving URLs.
"""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select

from grievance.extensions import db
from grievance.geo import province_choices, province_name
from grievance.i18n import current_locale
from grievance.models import Category, MonitorScope, Organisation, User
from grievance.monitoring import service
from grievance.monitoring.forms import ConfirmForm, ScopeForm

bp = Blueprint("monitor_admin", __name__)


@bp.before_request
@login_required
def _admins_only():
    if current_user.role != "admin":
        abort(403)


def _scope_form(**kwargs) -> ScopeForm:
    form = ScopeForm(**kwargs)
    form.province.choices = [("", _("Any province"))] + province_choices(current_locale())
    categories = db.session.execute(select(Category).order_by(Category.position)).scalars()
    form.category.choices = [("", _("Any category"))] + [(c.code, c.name(current_locale())) for c in categories]
    return form


@bp.get("/scopes")
def organisations():
    orgs = db.session.execute(select(Organisation).order_by(Organisation.name)).scalars().all()
    rows = dict(
        db.session.execute(
            select(MonitorScope.organisation_id, func.count()).group_by(MonitorScope.organisation_id)
        ).all()
    )
    monitors = dict(
        db.session.execute(
            select(User.organisation_id, func.count()).where(User.role == "monitor").group_by(User.organisation_id)
        ).all()
    )
    return render_template("monitoring/organisations.html", orgs=orgs, rows=rows, monitors=monitors)


def _render(org: Organisation, form: ScopeForm):
    rows = db.session.execute(
        select(MonitorScope, Category)
        .outerjoin(Category, Category.id == MonitorScope.category_id)
        .where(MonitorScope.organisation_id == org.id)
        .order_by(MonitorScope.province_code, Category.position)
    ).all()
    return render_template(
        "monitoring/scope.html",
        org=org,
        rows=[(row, province_name(row.province_code, current_locale()), cat) for row, cat in rows],
        form=form,
        confirm=ConfirmForm(formdata=None),
    )


@bp.get("/<int:org_id>/scope")
def scope(org_id: int):
    return _render(db.get_or_404(Organisation, org_id), _scope_form(formdata=None))


@bp.post("/<int:org_id>/scope")
def add_scope(org_id: int):
    org = db.get_or_404(Organisation, org_id)
    form = _scope_form()
    if not form.validate_on_submit():
        return _render(org, form), 400
    category = None
    if form.category.data:
        category = db.session.execute(select(Category).where(Category.code == form.category.data)).scalar_one()
    service.add_scope(org, current_user, form.province.data or None, category)
    db.session.commit()
    flash(_("Scope updated."), "success")
    return redirect(url_for("monitor_admin.scope", org_id=org.id), 303)


@bp.post("/<int:org_id>/scope/<int:row_id>/delete")
def remove_scope(org_id: int, row_id: int):
    row = db.session.get(MonitorScope, row_id)
    if row is None or row.organisation_id != org_id or not ConfirmForm().validate_on_submit():
        abort(404)
    service.remove_scope(row, current_user)
    db.session.commit()
    flash(_("Scope updated."), "success")
    return redirect(url_for("monitor_admin.scope", org_id=org_id), 303)
