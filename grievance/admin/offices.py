"""Single-window offices: names in both languages, place (official codes), active, and their staff."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from grievance.admin.editing import Invalid, created, guarded_update
from grievance.admin.guard import require_admin
from grievance.extensions import db
from grievance.frontdesk.offices import check_place
from grievance.models import Office, User

ENTITY = "office"
FIELDS = ("name_km", "name_en", "level", "province_code", "district_code", "commune_code", "active")


def listing() -> list[tuple[Office, int]]:
    """Every office (active first) with the number of front-desk staff attached to it."""
    offices = db.session.execute(
        select(Office).order_by(Office.active.desc(), Office.province_code, Office.id)
    ).scalars()
    counts: dict[int, int] = {}
    for (office_id,) in db.session.execute(
        select(User.office_id).where(User.role == "frontdesk", User.active.is_(True))
    ):
        counts[office_id] = counts.get(office_id, 0) + 1
    return [(o, counts.get(o.id, 0)) for o in offices]


def staff(office: Office) -> list[User]:
    return list(
        db.session.execute(
            select(User).where(User.role == "frontdesk", User.office_id == office.id).order_by(User.name)
        ).scalars()
    )


def _values(name_km: str, name_en: str, province: str, district: str, commune: str | None, active: bool) -> dict:
    if not name_km.strip() or not name_en.strip():
        raise Invalid(_l("Give the name in both languages."), "name_km" if not name_km.strip() else "name_en")
    if not province:
        raise Invalid(_l("Choose the province."), "province")
    if not district:
        raise Invalid(_l("Choose the district."), "district")
    try:
        check_place(province, district, commune or None)
    except ValueError:
        raise Invalid(_l("This place is not in the one chosen above. Please choose again."), "district") from None
    return {
        "name_km": name_km.strip(),
        "name_en": name_en.strip(),
        "level": "commune" if commune else "district",
        "province_code": province,
        "district_code": district,
        "commune_code": commune or None,
        "active": bool(active),
    }


def create(
    actor: User | None,
    *,
    name_km: str,
    name_en: str,
    province: str,
    district: str,
    commune: str | None,
    active: bool = True,
) -> Office:
    """A new office: a district office, or a commune (sangkat) office when a commune is given."""
    require_admin(actor)
    office = Office(**_values(name_km, name_en, province, district, commune, active))
    db.session.add(office)
    created(office, actor, ENTITY, FIELDS)
    return office


def update_office(
    actor: User | None,
    office: Office,
    expected_version: int | None,
    *,
    name_km: str,
    name_en: str,
    province: str,
    district: str,
    commune: str | None,
    active: bool,
) -> dict:
    """Edit an office. An inactive office files nothing: its front-desk staff are refused until it reopens."""
    require_admin(actor)
    values = _values(name_km, name_en, province, district, commune, active)
    return guarded_update(office, actor, ENTITY, expected_version, values)
