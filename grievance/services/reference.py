"""Reference data as the pure domain needs it: calendar, clock policies, routing rules.

Every complaint needs the working calendar, its category's policy and the routing table:
read from the database each time, that was five queries per submission for data an
administrator changes a few times a year. The public form's category list and its links to
the information pages are the same kind of data, read on every view of the form. Each process
keeps them for
REFERENCE_CACHE_SECONDS (30 s; off under TESTING unless set). A commit that changes any of
them in this process empties the cache at once; other workers and servers see the change
within the TTL.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from itertools import chain

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.util import identity_key

from grievance.domain.calendar import WorkingCalendar
from grievance.domain.routing import Decision, Rule, route
from grievance.domain.sla import TERMS, Policy
from grievance.extensions import db
from grievance.models import Case, Category, ClosureDay, Fund, InfoPage, RoutingRule, SlaPolicy
from grievance.models.reference import terms_scope
from grievance.models.timeutil import from_db

TRIAGE_FUND_CODE = "NSPC"
REFERENCE_MODELS = (Category, ClosureDay, Fund, InfoPage, RoutingRule, SlaPolicy)
DEFAULT_TTL_SECONDS = 30

_cache: dict[tuple, tuple[float, object]] = {}


def _ttl() -> float:
    app = current_app
    return float(app.config.get("REFERENCE_CACHE_SECONDS", 0 if app.testing else DEFAULT_TTL_SECONDS))


def cached(name: str, build):
    """`build()`, kept per process and app for the TTL; emptied by a commit that changes reference data."""
    ttl = _ttl()
    if ttl <= 0:
        return build()
    key = (id(current_app._get_current_object()), name)
    now = time.monotonic()
    hit = _cache.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = build()
    _cache[key] = (now + ttl, value)
    return value


def invalidate() -> None:
    """Forget the cached reference data of every app in this process."""
    _cache.clear()


@event.listens_for(Session, "after_flush")
def _note_reference_changes(session, _context) -> None:
    if any(isinstance(obj, REFERENCE_MODELS) for obj in chain(session.new, session.dirty, session.deleted)):
        session.info["reference_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _note_reference_statements(state) -> None:
    if (state.is_update or state.is_delete or state.is_insert) and state.bind_mapper is not None:
        if state.bind_mapper.class_ in REFERENCE_MODELS:
            state.session.info["reference_changed"] = True


@event.listens_for(Session, "after_commit")
def _invalidate_after_commit(session) -> None:
    if session.info.pop("reference_changed", False):
        invalidate()


@dataclass(frozen=True)
class CategoryChoice:
    """An active category as the public forms list it: plain values, safe to keep between requests."""

    id: int
    code: str
    situation: str
    name_en: str
    name_km: str

    def name(self, locale: str) -> str:
        return self.name_km if locale == "km" else self.name_en


def active_categories() -> tuple[CategoryChoice, ...]:
    """The active categories in form order (the public form lists them on every GET and POST)."""

    def build():
        rows = db.session.execute(
            select(Category.id, Category.code, Category.situation, Category.name_en, Category.name_km)
            .where(Category.active.is_(True))
            .order_by(Category.position)
        ).all()
        return tuple(CategoryChoice(*row) for row in rows)

    return cached("categories", build)


def working_calendar() -> WorkingCalendar:
    """Public holidays plus the closure days an administrator has added."""
    return cached("calendar", lambda: WorkingCalendar(db.session.execute(select(ClosureDay.day)).scalars()))


@dataclass(frozen=True)
class Terms:
    """One stored set of service-level terms: its row id, scope, when it takes effect (aware UTC)."""

    id: int
    scope: str
    effective_from: datetime
    policy: Policy


def terms_table() -> tuple[dict[str, list[Terms]], dict[int, Terms]]:
    """Every set of terms by scope (oldest first) and by id."""

    def build():
        by_scope: dict[str, list[Terms]] = {}
        by_id: dict[int, Terms] = {}
        rows = db.session.execute(select(SlaPolicy).order_by(SlaPolicy.effective_from, SlaPolicy.id)).scalars()
        for row in rows:
            terms = Terms(
                row.id,
                row.scope,
                from_db(row.effective_from),
                Policy(**{term.name: getattr(row, term.name) for term in TERMS}),
            )
            by_scope.setdefault(row.scope, []).append(terms)
            by_id[row.id] = terms
        return by_scope, by_id

    return cached("policies", build)


def scopes_of(category: Category) -> tuple[str, str, str]:
    """Where a category's terms come from, most specific first: its own, its priority's, the defaults."""
    return terms_scope(category_id=category.id), terms_scope(priority=category.priority), terms_scope()


def in_force(history: list[Terms], at: datetime) -> Terms | None:
    """The terms of one scope in force at `at` (the latest that took effect by then)."""
    found = None
    for terms in history:
        if terms.effective_from <= at:
            found = terms
    return found


def terms_at(category: Category, at: datetime | None = None) -> Terms:
    """The terms a complaint in `category` received at `at` (default: now) runs on."""
    at = at or datetime.now(timezone.utc)
    by_scope, _by_id = terms_table()
    for scope in scopes_of(category):
        found = in_force(by_scope.get(scope, []), at)
        if found is not None:
            return found
    raise LookupError(f"no service-level terms for {category.code} and no default terms")


def policy_for(category: Category, at: datetime | None = None) -> Policy:
    """The terms of a complaint received now (or at `at`): what the information pages publish."""
    return terms_at(category, at).policy


def case_terms(case: Case) -> Terms:
    """The terms a case's clocks keep: those in force when it was received."""
    _by_scope, by_id = terms_table()
    if case.sla_policy_id is not None and case.sla_policy_id in by_id:
        return by_id[case.sla_policy_id]
    return terms_at(case.category, from_db(case.received_at))


