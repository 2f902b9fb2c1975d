"""/admin/offices: single-window offices and the front-desk staff attached to them."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import changelog
from grievance.admin import offices as svc
from grievance.admin.editing import Invalid
from grievance.admin.forms import OfficeEditForm, OfficeForm
from grievance.admin.routes import bp, invalid_into, save_edit
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.models import Office


def _places(form) -> None:
    form.set_place_choices(current_locale(), _("— choose —"))


def _values(form) -> dict:
    return {
        "name_km": form.name_km.data,
        "name_en": form.name_en.data,
        "province": form.province.data,
        "district": form.district.data,
        "commune": form.commune.data or None,
        "active": form.active.data,
    }


@bp.get("/offices/")
def offices():
    return render_template("admin/offices.html", rows=svc.listing())


def _choosing_place(form) -> bool:
    """Without JavaScript: the "show districts" button re-shows the form with the lists of the place chosen."""
    return request.method == "POST" and bool(form.show_places.data)


@bp.route("/offices/new", methods=["GET", "POST"])
def new_office():
    form = OfficeForm()
    _places(form)
    if _choosing_place(form):
        return render_template("admin/office.html", form=form, office=None, saved={})
    if form.validate_on_submit():
        try:
            office = svc.create(current_user, **_values(form))
            db.session.commit()
            flash(_("Office added. Attach front-desk staff to it from their account page."), "success")
            return redirect(url_for("admin.office", office_id=office.id), 303)
        except Invalid as refused:
            db.session.rollback()
            invalid_into(form, refused)
    return render_template("admin/office.html", form=form, office=None, saved={}), 400 if form.errors else 200


def _stored(office: Office) -> dict:
    return {
        "name_km": office.name_km,
        "name_en": office.name_en,
        "province": office.province_code,
        "district": office.district_code,
        "commune": office.commune_code or "",
        "active": office.active,
    }


def _page(office: Office, form, status: int = 200, saved: dict | None = None):
    return (
        render_template(
            "admin/office.html",
            form=form,
            office=office,
            saved=saved or {},
            staff=svc.staff(office),
            changes=changelog.recent(current_locale(), svc.ENTITY, office.id),
        ),
        status,
    )


@bp.route("/offices/<int:office_id>", methods=["GET", "POST"])
def office(office_id: int):
    found = db.get_or_404(Office, office_id)
    form = OfficeEditForm(data=_stored(found) | {"version": found.version} if request.method == "GET" else None)
    _places(form)
    if _choosing_place(form):
        return _page(found, form)

    def save(office: Office) -> None:
        svc.update_office(current_user, office, form.version.data, **_values(form))

    done = url_for("admin.office", office_id=office_id)
    return save_edit(found, form, stored=_stored, render=_page, save=save, done_url=done)
