"""The routing table: ordered rules (category, province, channel → fund, optional office).

Rules are matched first to last (domain.routing). Editing a rule checks the rule's version;
adding and reordering check the version of the whole table (`table_version`, a digest of every
rule's id, place and version), so a move made on a stale view of the order is refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from grievance.admin.editing import EditConflict, Invalid, created, guarded_update
from grievance.admin.guard import require_admin
from grievance.domain.routing import Explanation, explain
from grievance.extensions import db
from grievance.geo import provinces
from grievance.models import Category, Fund, RoutingRule, User
from grievance.models.case import CHANNELS
from grievance.services import reference
from grievance.services.changes import record_change

ENTITY = "routing_rule"
FIELDS = ("position", "category_id", "province_code", "channel", "fund_id", "office", "active")
STEP = 10


def rules() -> list[RoutingRule]:
    return list(db.session.execute(select(RoutingRule).order_by(RoutingRule.position)).scalars())


def table_version() -> str:
    """A digest of the order and versions of every rule: it changes with any add, edit or move."""
    rows = db.session.execute(
        select(RoutingRule.id, RoutingRule.position, RoutingRule.version).order_by(RoutingRule.position)
    ).all()
    return hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()[:16]


def _check_table(expected: str | None) -> None:
    if expected != table_version():
        raise EditConflict()


def _check(category: Category | None, province: str | None, channel: str | None, fund: Fund | None) -> None:
    if fund is None or not fund.active:
        raise Invalid(_l("Choose an active fund."), "fund")
    if province and province not in {p.code for p in provinces()}:
        raise Invalid(_l("Choose a province from the list."), "province")
    if channel and channel not in CHANNELS:
        raise Invalid(_l("Choose a channel from the list."), "channel")
    if category is not None and category.sensitive and fund.kind != "oversight":
        raise Invalid(
            _l("Complaints about officials (a sensitive category) stay with the council: choose the council's desk."),
            "fund",
        )


def _order() -> list[int]:
    return [r.id for r in rules()]


def _apply_order(order: list[int]) -> None:
    """Give the rules positions 10, 20, 30... in this order (two steps: positions are unique)."""
    current = {r.id: r.position for r in rules()}
    wanted = {rule_id: (i + 1) * STEP for i, rule_id in enumerate(order)}
    moving = [rid for rid in order if current[rid] != wanted[rid]]
    for rid in moving:
        db.session.execute(
            update(RoutingRule)
            .where(RoutingRule.id == rid)
            .values(position=-rid)
            .execution_options(synchronize_session=False)
        )
    for rid in moving:
        db.session.execute(
            update(RoutingRule)
            .where(RoutingRule.id == rid)
            .values(position=wanted[rid])
            .execution_options(synchronize_session=False)
        )
    db.session.expire_all()


def add(
    actor: User | None,
    expected_table: str | None,
    *,
    category: Category | None = None,
    province: str | None = None,
    channel: str | None = None,
    fund: Fund | None = None,
    office: str | None = None,
    before: RoutingRule | None = None,
    note: str | None = None,
) -> RoutingRule:
    """A new rule, at the end of the table or just before the rule `before`."""
    require_admin(actor)
    _check_table(expected_table)
    _check(category, province, channel, fund)
    last = db.session.execute(select(func.max(RoutingRule.position))).scalar() or 0
    rule = RoutingRule(
        position=last + STEP,
        category_id=None if category is None else category.id,
        province_code=province or None,
        channel=channel or None,
        fund_id=fund.id,
        office=(office or "").strip() or None,
        active=True,
    )
    db.session.add(rule)
    db.session.flush()
    if before is not None:
        order = [rid for rid in _order() if rid != rule.id]
        order.insert(order.index(before.id), rule.id)
        _apply_order(order)
    created(rule, actor, ENTITY, FIELDS, note=note)
    return rule


def update_rule(
    actor: User | None,
    rule: RoutingRule,
    expected_version: int | None,
    *,
    category: Category | None,
    province: str | None,
    channel: str | None,
    fund: Fund | None,
    office: str | None,
    active: bool,
    note: str | None = None,
) -> dict:
    """Change what a rule matches or where it sends complaints."""
    require_admin(actor)
    _check(category, province, channel, fund)
    values = {
        "category_id": None if category is None else category.id,
        "province_code": province or None,
        "channel": channel or None,
        "fund_id": fund.id,
        "office": (office or "").strip() or None,
        "active": bool(active),
    }
    return guarded_update(rule, actor, ENTITY, expected_version, values, note=note)


def move(actor: User | None, rule: RoutingRule, offset: int, expected_table: str | None) -> bool:
    """Move a rule up (offset -1) or down (+1) one place; False if it is already first or last."""
    require_admin(actor)
    _check_table(expected_table)
    order = _order()
    at = order.index(rule.id)
    to = at + offset
    if not 0 <= to < len(order):
        return False
    new = list(order)
    new.insert(to, new.pop(at))
    _apply_order(new)
    record_change(actor, "routing_table", None, {"order": order}, {"order": new}, note=f"rule {rule.id}")
    return True


@dataclass(frozen=True)
class Answer:
    """Which rule routes a complaint: the rule row (None: no rule, the triage desk) and the fund."""

    rule: RoutingRule | None
    fund: Fund
    office: str | None
    explanation: Explanation

    @property
    def number(self) -> int | None:
        """The rule's place in the table (1 = first), as the page and the command print it."""
        if self.rule is None:
            return None
        return [r.id for r in rules()].index(self.rule.id) + 1


def which_rule(category: Category, province: str | None, channel: str) -> Answer:
    """The rule that routes a complaint of this category, province and channel: the same match intake makes."""
    domain_rules, fund_ids, council = reference.routing_rules_from_db()
    found = explain(
        domain_rules,
        category.code,
        province or None,
        channel,
        reference.TRIAGE_FUND_CODE,
        keep_with=reference.keep_with(category, council),
    )
    decision = found.decision
    rule = None
    if decision.rule_position is not None:
        rule = db.session.execute(
            select(RoutingRule).where(RoutingRule.position == decision.rule_position)
        ).scalar_one()
    fund = db.session.get(Fund, fund_ids[decision.fund_code])
    return Answer(rule, fund, decision.office, found)
