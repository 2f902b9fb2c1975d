"""Public information pages (/info) and the administrators' editor (/admin/info)."""

from flask import Blueprint, abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from grievance.admin.routes import save_edit
from grievance.extensions import db
from grievance.info import service
from grievance.info.forms import InfoPageForm
from grievance.info.markup import render_body
from grievance.models import Fund, InfoPage

bp = Blueprint("info", __name__)
admin_bp = Blueprint("info_admin", __name__)


@bp.app_template_global()
def info_slug(category) -> str | None:
    """The slug of a category's information page (one query per request), for the form's links."""
    if "info_slugs" not in g:
        g.info_slugs = service.slugs_by_category()
    return g.info_slugs.get(category.id)


@bp.app_template_filter("info_body")
def info_body(text: str):
    return render_body(text)


@bp.get("/")
def index():
    pages = service.all_pages()
    return render_template(
        "info/index.html",
        schemes=[p for p in pages if p.category_id is None],
        categories=[p for p in pages if p.category_id is not None],
    )


@bp.get("/<slug>")
def page(slug: str):
    found = service.page_by_slug(slug)
    if found is None:
        abort(404)
    category = service.category_of(found)
    return render_template(
        "info/page.html",
        page=found,
        level=None if category is None else service.service_level(category),
        fund=None if found.fund_id is None else db.session.get(Fund, found.fund_id),
        scheme_levels=service.scheme_service_levels(found),
        slugs=service.slugs_by_category(),
    )


@admin_bp.before_request
def _admins_only():
    if not current_user.is_authenticated or current_user.role != "admin":
        abort(403)


@admin_bp.get("/")
def pages():
    return render_template("info/admin_list.html", pages=service.all_pages())


EDITED = ("title_km", "title_en", "body_km", "body_en")


@admin_bp.route("/<int:page_id>", methods=["GET", "POST"])
def edit(page_id: int):
    found = db.session.get(InfoPage, page_id)
    if found is None:
        abort(404)
    form = InfoPageForm(obj=found)

    def render(page, form, status, saved):
        return render_template("info/admin_edit.html", page=page, form=form, saved=saved), status

    def save(page: InfoPage) -> None:
        values = {name: form[name].data for name in EDITED}
        service.update_page(page, current_user, expected_version=form.version.data, **values)

    return save_edit(
        found,
        form,
        stored=lambda page: {name: getattr(page, name) for name in EDITED},
        render=render,
        save=save,
        done_url=url_for("info_admin.edit", page_id=page_id),
        done=_("The page was saved. It is shown to the public at once."),
    )
