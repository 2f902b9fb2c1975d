"""/admin/calendar: the year's days off; a closure is added or removed after a preview of what it moves."""

from __future__ import annotations

from datetime import datetime, timezone

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import calendar as svc
from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.forms import ClosureForm, RemoveClosureForm
from grievance.admin.routes import bp, invalid_into
from grievance.domain.calendar import local_date
from grievance.extensions import db
from grievance.models import ClosureDay


def _year() -> int:
    today = local_date(datetime.now(timezone.utc))
    year = request.args.get("year", today.year, type=int)
    return year if today.year - 5 <= year <= today.year + 5 else today.year


def _calendar_page(form: ClosureForm | None = None, status: int = 200, year: int | None = None):
    year = year or _year()
    version = svc.calendar_version()
    if form is None:
        form = ClosureForm(formdata=None, calendar=version)
    return (
        render_template(
            "admin/calendar.html",
            year=year,
            days=svc.year(year),
            form=form,
            remove=RemoveClosureForm(formdata=None, calendar=version),
            today=local_date(datetime.now(timezone.utc)),
        ),
        status,
    )


@bp.get("/calendar/")
def calendar():
    return _calendar_page()


@bp.post("/calendar/preview")
def preview_closure():
    form = ClosureForm()
    if not form.validate_on_submit():
        return _calendar_page(form, 400)
    try:
        svc.check_new_closure(form.day.data, datetime.now(timezone.utc))
    except Invalid as refused:
        invalid_into(form, refused)
        return _calendar_page(form, 400, form.day.data.year)
    found = svc.preview(form.day.data, closing=True)
    form.calendar.data = svc.calendar_version()
    return render_template("admin/closure_preview.html", form=form, preview=found, closure=None)


def _applied(moved: int, closing: bool) -> str:
    if closing:
        return _("Closure added: %(n)s open cases' due dates moved one working day later.", n=moved)
    return _("Closure removed: %(n)s open cases' due dates moved one working day earlier.", n=moved)


@bp.post("/calendar/closures")
def add_closure():
    form = ClosureForm()
    if not form.validate_on_submit():
        return _calendar_page(form, 400)
    try:
        _row, moved = svc.add(
            current_user,
            form.calendar.data,
            form.day.data,
            reason_en=form.reason_en.data,
            reason_km=form.reason_km.data,
        )
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        flash(_("The calendar changed since the preview. Here is the new preview: check it and apply again."), "error")
        found = svc.preview(form.day.data, closing=True)
        form.calendar.data = svc.calendar_version()
        return render_template("admin/closure_preview.html", form=form, preview=found, closure=None), 409
    except Invalid as refused:
        db.session.rollback()
        invalid_into(form, refused)
        return _calendar_page(form, 400, form.day.data.year)
    flash(_applied(moved, True), "success")
    return redirect(url_for("admin.calendar", year=form.day.data.year), 303)


def _closure_and_form(closure_id: int) -> tuple[ClosureDay, RemoveClosureForm]:
    closure = db.get_or_404(ClosureDay, closure_id)
    form = RemoveClosureForm()
    if not form.validate_on_submit():
        abort(400)
    return closure, form


@bp.post("/calendar/closures/<int:closure_id>/preview")
def preview_removal(closure_id: int):
    closure, form = _closure_and_form(closure_id)
    found = svc.preview(closure.day, closing=False)
    form.calendar.data = svc.calendar_version()
    return render_template("admin/closure_preview.html", form=form, preview=found, closure=closure)


@bp.post("/calendar/closures/<int:closure_id>/delete")
def remove_closure(closure_id: int):
    closure, form = _closure_and_form(closure_id)
    year = closure.day.year
    try:
        moved = svc.remove(current_user, form.calendar.data, closure)
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        flash(_("The calendar changed since the preview. Check the calendar and try again."), "error")
        return redirect(url_for("admin.calendar", year=year), 303)
    except Invalid as refused:
        db.session.rollback()
        flash(str(refused), "error")
        return redirect(url_for("admin.calendar", year=year), 303)
    flash(_applied(moved, False), "success")
    return redirect(url_for("admin.calendar", year=year), 303)
