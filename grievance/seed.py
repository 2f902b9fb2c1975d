"""Loading reference data (idempotent) and demo data."""

from __future__ import annotations

from sqlalchemy import select

from grievance.extensions import db
from grievance.frontdesk.offices import seed_offices
from grievance.info.seed import seed_info_pages
from grievance.models import Category, Fund, RoutingRule, SlaPolicy
from grievance.models.reference import terms_scope
from grievance.seed_data import CATEGORIES, DEFAULT_POLICY, FUNDS


def seed_reference() -> dict[str, int]:
    """Insert what is missing; never overwrite what an administrator has edited."""
    added = {"funds": 0, "categories": 0, "policies": 0, "rules": 0}
    funds = {f.code: f for f in db.session.execute(select(Fund)).scalars()}
    for code, kind, name_en, name_km in FUNDS:
        if code not in funds:
            funds[code] = Fund(code=code, kind=kind, name_en=name_en, name_km=name_km)
            db.session.add(funds[code])
            added["funds"] += 1
    db.session.flush()
    if db.session.execute(select(SlaPolicy).where(SlaPolicy.scope == terms_scope())).scalar() is None:
        db.session.add(SlaPolicy(scope=terms_scope(), category_id=None, **DEFAULT_POLICY))
        added["policies"] += 1
    categories = {c.code: c for c in db.session.execute(select(Category)).scalars()}
    has_rules = db.session.execute(select(RoutingRule.id)).first() is not None
    for position, (
        code,
        fund,
        priority,
        ack,
        resolve,
        situation,
        sensitive,
        name_en,
        name_km,
    ) in enumerate(CATEGORIES, start=1):
        if code not in categories:
            cat = Category(
                code=code,
                name_en=name_en,
                name_km=name_km,
                default_fund=funds[fund],
                priority=priority,
                sensitive=sensitive,
                situation=situation,
                position=position,
            )
            db.session.add(cat)
            db.session.flush()
            categories[code] = cat
            added["categories"] += 1
            db.session.add(
                SlaPolicy(
                    scope=terms_scope(category_id=cat.id),
                    category_id=cat.id,
                    ack_days=ack,
                    resolve_days=resolve,
                    loop_days=DEFAULT_POLICY["loop_days"],
                    warn_percent=DEFAULT_POLICY["warn_percent"],
                    escalate_after_days=DEFAULT_POLICY["escalate_after_days"],
                    reopen_window_days=DEFAULT_POLICY["reopen_window_days"],
                    appeal_days=DEFAULT_POLICY["appeal_days"],
                )
            )
            added["policies"] += 1
        if not has_rules:
            db.session.add(RoutingRule(position=position * 10, category=categories[code], fund=funds[fund]))
            added["rules"] += 1
    db.session.flush()
    added["offices"] = seed_offices()
    added["info_pages"] = seed_info_pages()
    return added
