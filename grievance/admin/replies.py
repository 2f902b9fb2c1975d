"""Reply templates: public messages in Khmer and English kept by administrators, offered to officers.

Administrators create, edit and deactivate them (every change recorded before/after like any
setting). Officers see the active ones of their case's fund (or of every fund) on the case page
and insert one, in the complainant's language, into the public-update box; what is sent is then
an ordinary public update (cases/service.public_update), shown redacted like any other message.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from grievance.admin.editing import Invalid, created, guarded_update
from grievance.admin.guard import require_admin
from grievance.cases import permissions
from grievance.extensions import db
from grievance.models import Case, Fund, ReplyTemplate, User
from grievance.services.permits import require

ENTITY = "reply_template"
FIELDS = ("title_km", "title_en", "body_km", "body_en", "fund_id", "active")
TITLE_MAX = 200
BODY_MAX = 5000  # the public-update box's limit (cases/forms.MessageForm)


def listing() -> list[tuple[ReplyTemplate, str | None]]:
    """Every template with its fund's code (None: every fund), active ones first."""
    return list(
        db.session.execute(
            select(ReplyTemplate, Fund.code)
            .outerjoin(Fund, Fund.id == ReplyTemplate.fund_id)
            .order_by(ReplyTemplate.active.desc(), ReplyTemplate.title_en, ReplyTemplate.id)
        ).tuples()
    )


def _values(title_km: str, title_en: str, body_km: str, body_en: str, fund_id: int | None, active: bool) -> dict:
    values = {
        "title_km": (title_km or "").strip(),
        "title_en": (title_en or "").strip(),
        "body_km": (body_km or "").strip(),
        "body_en": (body_en or "").strip(),
    }
    for name in ("title_km", "title_en"):
        if not values[name]:
            raise Invalid(_l("Give the title in both languages."), name)
        if len(values[name]) > TITLE_MAX:
            raise Invalid(_l("At most %(n)s characters.", n=TITLE_MAX), name)
    for name in ("body_km", "body_en"):
        if not values[name]:
            raise Invalid(_l("Give the text in both languages: it is sent in the complainant's language."), name)
        if len(values[name]) > BODY_MAX:
            raise Invalid(_l("At most %(n)s characters.", n=BODY_MAX), name)
    if fund_id is not None and db.session.get(Fund, fund_id) is None:
        raise Invalid(_l("Choose a fund from the list."), "fund_id")
    values["fund_id"] = fund_id
    values["active"] = bool(active)
    return values


def create(
    actor: User | None,
    *,
    title_km: str,
    title_en: str,
    body_km: str,
    body_en: str,
    fund_id: int | None = None,
    active: bool = True,
) -> ReplyTemplate:
    """A new reply template, for one fund's cases or (fund None) for every fund's."""
    require_admin(actor)
    template = ReplyTemplate(**_values(title_km, title_en, body_km, body_en, fund_id, active))
    db.session.add(template)
    created(template, actor, ENTITY, FIELDS)
    return template


def update_template(
    actor: User | None,
    template: ReplyTemplate,
    expected_version: int | None,
    *,
    title_km: str,
    title_en: str,
    body_km: str,
    body_en: str,
    fund_id: int | None,
    active: bool,
) -> dict:
    """Edit a template; deactivating it takes it off the officers' list (messages already sent stay)."""
    require_admin(actor)
    values = _values(title_km, title_en, body_km, body_en, fund_id, active)
    return guarded_update(template, actor, ENTITY, expected_version, values)


# --- what officers see ---


def for_case(user: User, case: Case) -> list[ReplyTemplate]:
    """The active templates offered on this case: those of its fund and those for every fund."""
    require(permissions.can_act(user, case), "use reply templates", user, hidden=not permissions.can_view(user, case))
    return list(
        db.session.execute(
            select(ReplyTemplate)
            .where(
                ReplyTemplate.active.is_(True),
                or_(ReplyTemplate.fund_id.is_(None), ReplyTemplate.fund_id == case.fund_id),
            )
            .order_by(ReplyTemplate.title_en, ReplyTemplate.id)
        ).scalars()
    )


def text_for_case(user: User, case: Case, template_id: int) -> str | None:
    """The template's text in the complainant's language, or None if it is not offered on this case."""
    found = next((t for t in for_case(user, case) if t.id == template_id), None)
    return None if found is None else found.body(case.language)
