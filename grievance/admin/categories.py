"""Complaint categories: names in both languages, fund, priority, sensitivity, order on the form,
active, and the information page that explains them."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from grievance.admin import routing
from grievance.admin.editing import Invalid, created, guarded_update
from grievance.admin.guard import require_admin
from grievance.extensions import db
from grievance.intake.presenter import SITUATIONS
from grievance.models import Category, Fund, InfoPage, RoutingRule, User
from grievance.models.reference import PRIORITIES
from grievance.services.changes import record_change

ENTITY = "category"
FIELDS = ("code", "name_km", "name_en", "default_fund_id", "priority", "sensitive", "situation", "position", "active")
SITUATION_CODES = tuple(code for code, _label in SITUATIONS)
CODE = re.compile(r"^[A-Z][A-Z0-9-]{1,31}$")


def listing() -> list[Category]:
    return list(db.session.execute(select(Category).order_by(Category.position, Category.id)).scalars())


def info_page_of(category: Category) -> InfoPage | None:
    return db.session.execute(select(InfoPage).where(InfoPage.category_id == category.id)).scalar_one_or_none()


def linkable_pages(category: Category | None) -> list[InfoPage]:
    """Information pages that explain no other category (the category's own, and the free ones)."""
    pages = db.session.execute(select(InfoPage).order_by(InfoPage.position, InfoPage.id)).scalars()
    own = None if category is None else category.id
    return [p for p in pages if p.category_id is None or p.category_id == own]


def _checked(name_km: str, name_en: str, fund: Fund | None, priority: str, sensitive: bool, situation: str) -> dict:
    """The columns both a new category and an edit set, refused if they cannot be stored."""
    values = {
        "name_km": name_km.strip(),
        "name_en": name_en.strip(),
        "default_fund_id": None if fund is None else fund.id,
        "priority": priority,
        "sensitive": bool(sensitive),
        "situation": situation,
    }
    _check(values, fund)
    return values


def _check(values: dict, fund: Fund | None) -> None:
    if not values["name_km"].strip() or not values["name_en"].strip():
        raise Invalid(_l("Give the name in both languages."), "name_km" if not values["name_km"].strip() else "name_en")
    if fund is None or not fund.active:
        raise Invalid(_l("Choose an active fund."), "fund")
    if values["priority"] not in PRIORITIES:
        raise Invalid(_l("Choose a priority."), "priority")
    if values["situation"] not in SITUATION_CODES:
        raise Invalid(_l("Choose where the category appears on the form."), "situation")
    if values["sensitive"] and fund.kind != "oversight":
        raise Invalid(
            _l("A sensitive category (complaints about officials) stays with the council: choose the council's desk."),
            "fund",
        )


def _link_page(actor: User | None, category: Category, page: InfoPage | None) -> None:
    """Make `page` the category's information page (and no other page)."""
    current = info_page_of(category)
    if current is not None and page is not None and current.id == page.id:
        return
    if current is not None:
        current.category_id = None
        db.session.flush()
        record_change(actor, "info_page", current.id, {"category_id": category.id}, {"category_id": None})
    if page is not None:
        if page.category_id not in (None, category.id):
            raise Invalid(_l("That information page explains another category."), "info_page")
        page.category_id = category.id
        db.session.flush()
        record_change(actor, "info_page", page.id, {"category_id": None}, {"category_id": category.id})


def _new_page(category: Category) -> InfoPage:
    slug = category.code.lower()
    taken = {s for (s,) in db.session.execute(select(InfoPage.slug).where(InfoPage.slug.startswith(slug)))}
    n = 2
    base = slug
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return InfoPage(
        slug=slug,
        category_id=category.id,
        fund_id=category.default_fund_id,
        position=100 + category.position,
        title_km=category.name_km,
        title_en=category.name_en,
        body_km=f"អ្នកអាចដាក់ពាក្យបណ្តឹងអំពី «{category.name_km}»។ រយៈពេលឆ្លើយតបមាននៅខាងក្រោម។",
        body_en=f"You can complain about “{category.name_en}”. The time limits are below.",
    )


def create(
    actor: User | None,
    *,
    code: str,
    name_km: str,
    name_en: str,
    fund: Fund | None,
    priority: str,
    sensitive: bool,
    situation: str,
    active: bool = True,
    page: InfoPage | None = None,
    new_page: bool = False,
) -> Category:
    """A new category, placed last on the form, with a routing rule to its fund at the end of the table."""
    require_admin(actor)
    code = (code or "").strip().upper()
    if not CODE.match(code):
        raise Invalid(_l("Codes are 2 to 32 capital letters, digits and hyphens, starting with a letter."), "code")
    if db.session.execute(select(Category.id).where(Category.code == code)).first():
        raise Invalid(_l("A category with this code already exists."), "code")
    values = _checked(name_km, name_en, fund, priority, sensitive, situation)
    last = db.session.execute(select(func.max(Category.position))).scalar() or 0
    category = Category(code=code, position=last + 1, active=bool(active), **values)
    db.session.add(category)
    created(category, actor, ENTITY, FIELDS)
    routing.add(actor, routing.table_version(), category=category, fund=fund, note=f"the rule of new category {code}")
    if new_page:
        info = _new_page(category)
        db.session.add(info)
        created(info, actor, "info_page", ("slug", "title_km", "title_en", "category_id"))
    elif page is not None:
        _link_page(actor, category, page)
    return category


def update_category(
    actor: User | None,
    category: Category,
    expected_version: int | None,
    *,
    name_km: str,
    name_en: str,
    fund: Fund | None,
    priority: str,
    sensitive: bool,
    situation: str,
    position: int,
    active: bool,
    page: InfoPage | None,
) -> dict:
    """Edit a category. When its fund changes, its own routing rule (any province, any channel) follows."""
    require_admin(actor)
    values = _checked(name_km, name_en, fund, priority, sensitive, situation)
    values.update(position=position, active=bool(active))
    old_fund_id = category.default_fund_id
    changed = guarded_update(category, actor, ENTITY, expected_version, values)
    if "default_fund_id" in changed:
        plain_rules = db.session.execute(
            select(RoutingRule).where(
                RoutingRule.category_id == category.id,
                RoutingRule.province_code.is_(None),
                RoutingRule.channel.is_(None),
                RoutingRule.fund_id == old_fund_id,
            )
        ).scalars()
        for rule in plain_rules:
            routing.update_rule(
                actor,
                rule,
                rule.version,
                category=category,
                province=None,
                channel=None,
                fund=fund,
                office=rule.office,
                active=rule.active,
                note=f"follows category {category.code}",
            )
    _link_page(actor, category, page)
    return changed