def case_policy(case: Case) -> Policy:
    return case_terms(case).policy


def reopen_window_days(case: Case) -> int:
    return case_policy(case).reopen_window_days


def routing_rules_from_db() -> tuple[list[Rule], dict[str, int], frozenset[str]]:
    """The active routing rules as the domain reads them, fund ids by code, the council's fund codes."""
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
    funds = db.session.execute(select(Fund.code, Fund.id, Fund.kind)).all()
    return rules, {code: ident for code, ident, _kind in funds}, frozenset(c for c, _i, k in funds if k == "oversight")


def _routing_table() -> tuple[list[Rule], dict[str, int], frozenset[str]]:
    return cached("routing", routing_rules_from_db)


def keep_with(category: Category, council: frozenset[str]) -> frozenset[str] | None:
    """A sensitive category (complaints about officials) may only be routed to the council."""
    return council if category.sensitive else None


def _detached_rows(model) -> dict:
    """Every row of a small reference table, loaded and detached from the session, by id."""
    rows = db.session.execute(select(model)).scalars().all()
    for row in rows:
        db.session.expunge(row)
    return {row.id: row for row in rows}


def _attached(model, row):
    """A copy of the cached row in this session, without a query: the same staleness as every
    other cached reference value (REFERENCE_CACHE_SECONDS).

    What merge(load=False) does for these rows (they hold column values only: every relationship
    loads lazily), without its attribute-by-attribute copy: the session's own instance if it has
    one, else a copy of the row's loaded columns made persistent as if just loaded.
    """
    session = db.session()
    present = session.identity_map.get(identity_key(model, row.id))
    if present is not None:
        return present
    mapper = inspect(model)
    copy = mapper.class_manager.new_instance()
    loaded = row.__dict__
    copy.__dict__.update({key: loaded[key] for key in mapper.columns.keys() if key in loaded})
    make_transient_to_detached(copy)
    session.add(copy)
    return copy


def category_by_code(code: str) -> Category | None:
    """The category with this code (active or not), attached to the session, from the cache."""
    rows = cached("category_rows", lambda: _detached_rows(Category))
    found = next((row for row in rows.values() if row.code == code), None)
    if found is None:  # added since the table was cached
        return db.session.execute(select(Category).where(Category.code == code)).scalar_one_or_none()
    return _attached(Category, found)


def fund_by_id(fund_id: int) -> Fund | None:
    rows = cached("fund_rows", lambda: _detached_rows(Fund))
    found = rows.get(fund_id)
    return db.session.get(Fund, fund_id) if found is None else _attached(Fund, found)


def routing_decision(category: Category, province_code: str | None, channel: str) -> tuple[Fund, str | None]:
    """Match the ordered routing table; fall back to the council's triage desk."""
    rules, fund_ids, council = _routing_table()
    decision: Decision = route(
        rules, category.code, province_code, channel, TRIAGE_FUND_CODE, keep_with=keep_with(category, council)
    )
    fund = fund_by_id(fund_ids[decision.fund_code]) if decision.fund_code in fund_ids else None
    if fund is None:  # a fund added or renamed since the table was cached
        fund = db.session.execute(select(Fund).where(Fund.code == decision.fund_code)).scalar_one()
    return fund, decision.office
