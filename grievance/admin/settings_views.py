"""/admin/settings: settings an administrator changes at run time (Khmer digits)."""

from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import changelog
from grievance.admin import settings as svc
from grievance.admin.editing import EditConflict
from grievance.admin.forms import SettingsForm
from grievance.admin.routes import bp, carry_version, conflict_message
from grievance.domain import dates
from grievance.domain.calendar import TZ
from grievance.extensions import db
from grievance.i18n import current_locale


def _examples() -> dict[bool, str]:
    """How a Khmer reader sees today's date and a count with each choice."""
    today = datetime.now(TZ)
    return {
        choice: f"{dates.day(today, 'km', khmer=choice)} · {dates.number(1250, 'km', khmer=choice)}"
        for choice in (False, True)
    }


def _page(form, status: int = 200, saved: dict | None = None):
    return (
        render_template(
            "admin/settings.html",
            form=form,
            saved=saved or {},
            examples=_examples(),
            configured=svc.from_configuration(svc.KHMER_DIGITS),
            changes=changelog.recent(current_locale(), svc.ENTITY, svc.KHMER_DIGITS),
        ),
        status,
    )


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    form = SettingsForm()
    if not form.is_submitted():
        form.khmer_digits.data = svc.khmer_digits()
        form.version.data = svc.version(svc.KHMER_DIGITS)
        return _page(form)
    if not form.validate():
        return _page(form, 400)
    try:
        changed = svc.update_setting(current_user, svc.KHMER_DIGITS, form.version.data, bool(form.khmer_digits.data))
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        svc.forget()
        carry_version(form, svc.version(svc.KHMER_DIGITS))
        flash(conflict_message(), "error")
        stored = _("Yes") if svc.khmer_digits() else _("No")
        return _page(form, 409, {"khmer_digits": stored} if svc.khmer_digits() != form.khmer_digits.data else {})
    flash(_("Saved.") if changed else _("Nothing to save: the settings were already so."), "success")
    return redirect(url_for("admin.settings"), 303)
