"""Reference data as the pure domain needs it: calendar, clock policies, routing rules."""

from __future__ import annotations

from sqlalchemy import select

from grievance.domain.calendar import WorkingCalendar
from grievance.domain.routing import Decision, Rule, route
from grievance.domain.sla import Policy
from grievance.extensions import db
from grievance.models import Category, ClosureDay, Fund, RoutingRule, SlaPolicy

TRIAGE_FUND_CODE = "NSPC"


def working_calendar() -> WorkingCalendar:
    """Public holidays plus the closure days an administrator has added."""
    return WorkingCalendar(db.session.execute(select(ClosureDay.day)).scalars())


def policy_for(category: Category) -> Policy:
    rows = db.session.execute(
        select(SlaPolicy).where((SlaPolicy.category_id == category.id) | (SlaPolicy.category_id.is_(None)))
    ).scalars()
    by_category = {row.category_id: row for row in rows}
    row = by_category.get(category.id) or by_category.get(None)
    if row is None:
        raise LookupError(f"no service-level policy for {category.code} and no default policy")
    return Policy(
        ack_days=row.ack_days,
        resolve_days=row.resolve_days,
        loop_days=row.loop_days,
        warn_percent=row.warn_percent,
        escalate_after_days=row.escalate_after_days,
    )


def reopen_window_days(category: Category) -> int:
    row = db.session.execute(
        select(SlaPolicy)
        .where((SlaPolicy.category_id == category.id) | (SlaPolicy.category_id.is_(None)))
        .order_by(SlaPolicy.category_id.is_(None))
    ).scalar()
    return 30 if row is None else row.reopen_window_days


def routing_decision(category: Category, province_code: str | None, channel: str) -> tuple[Fund, str | None]:
    """Match the ordered routing table; fall back to the council's triage desk."""
    rows = db.session.execute(
        select(RoutingRule, Category.code, Fund.code)
        .join(Fund, RoutingRule.fund_id == Fund.id)
        .outerjoin(Category, RoutingRule.category_id == Category.id)
        .where(RoutingRule.active.is_(True))
    ).all()
    rules = [
        Rule(
            position=rule.position,
            fund_code=fund_code,
            category_code=category_code,
            province_code=rule.province_code,
            channel=rule.channel,
            office=rule.office,
        )
        for rule, category_code, fund_code in rows
    ]
    decision: Decision = route(rules, category.code, province_code, channel, TRIAGE_FUND_CODE)
    fund = db.session.execute(select(Fund).where(Fund.code == decision.fund_code)).scalar_one()
    return fund, decision.office
