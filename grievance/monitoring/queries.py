"""Read models for monitors: the scoped case list and the redacted case page."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from grievance.domain.calendar import TZ
from grievance.domain.workflow import OPEN_STATUS_VALUES as OPEN
from grievance.extensions import db
from grievance.models import Case, CaseFlag, CaseFollow, Category, Fund, Organisation, User
from grievance.models.timeutil import from_db
from grievance.monitoring import permissions
from grievance.services import audit, disclosure

PAGE_SIZE = 50
STATUS_FILTERS = ("open", "all", "resolved", "rejected", "closed")


@dataclass
class ListFilters:
    status: str = "open"
    fund: str = ""
    province: str = ""
    category: str = ""
    followed: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args) -> ListFilters:
        def pick(name: str, allowed, default: str = "") -> str:
            value = args.get(name, default)
            return value if value in allowed else default

        page = args.get("page", "1")
        return cls(
            status=pick("status", STATUS_FILTERS, "open"),
            fund=pick("fund", set(db.session.execute(select(Fund.code)).scalars())),
            province=pick("province", {f"{i:02d}" for i in range(1, 26)}),
            category=pick("category", set(db.session.execute(select(Category.code)).scalars())),
            followed=args.get("followed") == "1",
            page=int(page) if page.isdecimal() and 0 < len(page) < 6 else 1,
        )

    def as_args(self, **override) -> dict:
        values = {
            "status": self.status,
            "fund": self.fund,
            "province": self.province,
            "category": self.category,
            "followed": "1" if self.followed else "",
            "page": self.page if self.page > 1 else "",
        }
        values.update(override)
        return {k: v for k, v in values.items() if v}


def _filtered(user: User, f: ListFilters):
    query = permissions.visible_cases(user)
    if f.status == "open":
        query = query.where(Case.status.in_(OPEN))
    elif f.status != "all":
        query = query.where(Case.status == f.status)
    if f.fund:
        query = query.where(Case.fund_id == select(Fund.id).where(Fund.code == f.fund).scalar_subquery())
    if f.province:
        query = query.where(Case.province_code == f.province)
    if f.category:
        query = query.where(
            Case.category_id == select(Category.id).where(Category.code == f.category).scalar_subquery()
        )
    if f.followed:
        query = query.where(
            select(CaseFollow.id).where(CaseFollow.case_id == Case.id, CaseFollow.user_id == user.id).exists()
        )
    return query


def case_list(user: User, f: ListFilters) -> dict:
    """One page of the cases this monitor may see, newest first, with the total."""
    query = _filtered(user, f)
    total = db.session.execute(query.with_only_columns(func.count()).order_by(None)).scalar_one()
    rows = (
        db.session.execute(
            query.order_by(Case.received_at.desc(), Case.id.desc()).offset((f.page - 1) * PAGE_SIZE).limit(PAGE_SIZE)
        )
        .scalars()
        .all()
    )
    followed = set(
        db.session.execute(
            select(CaseFollow.case_id).where(
                CaseFollow.user_id == user.id, CaseFollow.case_id.in_([c.id for c in rows])
            )
        ).scalars()
    )
    return {
        "rows": rows,
        "total": total,
        "followed": followed,
        "filters": f,
        "has_next": f.page * PAGE_SIZE < total,
        "funds": db.session.execute(select(Fund).order_by(Fund.id)).scalars().all(),
        "categories": db.session.execute(select(Category).order_by(Category.position)).scalars().all(),
    }


def load(user: User, case_id: int) -> Case | None:
    return db.session.execute(permissions.visible_cases(user).where(Case.id == case_id)).scalar()


def local(value: datetime | None) -> datetime | None:
    return None if value is None else from_db(value).astimezone(TZ)


@dataclass
class Entry:
    at: datetime
    kind: str
    who: str  # "fund", "complainant", "system" or an organisation's name
    message: str
    detail: str = ""


# Payload keys whose text a person typed and a monitor may read (after masking).
_TEXT_KEYS = ("message", "reason")


def _timeline(user: User, case: Case) -> list[Entry]:
    entries = []
    for event in audit.case_events(case.id):
        if not (event.public or event.kind == "monitor_comment"):
            continue
        payload = json.loads(event.payload)
        text = " ".join(str(payload[k]) for k in _TEXT_KEYS if payload.get(k))
        if event.kind == "monitor_comment":
            who = payload.get("organisation", "")
        elif event.actor_label in ("staff", "system", "complainant"):
            who = event.actor_label
        else:
            who = "monitor"
        detail = f"{payload['from_fund']} → {payload['to_fund']}" if event.kind == "transfer" else ""
        entries.append(Entry(local(event.at), event.kind, who, disclosure.text_for(user, case, text), detail))
    return entries


def _flags(user: User, case: Case) -> list[dict]:
    rows = db.session.execute(
        select(CaseFlag, Organisation.name)
        .join(Organisation, Organisation.id == CaseFlag.organisation_id)
        .where(CaseFlag.case_id == case.id)
        .order_by(CaseFlag.id)
    ).all()
    return [
        {
            "kind": flag.kind,
            "status": flag.status,
            "organisation": org,
            "note": disclosure.text_for(user, case, flag.note),
            "at": local(flag.created_at),
        }
        for flag, org in rows
    ]


def case_view(user: User, case: Case, *, reveal_identity: bool = False) -> dict:
    """What a monitor sees of one case: facts, clocks, redacted text and the public timeline."""
    person = case.complainant
    may_see_identity = permissions.can_see_identity(user, case) and person is not None
    return {
        "case": case,
        "own": permissions.filed_by_own_org(user, case),
        "description": disclosure.text_for(user, case, case.description),
        "timeline": _timeline(user, case),
        "flags": _flags(user, case),
        "following": db.session.execute(
            select(CaseFollow.id).where(CaseFollow.user_id == user.id, CaseFollow.case_id == case.id)
        ).first()
        is not None,
        "may_see_identity": may_see_identity,
        "complainant": person if (may_see_identity and reveal_identity) else None,
        "dates": {
            "received": local(case.received_at),
            "acknowledged": local(case.acknowledged_at),
            "resolved": local(case.first_resolved_at),
            "closed": local(case.closed_at),
        },
        "clocks": [
            ("acknowledge", local(case.ack_due_at), case.acknowledged_at is not None, case.ack_breached_at is not None),
            (
                "resolve",
                local(case.resolve_due_at),
                case.first_resolved_at is not None,
                case.resolve_breached_at is not None,
            ),
        ],
    }
