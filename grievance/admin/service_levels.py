"""Service levels: the clock terms (domain.sla.TERMS) for every category, with an effective date.

A change never edits terms already in force: it is a new row for its scope from the chosen day
(today: from the moment it is saved). Cases keep the terms they were received under
(Case.sla_policy_id), so a change applies to cases received from its effective instant and
clocks already running keep theirs. A change not yet in force can be edited or cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from grievance.admin.editing import EditConflict, Invalid
from grievance.admin.guard import require_admin
from grievance.domain.calendar import TZ, local_date
from grievance.domain.sla import TERMS
from grievance.extensions import db
from grievance.models import Case, Category, SlaPolicy, User
from grievance.models.reference import PRIORITIES, terms_scope
from grievance.models.timeutil import from_db, to_db
from grievance.services import reference
from grievance.services.changes import record_change

ENTITY = "service_level"
TERM_NAMES = tuple(t.name for t in TERMS)


@dataclass(frozen=True)
class Scope:
    """Where a set of terms applies: every category, a priority, or one category."""

    key: str  # the URL form: "all", "urgent", "normal", "c<id>"
    scope: str  # SlaPolicy.scope
    category: Category | None = None
    priority: str | None = None


def scope_from_key(key: str) -> Scope | None:
    if key == "all":
        return Scope("all", terms_scope())
    if key in PRIORITIES:
        return Scope(key, terms_scope(priority=key), priority=key)
    if key.startswith("c") and key[1:].isdigit():
        category = db.session.get(Category, int(key[1:]))
        if category is not None:
            return Scope(key, terms_scope(category_id=category.id), category=category)
    return None


def key_of(row: SlaPolicy) -> str:
    """The URL key of the scope a row of terms belongs to."""
    if row.category_id is not None:
        return f"c{row.category_id}"
    return row.priority or "all"


def all_scopes() -> list[Scope]:
    categories = db.session.execute(select(Category).order_by(Category.position, Category.id)).scalars()
    return [
        Scope("all", terms_scope()),
        *(Scope(p, terms_scope(priority=p), priority=p) for p in reversed(PRIORITIES)),
        *(Scope(f"c{c.id}", terms_scope(category_id=c.id), category=c) for c in categories),
    ]


def history(scope: Scope) -> list[SlaPolicy]:
    """Every set of terms of this scope, oldest first (the last ones may not be in force yet)."""
    query = select(SlaPolicy).where(SlaPolicy.scope == scope.scope).order_by(SlaPolicy.effective_from)
    return list(db.session.execute(query).scalars())


def latest_id(scope: Scope) -> int:
    """The version token of a scope's terms: the id of its newest row (0: it has none)."""
    rows = history(scope)
    return rows[-1].id if rows else 0


@dataclass(frozen=True)
class Row:
    """One line of the service-levels page: what applies now, where it comes from, what is scheduled."""

    scope: Scope
    in_force: reference.Terms | None  # the scope's own terms now (None: it inherits)
    applies: reference.Terms  # what a complaint received now gets (own or inherited)
    scheduled: list[SlaPolicy]


def overview(now: datetime | None = None) -> list[Row]:
    now = now or datetime.now(timezone.utc)
    by_scope, _by_id = reference.terms_table()
    default = reference.in_force(by_scope.get("*", []), now)
    rows = []
    for scope in all_scopes():
        own = reference.in_force(by_scope.get(scope.scope, []), now)
        if scope.category is not None:
            applies = reference.terms_at(scope.category, now)
        elif scope.priority is not None:
            applies = own or default
        else:
            applies = own
        scheduled = [r for r in history(scope) if from_db(r.effective_from) > now]
        rows.append(Row(scope, own, applies, scheduled))
    return rows


