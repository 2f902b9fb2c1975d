"""The admin area's blueprint (/admin/): the home page, the change log and what every admin page shares.

The pages of each kind of setting are in the *_views modules next to this one; grievance/admin/views.py
gathers them. Every page is for administrators only (and the services refuse anyone else too).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from grievance.admin import changelog, labels
from grievance.admin.editing import EditConflict, Invalid
from grievance.extensions import db
from grievance.geo import province_choices
from grievance.i18n import current_locale
from grievance.models import Category, ClosureDay, Fund, Office, Organisation, RoutingRule, User

bp = Blueprint("admin", __name__)


@bp.before_request
def _admins_only():
    if not current_user.is_authenticated or current_user.role != "admin":
        abort(403)


@bp.app_context_processor
def _admin_words():
    return {"admin_labels": labels}


def fund_choices(blank: str | None = None) -> list[tuple[str, str]]:
    funds = db.session.execute(select(Fund).where(Fund.active.is_(True)).order_by(Fund.id)).scalars()
    choices = [(str(f.id), f"{f.code} — {f.name(current_locale())}") for f in funds]
    return ([("", blank)] if blank is not None else []) + choices


def organisation_choices(blank: str | None = None) -> list[tuple[str, str]]:
    orgs = db.session.execute(select(Organisation).order_by(func.lower(Organisation.name))).scalars()
    choices = [(str(o.id), o.name if o.active else f"{o.name} ({_('deactivated')})") for o in orgs]
    return ([("", blank)] if blank is not None else []) + choices


def office_choices(blank: str | None = None) -> list[tuple[str, str]]:
    offices = db.session.execute(select(Office).order_by(Office.province_code, Office.id)).scalars()
    choices = [(str(o.id), o.name(current_locale())) for o in offices]
    return ([("", blank)] if blank is not None else []) + choices


def category_choices() -> list[tuple[str, str]]:
    categories = db.session.execute(select(Category).order_by(Category.position)).scalars()
    return [(str(c.id), f"{c.code} — {c.name(current_locale())}") for c in categories]


def provinces() -> list[tuple[str, str]]:
    return province_choices(current_locale())


def get(model, ident: str | int | None):
    """The row with this id (a form's select value), or None."""
    if ident in (None, ""):
        return None
    try:
        return db.session.get(model, int(ident))
    except (TypeError, ValueError):
        return None


def saved_now(form, current: dict) -> dict[str, str]:
    """After a conflict: for each field whose stored value differs from what was typed, the stored value as words."""
    notes = {}
    for name, value in current.items():
        field = form[name]
        typed = "" if field.data is None else str(field.data)
        stored = "" if value is None else str(value)
        if typed == stored:
            continue
        if isinstance(value, bool):
            notes[name] = _("Yes") if value else _("No")
        elif getattr(field, "choices", None):
            notes[name] = str(dict((str(k), v) for k, v in field.choices).get(stored, stored or "—"))
        else:
            notes[name] = stored or "—"
    return notes


def invalid_into(form, error: Invalid) -> None:
    """Show a service's refusal on the field it names (or on the whole form)."""
    message = str(error)  # a lazy string: in the reader's language
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message]
    else:
        form.form_errors = [*getattr(form, "form_errors", []), message]


def conflict_message() -> str:
    return _(
        "Someone else saved a change here while you were editing. Nothing of yours was saved yet: what is saved "
        "now is shown under each field that differs, and your values are kept in the form. Check them and save again."
    )


def carry_version(form, version: int) -> None:
    """After a conflict, the form sends back the version saved now, so checking and saving again works.

    (A submitted field renders what was posted, not `.data`: both are set.)
    """
    form.version.data = version
    form.version.raw_data = [str(version)]


def save_edit(found, form, *, stored, render, save, done_url: str, done: str | None = None):
    """The POST of an edit page: validate, save against the version shown, commit, or say why not.

    `stored(obj)` gives the form's values of the record as saved; `render(obj, form, status, saved)`
    draws the page; `save(obj)` calls the service. A stale save answers 409 with the typed values
    kept and what is saved now shown under each field that differs (saved_now); a refusal of the
    service is shown on its field.
    """
    model, ident = type(found), found.id
    if not form.validate_on_submit():
        return render(found, form, 400 if form.errors else 200, {})
    try:
        save(found)
        db.session.commit()
    except EditConflict:
        db.session.rollback()
        found = db.session.get(model, ident)
        carry_version(form, found.version)
        flash(conflict_message(), "error")
        return render(found, form, 409, saved_now(form, stored(found)))
    except Invalid as refused:
        db.session.rollback()
        invalid_into(form, refused)
        return render(db.session.get(model, ident), form, 400, {})
    flash(done or _("Saved."), "success")
    return redirect(done_url, 303)


@bp.get("/")
def home():
    counts = {
        "users": db.session.execute(select(func.count()).select_from(User).where(User.active.is_(True))).scalar(),
        "organisations": db.session.execute(select(func.count()).select_from(Organisation)).scalar(),
        "categories": db.session.execute(
            select(func.count()).select_from(Category).where(Category.active.is_(True))
        ).scalar(),
        "rules": db.session.execute(
            select(func.count()).select_from(RoutingRule).where(RoutingRule.active.is_(True))
        ).scalar(),
        "closures": db.session.execute(select(func.count()).select_from(ClosureDay)).scalar(),
        "offices": db.session.execute(select(func.count()).select_from(Office).where(Office.active.is_(True))).scalar(),
    }
    recent, _total = changelog.page(current_locale())
    return render_template("admin/home.html", counts=counts, recent=recent[:8])


@bp.get("/changes")
def changes():
    entity = request.args.get("entity", "")
    if entity not in labels.ENTITY:
        entity = ""
    number = request.args.get("page", 1, type=int) or 1
    lines, total = changelog.page(current_locale(), entity=entity, number=number)
    return render_template(
        "admin/changes.html", lines=lines, total=total, entity=entity, number=number, size=changelog.PAGE_SIZE
    )
