"""Seeding the information pages: add what is missing, never touch a page that exists."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.info.content import CATEGORIES, SCHEMES
from grievance.models import Category, Fund, InfoPage


def seed_info_pages() -> int:
    """One page per scheme and per default category; an administrator's edits are kept."""
    pages = db.session.execute(select(InfoPage)).scalars().all()
    slugs = {p.slug for p in pages}
    with_category = {p.category_id for p in pages if p.category_id is not None}
    funds = {f.code: f.id for f in db.session.execute(select(Fund)).scalars()}
    added = 0
    for position, (slug, fund, title_km, title_en, body_km, body_en) in enumerate(SCHEMES, start=1):
        if slug not in slugs:
            db.session.add(
                InfoPage(
                    slug=slug,
                    fund_id=funds.get(fund),
                    position=position,
                    title_km=title_km,
                    title_en=title_en,
                    body_km=body_km,
                    body_en=body_en,
                )
            )
            added += 1
    categories = db.session.execute(select(Category).where(Category.code.in_(CATEGORIES))).scalars()
    for category in categories:
        slug = category.code.lower()
        if category.id in with_category or slug in slugs:
            continue
        title_km, title_en, body_km, body_en = CATEGORIES[category.code]
        db.session.add(
            InfoPage(
                slug=slug,
                category_id=category.id,
                fund_id=category.default_fund_id,
                position=100 + category.position,
                title_km=title_km,
                title_en=title_en,
                body_km=body_km,
                body_en=body_en,
            )
        )
        added += 1
    db.session.flush()
    return added