def effective_instant(day: date, now: datetime) -> datetime:
    """From the start of `day` in Phnom Penh; today means from now. Earlier days are refused."""
    today = local_date(now)
    if day < today:
        raise Invalid(
            _l(
                "A change cannot reach back: complaints already received keep their terms. Choose today or a later day."
            ),
            "effective",
        )
    if day == today:
        return now
    return datetime.combine(day, time(0), TZ).astimezone(timezone.utc)


def _check_terms(terms: dict[str, int]) -> dict[str, int]:
    clean = {}
    for term in TERMS:
        value = terms.get(term.name)
        if not isinstance(value, int) or not term.minimum <= value <= term.maximum:
            raise Invalid(_l("Between %(low)s and %(high)s.", low=term.minimum, high=term.maximum), term.name)
        clean[term.name] = value
    if clean["resolve_days"] < clean["ack_days"]:
        raise Invalid(_l("The answer cannot be due before the acknowledgement."), "resolve_days")
    return clean


def _terms_of(row: SlaPolicy | None) -> dict | None:
    return None if row is None else {name: getattr(row, name) for name in TERM_NAMES}


def schedule(
    actor: User | None,
    scope: Scope,
    based_on: int | None,
    day: date,
    terms: dict[str, int],
    *,
    now: datetime | None = None,
) -> SlaPolicy:
    """New terms for `scope` from `day` on; `based_on` is the scope's version (latest_id) the page showed.

    A change scheduled for the same day replaces the one already scheduled (not yet in force).
    """
    require_admin(actor)
    now = now or datetime.now(timezone.utc)
    if based_on != latest_id(scope):
        raise EditConflict()
    clean = _check_terms(terms)
    start = effective_instant(day, now)
    by_scope, _ = reference.terms_table()
    before = reference.in_force(by_scope.get(scope.scope, []), start)
    same_day = db.session.execute(
        select(SlaPolicy).where(SlaPolicy.scope == scope.scope, SlaPolicy.effective_from == to_db(start))
    ).scalar_one_or_none()
    if same_day is not None:
        old = _terms_of(same_day)
        db.session.execute(
            update(SlaPolicy)
            .where(SlaPolicy.id == same_day.id, SlaPolicy.version == same_day.version)
            .values(**clean, version=same_day.version + 1, created_by_id=None if actor is None else actor.id)
            .execution_options(synchronize_session=False)
        )
        db.session.refresh(same_day)
        record_change(actor, ENTITY, same_day.id, old, clean, note=_note(scope, start))
        return same_day
    row = SlaPolicy(
        scope=scope.scope,
        category_id=None if scope.category is None else scope.category.id,
        priority=scope.priority,
        effective_from=to_db(start),
        created_at=to_db(now),
        created_by_id=None if actor is None else actor.id,
        **clean,
    )
    db.session.add(row)
    db.session.flush()
    record_change(
        actor,
        ENTITY,
        row.id,
        None if before is None else {name: getattr(before.policy, name) for name in TERM_NAMES},
        clean,
        note=_note(scope, start),
    )
    return row


def _note(scope: Scope, start: datetime) -> str:
    return f"{scope.scope} from {start.astimezone(TZ):%Y-%m-%d %H:%M}"


def cancel(actor: User | None, row: SlaPolicy, expected_version: int | None, *, now: datetime | None = None) -> None:
    """Cancel a change that is not in force yet (one in force is history: cases run on it)."""
    require_admin(actor)
    now = now or datetime.now(timezone.utc)
    in_use = db.session.execute(select(Case.id).where(Case.sla_policy_id == row.id).limit(1)).first()
    if from_db(row.effective_from) <= now or in_use:
        raise Invalid(_l("These terms are in force: change them with new terms from a later day instead."))
    old = _terms_of(row)
    note = f"{row.scope} from {from_db(row.effective_from).astimezone(TZ):%Y-%m-%d}, cancelled"
    result = db.session.execute(
        delete(SlaPolicy)
        .where(SlaPolicy.id == row.id, SlaPolicy.version == expected_version)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise EditConflict()
    record_change(actor, ENTITY, row.id, old, None, note=note)
