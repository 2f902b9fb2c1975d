"""/admin/categories: the complaint categories, a new one, one category's page."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin import categories as svc
from grievance.admin import changelog
from grievance.admin.editing import Invalid
from grievance.admin.forms import CategoryEditForm, CategoryForm
from grievance.admin.routes import bp, fund_choices, get, invalid_into, save_edit
from grievance.extensions import db
from grievance.i18n import current_locale
from grievance.models import Category, Fund, InfoPage

NEW_PAGE = "new"


def _page_choices(form, category: Category | None) -> None:
    pages = [(str(p.id), p.title_km if current_locale() == "km" else p.title_en) for p in svc.linkable_pages(category)]
    extra = [(NEW_PAGE, _("Write a new page for it"))] if category is None else []
    form.info_page.choices = [("", _("— no page —")), *extra, *pages]
    form.fund.choices = fund_choices()


def _values(form) -> dict:
    """What the new-category and edit forms both give the service."""
    return {
        "name_km": form.name_km.data,
        "name_en": form.name_en.data,
        "fund": get(Fund, form.fund.data),
        "priority": form.priority.data,
        "sensitive": form.sensitive.data,
        "situation": form.situation.data,
        "active": form.active.data,
        "page": get(InfoPage, form.info_page.data),
    }


@bp.get("/categories/")
def categories():
    rows = [(c, svc.info_page_of(c)) for c in svc.listing()]
    return render_template("admin/categories.html", rows=rows)


@bp.route("/categories/new", methods=["GET", "POST"])
def new_category():
    form = CategoryForm()
    _page_choices(form, None)
    if request.method == "GET":
        form.info_page.data = NEW_PAGE
    if form.validate_on_submit():
        try:
            category = svc.create(
                current_user, code=form.code.data, new_page=form.info_page.data == NEW_PAGE, **_values(form)
            )
            db.session.commit()
            flash(_("Category added, with a routing rule to its fund at the end of the routing table."), "success")
            return redirect(url_for("admin.category", category_id=category.id), 303)
        except Invalid as refused:
            db.session.rollback()
            invalid_into(form, refused)
    return render_template("admin/category.html", form=form, category=None, saved={}), 400 if form.errors else 200


def _stored(category: Category) -> dict:
    page = svc.info_page_of(category)
    return {
        "name_km": category.name_km,
        "name_en": category.name_en,
        "fund": str(category.default_fund_id),
        "priority": category.priority,
        "sensitive": category.sensitive,
        "situation": category.situation,
        "position": category.position,
        "active": category.active,
        "info_page": "" if page is None else str(page.id),
    }


def _page(category: Category, form, status: int = 200, saved: dict | None = None):
    return (
        render_template(
            "admin/category.html",
            form=form,
            category=category,
            saved=saved or {},
            info_page=svc.info_page_of(category),
            changes=changelog.recent(current_locale(), svc.ENTITY, category.id),
        ),
        status,
    )


@bp.route("/categories/<int:category_id>", methods=["GET", "POST"])
def category(category_id: int):
    found = db.get_or_404(Category, category_id)
    form = CategoryEditForm(data=_stored(found) | {"version": found.version} if request.method == "GET" else None)
    _page_choices(form, found)

    def save(category: Category) -> None:
        svc.update_category(current_user, category, form.version.data, position=form.position.data, **_values(form))

    done = url_for("admin.category", category_id=category_id)
    return save_edit(found, form, stored=_stored, render=_page, save=save, done_url=done)
