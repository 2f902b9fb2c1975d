"""Information pages: reading them with their service levels, and the administrator's edit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Category, InfoPage, User
from grievance.models.timeutil import to_db
from grievance.services import reference


@dataclass(frozen=True)
class ServiceLevel:
    """How long the fund has, in working days, read from SlaPolicy (never hard-coded)."""

    category: Category
    ack_days: int
    resolve_days: int
    loop_days: int
    warn_percent: int
    escalate_after_days: int


def service_level(category: Category) -> ServiceLevel:
    policy = reference.policy_for(category)
    return ServiceLevel(
        category=category,
        ack_days=policy.ack_days,
        resolve_days=policy.resolve_days,
        loop_days=policy.loop_days,
        warn_percent=policy.warn_percent,
        escalate_after_days=policy.escalate_after_days,
    )


def all_pages() -> list[InfoPage]:
    return list(db.session.execute(select(InfoPage).order_by(InfoPage.position, InfoPage.id)).scalars())


def page_by_slug(slug: str) -> InfoPage | None:
    return db.session.execute(select(InfoPage).where(InfoPage.slug == slug)).scalar_one_or_none()


def category_of(page: InfoPage) -> Category | None:
    return None if page.category_id is None else db.session.get(Category, page.category_id)


def scheme_service_levels(page: InfoPage) -> list[ServiceLevel]:
    """For a scheme page: the service level of each active category its fund handles."""
    if page.fund_id is None or page.category_id is not None:
        return []
    categories = db.session.execute(
        select(Category)
        .where(Category.default_fund_id == page.fund_id, Category.active.is_(True))
        .order_by(Category.position)
    ).scalars()
    return [service_level(c) for c in categories]


def slugs_by_category() -> dict[int, str]:
    """category id -> slug of its page, for the links on the complaint form."""

    def build():
        rows = db.session.execute(select(InfoPage.category_id, InfoPage.slug).where(InfoPage.category_id.isnot(None)))
        return {category_id: slug for category_id, slug in rows}

    # Cached with the other reference data: the complaint form shows these links on every view.
    return reference.cached("info_slugs", build)


def update_page(
    page: InfoPage,
    actor: User,
    *,
    expected_version: int | None,
    title_km: str,
    title_en: str,
    body_km: str,
    body_en: str,
    now: datetime | None = None,
) -> None:
    """An administrator's edit of both languages, checked against the version the editor showed and
    recorded with before and after (admin.editing); who and when are kept on the page."""
    from grievance.admin.editing import guarded_update

    values = {"title_km": title_km, "title_en": title_en, "body_km": body_km, "body_en": body_en}
    if guarded_update(page, actor, "info_page", expected_version, values):
        page.updated_by_id = actor.id
        page.updated_at = to_db(now or datetime.now(timezone.utc))
        db.session.flush()
