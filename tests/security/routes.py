"""Every route of the app, found in app.url_map, with its URL filled in from the test world.

A new route is picked up by every security test at once. A route with a URL parameter this
module cannot fill makes the tests fail with a message saying where to teach it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import select

from grievance.extensions import db

IGNORED_METHODS = {"HEAD", "OPTIONS"}
# URL parameters that name something belonging to one case: the route is tried for each case.
CASE_PARAMS = {"case_id", "attachment_id", "flag_id", "request_id"}
# Page actions on a case (cases.act): the whole set is tried where a test wants it.
DEFAULT_ACTION = "note"


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: object
    method: str

    @property
    def blueprint(self) -> str:
        return self.endpoint.split(".", 1)[0] if "." in self.endpoint else ""

    @property
    def case_bound(self) -> bool:
        return bool(CASE_PARAMS & set(self.rule.arguments))

    def __str__(self) -> str:
        return f"{self.method} {self.rule.rule} ({self.endpoint})"


def routes(app) -> list[Route]:
    """(endpoint, rule, method) for every rule, sorted so runs are reproducible."""
    found = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - IGNORED_METHODS):
            found.append(Route(rule.endpoint, rule, method))
    return sorted(found, key=lambda r: (r.rule.rule, r.method))


def _static_file(app) -> str:
    from pathlib import Path

    root = Path(app.static_folder)
    first = sorted(p for p in root.rglob("*.css"))[0]
    return first.relative_to(root).as_posix()


def values_for(route: Route, world, case_key: str = "a", action: str = DEFAULT_ACTION, app=None) -> dict:
    """URL parameters for `route`, taken from the world (case-bound ones from case `case_key`)."""
    month = datetime.now(timezone.utc).strftime("%Y-%m")
    known = {
        "case_id": lambda: world.cases[case_key].id,
        "attachment_id": lambda: world.attachments[case_key].id,
        "flag_id": lambda: world.flags[case_key].id,
        "request_id": lambda: world.cases[case_key].reference,
        "action": lambda: action,
        "org_id": lambda: world.org_in.id,
        "row_id": lambda: world.scope_row.id,
        "alert_id": lambda: world.extra["alert"].id,
        "page_id": lambda: world.info_page.id,
        "slug": lambda: world.info_page.slug,
        "month": lambda: month,
        "scope": lambda: "NSAF",
        "lang": lambda: "en",
        "service_code": lambda: "NSAF-CT-MISSING",
        "fmt": lambda: "xml",  # the Open311 format (the spec's required one; JSON is the same views)
        "token": lambda: "0" * 20,
        "code": lambda: "en",
        "filename": lambda: _static_file(app),
        "step": lambda: "what",  # the public form's first step
        # the admin area: another account than the admin's own, and one of each setting
        "user_id": lambda: world.users["officer_b"].id,
        "category_id": lambda: world.cases["a"].category_id,
        "rule_id": lambda: world.extra["rule"].id,
        "office_id": lambda: world.extra["office"].id,
        "template_id": lambda: world.extra["reply_template"].id,
        "key_id": lambda: world.extra["api_key"].id,
        "closure_id": lambda: world.extra["closure"].id,
        "policy_id": lambda: world.extra["scheduled_terms"].id,
        "terms": lambda: "all",
        "incident_id": lambda: world.extra["incident"].id,
    }
    values = {}
    for name in route.rule.arguments:
        if name not in known:
            raise AssertionError(
                f"{route}: no test value for the URL parameter {name!r}; add one to tests/security/routes.py"
            )
        values[name] = known[name]()
    return values


def url_for_route(route: Route, world, case_key: str = "a", action: str = DEFAULT_ACTION, app=None) -> str:
    return route.rule.build(values_for(route, world, case_key, action, app=app), append_unknown=False)[1]


def db_state() -> dict[str, tuple[int, str]]:
    """Every table's row count and a checksum of its rows: any write shows up as a difference."""
    db.session.rollback()
    state = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        digest = hashlib.sha256(repr([tuple(row) for row in rows]).encode("utf-8")).hexdigest()
        state[table.name] = (len(rows), digest)
    db.session.rollback()
    return state


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(name for name in before if before[name] != after.get(name))
